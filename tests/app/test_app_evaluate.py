"""The Evaluate page's layout: the uploader only when asked for, one copy of the latest run,
examples counted from 1."""

import pyarrow as pa
from app_helpers import click


def examples_charted(at) -> list[int]:
    """The example numbers of the page's only chart (its data travels as Arrow bytes)."""
    (chart,) = at.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    table = pa.ipc.open_stream(dataset.data.data).read_all()
    return sorted(set(table.column("example").to_pylist()))


def test_the_upload_box_shows_only_for_an_uploaded_dataset(workbench, open_page):
    at = open_page("evaluate")
    assert at.radio(key="eval_source").value == "data/devset.jsonl (bundled)"
    assert not at.get("file_uploader")
    at = at.radio(key="eval_source").set_value("Upload a JSONL file").run()
    assert len(at.get("file_uploader")) == 1


def test_the_latest_run_is_shown_once_with_examples_counted_from_one(workbench, open_page):
    at = open_page("evaluate")
    at.number_input(key="eval_limit").set_value(2)
    at = click(at, "Run evaluation")
    assert not at.exception and not at.error
    assert examples_charted(at) == [1, 2]  # one chart: the past runs do not repeat it
    assert "These two runs are the latest evaluation, compared above." in [
        caption.value for caption in at.caption
    ]
    assert [m.label for m in at.metric].count("#1 zero-shot") == 1
