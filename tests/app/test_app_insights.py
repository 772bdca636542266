"""The Insights page: headline figures for a known data set, charts, and an empty state."""

import json
from datetime import date

import pytest
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


def test_one_run_reads_as_one_day_in_a_week_and_a_latency_range_a_second_wide(
    store, make_run, open_page
):
    store.save(make_run(latency_ms=172_318))
    specs = {spec.get("title"): spec for spec in charts(open_page("insights"))}
    days = specs["Runs per day"]["encoding"]["x"]
    start, end = (date(d["year"], d["month"], d["date"]) for d in days["scale"]["domain"])
    assert (end - start).days == 7
    assert days["axis"]["tickCount"] == {"interval": "day", "step": 1}
    latency = specs["Latency"]["encoding"]["x"]["scale"]["domain"]
    assert latency[1] - latency[0] == pytest.approx(1.0)
    assert latency[0] < 172.318 < latency[1]
    line = specs["Average confidence per day"]
    assert [layer["mark"]["type"] for layer in line["layer"]] == ["line", "text"]  # a labelled dot
