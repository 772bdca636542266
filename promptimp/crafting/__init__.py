"""The crafting loop: try a prompt, refine it, measure its stability, tag and share it, learn.

tags.py           normalise_tag: one normal form for a tag; the quick tags
refine.py         the refine program (a version's parts + feedback -> new parts); feedback checks
trying.py         try a prompt (or a run's prompt and original idea) on a target model
stability.py      the spread of N runs of one idea; the repeat count's range
library.py        a prompt library from keeper runs, as Markdown and JSON
user_trainset.py  the user trainset file: add, list and remove examples made from good runs

Each module is pure or uses DSPy only: none reads the history store, eval/ or the UI.
"""

from __future__ import annotations

from promptimp.crafting.library import LibraryEntry, render_json, render_markdown
from promptimp.crafting.refine import (
    MAX_FEEDBACK_CHARS,
    QUICK_FEEDBACK,
    RefinePrompt,
    RefinePromptParts,
    Refiner,
    build_refiner,
    validate_feedback,
)
from promptimp.crafting.stability import (
    MAX_REPEATS,
    Spread,
    Stability,
    Variety,
    summarise,
    validate_repeats,
)
from promptimp.crafting.tags import MAX_TAG_CHARS, QUICK_TAGS, normalise_tag
from promptimp.crafting.trying import original_prompt, try_prompt, try_run
from promptimp.crafting.user_trainset import (
    UserExample,
    add_example,
    list_examples,
    remove_example,
)

__all__ = [
    "MAX_FEEDBACK_CHARS",
    "MAX_REPEATS",
    "MAX_TAG_CHARS",
    "QUICK_FEEDBACK",
    "QUICK_TAGS",
    "LibraryEntry",
    "RefinePrompt",
    "RefinePromptParts",
    "Refiner",
    "Spread",
    "Stability",
    "UserExample",
    "Variety",
    "add_example",
    "build_refiner",
    "list_examples",
    "normalise_tag",
    "original_prompt",
    "remove_example",
    "render_json",
    "render_markdown",
    "summarise",
    "try_prompt",
    "try_run",
    "validate_feedback",
    "validate_repeats",
]
