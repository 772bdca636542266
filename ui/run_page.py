"""What a person does with a stored run, under its sections (ui/views.render_run): try it,
read its trials, walk its versions with a word diff and pick the keeper, refine it with
feedback, tag it, and add it to the user trainset.

Improve and History draw it with `render_run_page`. Trying and refining are slow, so they run
as jobs (ui/jobs.py) with progress and Cancel; the other writes are button callbacks whose
one-line outcome shows on the next draw. Every write is followed by `reads_changed()`, and
the run's keeper and tags are always read from the history, never from the caller's copy.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptimp.crafting.diff import changed_parts, word_diff
from promptimp.crafting.feedback import MAX_FEEDBACK_CHARS, QUICK_FEEDBACK, validate_feedback
from promptimp.crafting.tags import QUICK_TAGS
from promptimp.history.records import Trial, TrialAnswer
from promptimp.models import ImproveResult, PromptImpError, PromptRun
from promptimp.text import plural
from ui import jobs, resources
from ui.model_choice import chosen_model
from ui.text import diff_markdown, escape_markdown
from ui.views import latency_text

NOT_STORED = (
    "This run was not stored in the history, so it cannot be tried, refined or tagged. "
    "Improve the idea again once the history is back."
)
Refined = Callable[[ImproveResult], None]
"""What the page does with a new version (it becomes the run shown)."""


def job_key(key: str, kind: str) -> str:
    """The session key of the panel's try or refine job."""
    return f"{key}_{kind}_job"


def render_run_page(run: PromptRun, *, key: str, on_refined: Refined) -> None:
    """The crafting controls of `run`; `key` names the panel: one per page and run, so a job
    and a typed text stay with the run they were started on."""
    render_try(run, key)
    if run.id is None:
        return
    chain = resources.versions(run.id)
    current = next((version for version in chain if version.id == run.id), None)
    if current is None:
        st.info(f"Run #{run.id} is no longer stored.")
        return
    render_versions(current, chain, key)
    render_refine(current, key, on_refined)
    render_tags(current, key)
    render_trainset(current, key)


# -- outcomes of button callbacks ----------------------------------------------------------


def _write(slot: str, action: Callable[[], str]) -> None:
    """Run a write from a button callback and keep its one-line outcome for `show_outcome`."""
    try:
        message = action()
    except PromptImpError as error:
        st.session_state[slot] = ("error", str(error))
        return
    resources.reads_changed()
    st.session_state[slot] = ("success", message)


def write_button(
    where: DeltaGenerator,
    label: str,
    *,
    icon: str,
    key: str,
    slot: str,
    action: Callable[[], str],
    help: str | None = None,
) -> None:
    """A button in `where` whose click runs the write `action`, its outcome kept in `slot`."""
    where.button(label, icon=icon, key=key, on_click=_write, args=(slot, action), help=help)


def show_outcome(slot: str) -> None:
    """The outcome `_write` kept under `slot`, once."""
    if outcome := st.session_state.pop(slot, None):
        kind, message = outcome
        (st.error if kind == "error" else st.success)(escape_markdown(message))


def take_job(key: str, kind: str) -> object | None:
    """The finished job's result, or None (its error shown in one line; progress while it
    runs; a note after Cancel)."""
    name = job_key(key, kind)
    if finished := jobs.take_finished(name):
        try:
            return finished.result()
        except PromptImpError as error:
            st.error(escape_markdown(str(error)))
    elif jobs.running(name):
        jobs.show_progress(name)
    elif jobs.was_cancelled(name):
        st.info(jobs.CANCELLED)
    return None


# -- try ----------------------------------------------------------------------------------


def render_try(run: PromptRun, key: str) -> None:
    """A "Try it" button and the run's trials, newest first."""
    st.subheader("Try it")
    name = job_key(key, "try")
    if run.id is None:
        st.button(
            "Try it", icon=":material/play_arrow:", disabled=True, help=NOT_STORED, key=f"{key}-try"
        )
        st.caption(NOT_STORED)
        return
    st.caption(
        "Send the original idea as typed and the improved prompt to the model chosen in the "
        "sidebar, and read both answers side by side."
    )
    st.button(
        "Try it",
        icon=":material/play_arrow:",
        disabled=jobs.running(name) is not None,
        key=f"{key}-try",
        on_click=start_try,
        args=(run.id, key),
    )
    result = take_job(key, "try")
    if result is not None:
        for warning in result.warnings:
            st.warning(escape_markdown(warning))
        resources.reads_changed()
        if result.trial.id is None:  # not stored: shown this once
            render_trial(result.trial)
    for trial in resources.trials(run.id):
        render_trial(trial)


def start_try(run_id: int, key: str) -> None:
    """Try the run on the chosen model, on a worker (a button callback)."""
    service, model = resources.get_service(), chosen_model()
    jobs.start(
        job_key(key, "try"), lambda job: service.crafting.try_run(run_id, model), "Trying both"
    )


def tokens_text(answer: TrialAnswer) -> str:
    def count(value: int | None) -> str:
        return "n/a" if value is None else f"{value:,}"

    return f"{count(answer.prompt_tokens)} in · {count(answer.completion_tokens)} out"


def render_trial(trial: Trial) -> None:
    """One trial: the original idea's answer beside the improved prompt's."""
    with st.container(border=True):
        st.caption(
            f"Tried {trial.timestamp:%Y-%m-%d %H:%M:%S} UTC on"
            f" {escape_markdown(trial.target_model)}"
        )
        sides = st.columns(2, gap="large")
        for column, title, answer in (
            (sides[0], "Original idea", trial.original),
            (sides[1], "Improved prompt", trial.improved),
        ):
            with column:
                st.markdown(f"**{title}** · {latency_text(answer.latency_ms)}")
                st.caption(f"Tokens: {tokens_text(answer)}")
                st.text(answer.answer or "(no answer)")


# -- versions -----------------------------------------------------------------------------


def version_label(chain: list[PromptRun], run_id: int) -> str:
    number = next(n for n, version in enumerate(chain, start=1) if version.id == run_id)
    return f"Version {number} (run #{run_id})"


def versions_frame(chain: list[PromptRun], shown: int) -> pd.DataFrame:
    """One row per version, oldest first; the one shown and the keeper marked."""
    return pd.DataFrame(
        {
            "version": range(1, len(chain) + 1),
            "run": [version.id for version in chain],
            "when (UTC)": [version.timestamp.replace(tzinfo=None) for version in chain],
            "feedback": [version.feedback or "(first version)" for version in chain],
            "confidence": [version.confidence for version in chain],
            "keeper": ["keeper" if version.keeper else "" for version in chain],
            "shown": ["shown" if version.id == shown else "" for version in chain],
        }
    )


VERSION_COLUMNS = {
    "version": st.column_config.NumberColumn("Version", width="small"),
    "run": st.column_config.NumberColumn("Run", width="small", format="%d"),
    "when (UTC)": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "feedback": st.column_config.TextColumn("Feedback", width="large"),
    "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
    "keeper": st.column_config.TextColumn("Keeper", width="small"),
    "shown": st.column_config.TextColumn("Shown", width="small"),
}


def render_versions(run: PromptRun, chain: list[PromptRun], key: str) -> None:
    """The version chain, "Keep this version", and a word diff between any two versions."""
    st.subheader("Versions")
    st.dataframe(versions_frame(chain, run.id), hide_index=True, column_config=VERSION_COLUMNS)
    slot = f"{key}-keep-outcome"
    if run.keeper:
        st.success(f"{version_label(chain, run.id)} is the keeper.", icon=":material/star:")
    else:
        write_button(
            st.container(),
            "Keep this version",
            icon=":material/star:",
            key=f"{key}-keep",
            slot=slot,
            action=lambda: keep(run.id, chain),
            help="The keeper is the version a person picked; the prompt library exports it.",
        )
    show_outcome(slot)
    if len(chain) < 2:
        st.caption("Refine this run below and its versions can be compared here.")
        return
    ids = [version.id for version in chain]
    shown = ids.index(run.id)
    from_col, to_col = st.columns(2)
    old_id = from_col.selectbox(
        "From",
        ids,
        index=max(shown - 1, 0),
        format_func=lambda run_id: version_label(chain, run_id),
        key=f"{key}-diff-from",
    )
    new_id = to_col.selectbox(
        "To",
        ids,
        index=shown if shown else 1,
        format_func=lambda run_id: version_label(chain, run_id),
        key=f"{key}-diff-to",
    )
    render_diff(chain[ids.index(old_id)], chain[ids.index(new_id)])


def keep(run_id: int, chain: list[PromptRun]) -> str:
    resources.get_service().crafting.keep(run_id)
    return f"{version_label(chain, run_id)} is now the keeper."


def render_diff(old: PromptRun, new: PromptRun) -> None:
    """The word diff of two versions' improved prompts, and which parts changed."""
    diff = word_diff(old.improved_prompt, new.improved_prompt)
    parts = changed_parts(old, new)
    changed = ", ".join(part.replace("_", " ") for part in parts) if parts else "nothing"
    st.caption(
        f"Changed: {changed}. In the prompt: +{plural(diff.added, 'word')} (green), "
        f"-{plural(diff.removed, 'word')} (red, struck out); {diff.similarity:.0%} similar."
    )
    if new.feedback and new.parent_id == old.id:
        st.caption(f"Asked for: {escape_markdown(new.feedback)}")
    with st.container(border=True, height=320):
        st.markdown(diff_markdown(diff) or "—")


# -- refine -------------------------------------------------------------------------------


def render_refine(run: PromptRun, key: str, on_refined: Refined) -> None:
    """Quick feedback buttons and a free-text box; the new version becomes the run shown."""
    st.subheader("Refine")
    st.caption(
        "Say what to change; the next version keeps the rest. It is stored as a new run "
        "with this one as its parent."
    )
    name = job_key(key, "refine")
    if refined := st.session_state.pop(f"refined-{run.id}", None):
        st.success(f"Refined into run #{run.id}, shown above.")
        for warning in refined.warnings:
            st.warning(escape_markdown(warning))
    busy = jobs.running(name) is not None
    buttons = st.columns([len(text) + 8 for text in QUICK_FEEDBACK])  # no label cut short
    for number, (column, text) in enumerate(zip(buttons, QUICK_FEEDBACK, strict=True)):
        column.button(
            text,
            key=f"{key}-quick-{number}",
            disabled=busy,
            width="stretch",
            on_click=start_refine,
            args=(run.id, key, text),
        )
    with st.form(f"{key}-refine-form"):
        st.text_area(
            "Your feedback",
            placeholder="Add a guardrail about rate limits",
            height=80,
            key=f"{key}-feedback",
            help=f"Up to {MAX_FEEDBACK_CHARS:,} characters.",
        )
        st.form_submit_button(
            "Refine",
            icon=":material/edit_note:",
            disabled=busy,
            on_click=start_refine,
            args=(run.id, key),
        )
    show_outcome(f"{key}-refine-outcome")
    result = take_job(key, "refine")
    if result is not None:
        resources.reads_changed()
        on_refined(result)
        st.session_state[f"refined-{result.run.id}"] = result  # said by the new run's view
        st.rerun()  # draw the new version from the top


def start_refine(run_id: int, key: str, feedback: str | None = None) -> None:
    """Check the feedback (typed when None) and refine on a worker (a button callback); bad
    feedback is kept as a one-line error and starts nothing."""
    if feedback is None:
        feedback = st.session_state.get(f"{key}-feedback", "")
    try:
        feedback = validate_feedback(feedback)
    except PromptImpError as error:
        st.session_state[f"{key}-refine-outcome"] = ("error", str(error))
        return
    service, model, author = resources.get_service(), chosen_model(), resources.signed_in_author()
    jobs.start(
        job_key(key, "refine"),
        lambda job: service.crafting.refine(run_id, feedback, model, author),
        "Refining",
    )


# -- tags and the trainset ----------------------------------------------------------------


def render_tags(run: PromptRun, key: str) -> None:
    """The run's tags with Remove, quick tags and a free tag."""
    st.subheader("Tags")
    slot = f"{key}-tag-outcome"
    crafting = resources.get_service().crafting
    if run.tags:
        st.markdown(" ".join(f":blue-badge[{escape_markdown(tag)}]" for tag in run.tags))
    else:
        st.caption("No tags yet.")
    quick = [tag for tag in QUICK_TAGS if tag not in run.tags]
    columns = st.columns(len(QUICK_TAGS) + 2)
    for number, (column, tag) in enumerate(zip(columns, quick, strict=False)):
        write_button(
            column,
            f"Tag {tag}",
            icon=":material/sell:",
            key=f"{key}-quick-tag-{number}",
            slot=slot,
            action=lambda tag=tag: tagged(crafting.tag(run.id, tag), tag),
        )
    with st.form(f"{key}-tag-form", border=False):
        text_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
        text_col.text_input("New tag", placeholder="reviewed", key=f"{key}-new-tag")
        button_col.form_submit_button(
            "Add tag",
            on_click=_write,
            args=(slot, lambda: add_typed_tag(run.id, key)),
        )
    if run.tags:
        remove_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
        remove_col.selectbox("Remove a tag", run.tags, key=f"{key}-remove-tag")
        write_button(
            button_col,
            "Remove tag",
            icon=":material/close:",
            key=f"{key}-remove",
            slot=slot,
            action=lambda: remove_chosen_tag(run.id, key),
        )
    show_outcome(slot)


def tagged(run: PromptRun, tag: str) -> str:
    return f"Tagged run #{run.id} {tag!r}."


def add_typed_tag(run_id: int, key: str) -> str:
    text = st.session_state.get(f"{key}-new-tag", "")
    run = resources.get_service().crafting.tag(run_id, text)
    st.session_state[f"{key}-new-tag"] = ""
    return f"Tagged run #{run.id}; its tags: {', '.join(run.tags)}."


def remove_chosen_tag(run_id: int, key: str) -> str:
    tag = st.session_state.get(f"{key}-remove-tag", "")
    resources.get_service().crafting.untag(run_id, tag)
    return f"Removed the tag {tag!r} from run #{run_id}."


def render_trainset(run: PromptRun, key: str) -> None:
    """ "Add to trainset": few-shot draws demos from the user trainset from then on."""
    st.subheader("Learn from it")
    slot = f"{key}-trainset-outcome"
    write_button(
        st.container(),
        "Add to trainset",
        icon=":material/school:",
        key=f"{key}-trainset",
        slot=slot,
        action=lambda: add_to_trainset(run.id),
        help="A good run becomes an example few-shot can show the model.",
    )
    show_outcome(slot)


def add_to_trainset(run_id: int) -> str:
    crafting = resources.get_service().crafting
    crafting.add_to_trainset(run_id)
    return f"Run #{run_id} was added to the user trainset ({crafting.trainset_path})."
