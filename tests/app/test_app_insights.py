"""The Insights page: headline figures for a known data set, charts, and an empty state."""

import json

from app_helpers import unescape


def charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_headline_figures_of_a_known_data_set(seeded, open_page):
    at = open_page("insights")
    assert {unescape(metric.label): metric.value for metric in at.metric} == {
        "Runs": "4",
        "Average confidence": "0.75",
        "p50 latency": "2,000 ms",
        "p95 latency": "4,000 ms",
        "Confidence ≥ 0.70": "67%",
    }


def test_every_chart_is_drawn_with_its_title(seeded, open_page):
    titles = [spec.get("title") for spec in charts(open_page("insights"))]
    assert titles == [
        "Average confidence per day",
        "Average latency per day (s)",
        "Latency",
        "Confidence",
        "Runs per day",
        None,  # runs per model, beside the table
    ]


def test_the_model_breakdown_lists_each_model(seeded, open_page):
    table = open_page("insights").dataframe[0].value
    assert table.to_dict("list") == {
        "model": ["local/smollm2", "openai/gpt-4o-mini"],
        "runs": [2, 2],
        "average confidence": [0.75, 0.75],
        "average latency (ms)": [3000.0, 2000.0],
    }


def test_the_threshold_comes_from_the_settings(seeded, monkeypatch, open_page):
    monkeypatch.setenv("MIN_CONFIDENCE_THRESHOLD", "0.8")
    figures = {unescape(m.label): m.value for m in open_page("insights").metric}
    assert figures["Confidence ≥ 0.80"] == "33%"


def test_an_empty_database_shows_a_friendly_empty_state(workbench, open_page):
    at = open_page("insights")
    assert not at.exception and not at.error and not at.metric
    assert [info.value for info in at.info] == [
        "No runs yet. Improve a few prompts and their figures and charts appear here."
    ]
