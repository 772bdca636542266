"""Evaluate: score the backends on a dataset, chart them, and compare evaluation runs."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from eval.datasets import BUNDLED_DEVSET, load_dataset, parse_dataset
from eval.metrics import PART_DESCRIPTIONS
from eval.reports import compare_reports, list_reports, load_report
from eval.runner import evaluate_backends
from promptimp.history.records import EvalReport
from promptimp.models import BackendType, InputError, PromptImpError
from promptimp.text import plural
from ui import trainset_eval
from ui.resources import READ_TTL_S, get_service, history, history_enabled, reads_changed
from ui.text import escape_markdown

BUNDLED = "data/devset.jsonl (bundled)"
UPLOAD = "Upload a JSONL file"
SHOWN_DIFFERENCES = 3
PAST_RUNS = 100


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def past_runs(limit: int) -> list[EvalReport]:
    return list_reports(history(), limit)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def stored_report(run_id: int) -> EvalReport:
    return load_report(history(), run_id)


def part_label(name: str) -> str:
    """A score part's name for people: "no_filler" -> "No filler"."""
    return name.replace("_", " ").capitalize()


def label(report: EvalReport) -> str:
    return report.backend if report.id is None else f"#{report.id} {report.backend}"


def read_examples(source: str, upload: UploadedFile | None) -> tuple[str, list]:
    """The chosen dataset's name and examples; an InputError says what is wrong."""
    if source == BUNDLED:
        return "data/devset.jsonl", load_dataset(BUNDLED_DEVSET)
    if upload is None:
        raise InputError("Choose a JSONL file to upload, or use the bundled devset.")
    return upload.name, parse_dataset(upload.getvalue(), source=upload.name)


def dataset_choice() -> tuple[str, UploadedFile | None]:
    """The dataset radio, and the uploader when an uploaded dataset is chosen."""
    source = st.radio("Dataset", [BUNDLED, UPLOAD], horizontal=True, key="eval_source")
    upload = None
    if source == UPLOAD:
        upload = st.file_uploader(
            "JSONL file (one object per line with an `idea`)", type="jsonl", key="eval_upload"
        )
    return source, upload


def run_form(source: str, upload: UploadedFile | None) -> None:
    """The backend/limit form; a submitted run lands in the session state."""
    with st.form("evaluate"):
        choices = [b.value for b in BackendType]
        backends = st.multiselect("Backends", choices, default=choices, key="eval_backends")
        limit_col, threads_col = st.columns(2)
        limit = limit_col.number_input("Examples (the first N)", 1, 10_000, 5, key="eval_limit")
        threads = threads_col.number_input("Threads", 1, 16, 1, key="eval_threads")
        submitted = st.form_submit_button("Run evaluation", type="primary")
    if not submitted:
        return
    if not backends:
        st.error("Pick at least one backend.")
        return
    try:
        name, examples = read_examples(source, upload)
        bar = st.progress(0.0, text="Evaluating…")
        reports = evaluate_backends(
            get_service(),
            examples[: int(limit)],
            backends,
            dataset=name,
            threads=int(threads),
            progress=lambda done, total: bar.progress(
                done / total, f"{done:,} of {plural(total, 'example')}"
            ),
        )
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
        return
    bar.empty()
    st.session_state["eval_reports"] = reports
    past_runs.clear()
    reads_changed()


def render_scores(reports: list[EvalReport]) -> None:
    """Composite per run, each part in a table, per-example scores in a chart."""
    for column, report in zip(st.columns(len(reports)), reports, strict=True):
        column.metric(label(report), f"{report.score:.3f}")
        column.caption(
            f"{plural(report.example_count, 'example')} · {report.seconds:.1f} s · "
            + escape_markdown(report.model)
        )
        for warning in report.warnings:
            column.warning(escape_markdown(warning))
    parts = pd.DataFrame({label(r): r.parts for r in reports})
    parts["what it measures"] = [PART_DESCRIPTIONS.get(name, "") for name in parts.index]
    parts.index = [part_label(name) for name in parts.index]
    st.dataframe(
        parts,
        column_config={
            "_index": st.column_config.TextColumn("Part"),
            "what it measures": st.column_config.TextColumn("What it measures"),
            **{label(r): st.column_config.NumberColumn(format="%.3f") for r in reports},
        },
    )
    scores = pd.DataFrame(
        [
            {"example": result.example_index + 1, "run": label(report), "score": result.score}
            for report in reports
            for result in report.results
        ]
    )
    chart = (
        alt.Chart(scores)
        .mark_line(point=True)
        .encode(
            x=alt.X("example:O", title="Example", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("run:N", title="run"),
            tooltip=["run", "example", alt.Tooltip("score:Q", format=".3f")],
        )
    )
    st.altair_chart(chart, width="stretch")


def render_comparison(first: EvalReport, second: EvalReport) -> None:
    """Wins, part deltas and the examples where the two runs differ most, side by side."""
    comparison = compare_reports(first, second)
    wins = st.columns(4)
    wins[0].metric(f"{label(second)} − {label(first)}", f"{comparison.score_delta:+.3f}")
    wins[1].metric(f"{label(first)} wins", comparison.first_wins)
    wins[2].metric(f"{label(second)} wins", comparison.second_wins)
    wins[3].metric("ties", comparison.ties)
    deltas = pd.DataFrame({"delta": comparison.part_deltas})
    deltas.index = [part_label(name) for name in deltas.index]
    st.dataframe(
        deltas,
        column_config={
            "_index": st.column_config.TextColumn("Part"),
            "delta": st.column_config.NumberColumn(
                f"{label(second)} − {label(first)}", format="%+.3f"
            ),
        },
    )
    differing = [d for d in comparison.examples if d.delta][:SHOWN_DIFFERENCES]
    if differing:
        st.markdown("**Where they differ most**")
    for diff in differing:
        st.caption(f"Example {diff.example_index + 1}")
        st.text(diff.original_idea)
        left, right = st.columns(2)
        left.caption(f"{label(first)} · {diff.first_score:.3f}")
        left.code(diff.first_prompt, language=None, wrap_lines=True)
        right.caption(f"{label(second)} · {diff.second_score:.3f}")
        right.code(diff.second_prompt, language=None, wrap_lines=True)


def past_runs_section(shown_above: set[int | None]) -> None:
    """Stored evaluation runs and a compare view over any two of them."""
    st.subheader("Past evaluation runs")
    if not history_enabled():
        st.info("History is turned off (SQLITE_ENABLED=false), so runs are not kept.")
        return
    runs = past_runs(PAST_RUNS)
    if not runs:
        st.info("No evaluation runs yet. Run one above, or `promptimp eval run` in a terminal.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "id": [r.id for r in runs],
                "started (UTC)": [r.started.replace(tzinfo=None) for r in runs],
                "dataset": [r.dataset for r in runs],
                "backend": [r.backend for r in runs],
                "model": [r.model for r in runs],
                "examples": [r.example_count for r in runs],
                "score": [r.score for r in runs],
            }
        ),
        hide_index=True,
        column_config={
            "id": st.column_config.NumberColumn("Run", format="%d", width="small"),
            "started (UTC)": st.column_config.DatetimeColumn(
                "Started (UTC)", format="YYYY-MM-DD HH:mm"
            ),
            "dataset": st.column_config.TextColumn("Dataset"),
            "backend": st.column_config.TextColumn("Backend"),
            "model": st.column_config.TextColumn("Model"),
            "examples": st.column_config.NumberColumn("Examples"),
            "score": st.column_config.ProgressColumn(
                "Score", min_value=0.0, max_value=1.0, format="%.3f"
            ),
        },
    )
    if len(runs) < 2:
        return
    names = {r.id: f"#{r.id} {r.backend} · {r.dataset} · {r.started:%Y-%m-%d %H:%M}" for r in runs}
    first_col, second_col = st.columns(2)
    first = first_col.selectbox(
        "Baseline", list(names), index=1, format_func=names.get, key="eval_first"
    )
    second = second_col.selectbox(
        "Compared with", list(names), index=0, format_func=names.get, key="eval_second"
    )
    if first == second:
        st.info("Pick two different runs to compare.")
        return
    if {first, second} == shown_above:
        st.caption("These two runs are the latest evaluation, compared above.")
        return
    pair = [stored_report(first), stored_report(second)]
    render_scores(pair)
    render_comparison(*pair)


st.title("Evaluate")
st.caption(
    "Score zero-shot and few-shot on a dataset. Every example is improved by the service (and "
    "stored in the history); the score is a weighted mean of the parts below, each in [0, 1]."
)
source, upload = dataset_choice()
run_form(source, upload)
latest = st.session_state.get("eval_reports")
if latest:
    st.subheader("Latest evaluation")
    render_scores(latest)
    if len(latest) == 2:
        render_comparison(*latest)
st.divider()
trainset_eval.section(lambda: read_examples(source, upload), part_label)
st.divider()
past_runs_section({report.id for report in latest or ()})
