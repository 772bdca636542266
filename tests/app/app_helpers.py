"""Constants and helpers the AppTest modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from concurrent.futures import wait
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support import ANSWER  # noqa: F401 - re-exported for the page tests
from ui.jobs import Job

ROOT = Path(__file__).resolve().parents[2]

APP = ROOT / "app.py"
TIMEOUT_S = 30


GOOD_RULES = [
    "Use plural nouns for every user resource path",
    "Return RFC 7807 errors from every API endpoint",
    "Never log passwords or tokens of any user",
]
GOOD_ANSWER = {
    **ANSWER,
    "guardrails": GOOD_RULES,
    "improved_prompt": "You are a senior backend engineer specialising in API design.\n\n"
    "## Task\nDesign a versioned REST API for user management with CRUD endpoints.\n\n"
    "## Rules\n" + "\n".join(f"- {rule}" for rule in GOOD_RULES),
}
"""An answer every quality check passes for "Design a REST API for user management"."""
JUNK_ANSWER = {**GOOD_ANSWER, "role": "Developer of the idea"}
"""The same answer with a generic role: not acceptable."""

SCRIPT_IDEA = "Summarise a paper on <script>alert(1)</script> and <img src=x onerror=alert(2)>"

SEED = [
    # (days ago, backend, model_version, confidence, latency_ms, idea)
    (1, "zero-shot", "openai/gpt-4o-mini", 0.9, 1000, "Design a REST API for user management"),
    (2, "few-shot", "openai/gpt-4o-mini", 0.6, 3000, "Write a haiku about autumn rain"),
    (3.5, "zero-shot", "local/smollm2", 0.75, 2000, "Plan a marketing email campaign"),
    (3, "few-shot", "local/smollm2", None, 4000, SCRIPT_IDEA),
]
"""A known data set: 3 known confidences averaging 0.75, 2 of them >= 0.7; p50 2000 ms.
Stored oldest first, so ids 1-4 are marketing, script, haiku, REST API."""


def open_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def unescape(markdown: str) -> str:
    """Markdown escaped by `escape_markdown`, back to the text it shows."""
    return re.sub(r"\\(.)", r"\1", markdown)


def press(at: AppTest, label: str) -> AppTest:
    """Click the button (or form submit button) labelled `label` and rerun once."""
    return next(button for button in at.button if button.label == label).click().run()


def finish_jobs(at: AppTest) -> AppTest:
    """Wait for the page's background jobs to end, then rerun, as the page's poll would."""
    running = [value.future for value in at.session_state.values() if isinstance(value, Job)]
    if not running:
        return at
    wait(running, timeout=TIMEOUT_S)
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    """Click `label`, then let any job it started finish and show its outcome."""
    return finish_jobs(press(at, label))


def shown_text(at: AppTest) -> list[str]:
    """Every st.text body on the page."""
    return [element.value for element in at.text]


def verdicts(at: AppTest) -> list[str]:
    """Every quality verdict shown (acceptable ones first, then the warnings)."""
    alerts = (*at.success, *at.warning)
    return [unescape(alert.value) for alert in alerts if alert.value.startswith("Quality:")]


def check_items(at: AppTest, heading: str) -> list[str]:
    """The list items under a "**Failed checks**" heading, or in a "Passed checks" expander."""
    if heading == "Failed checks":
        markdown = [m.value for m in at.markdown]
        lists = [markdown[i + 1] for i, value in enumerate(markdown) if value == f"**{heading}**"]
    else:
        lists = [
            item.value
            for expander in at.expander
            if expander.label.startswith(heading)
            for item in expander.markdown
        ]
    return [unescape(line) for body in lists for line in body.splitlines()]
