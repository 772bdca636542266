"""Chart scales that read well with one run, one day and months of runs (ui/charts.py)."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import pytest

from ui.charts import MIN_DAYS, day_axis, spread_bins


def axis_of(days: list[date]) -> dict:
    return day_axis(pd.Series(pd.to_datetime(days))).to_dict()


def domain_days(axis: dict) -> int:
    start, end = (date(d["year"], d["month"], d["date"]) for d in axis["scale"]["domain"])
    return (end - start).days


def test_one_day_sits_in_a_week_with_one_tick_a_day():
    axis = axis_of([date(2026, 12, 1)])
    assert domain_days(axis) == MIN_DAYS
    assert axis["axis"]["tickCount"] == {"interval": "day", "step": 1}
    assert axis["axis"]["format"] == "%b %-d"  # "Dec 1", never a time of day


@pytest.mark.parametrize(
    ("span_days", "interval", "label_format"),
    [(10, "day", "%b %-d"), (90, "week", "%b %-d"), (400, "month", "%b %Y"), (1500, "year", "%Y")],
)
def test_ticks_follow_the_span(span_days, interval, label_format):
    first = date(2026, 1, 1)
    axis = axis_of([first, first + timedelta(days=span_days - 1)])
    assert domain_days(axis) == span_days
    assert axis["axis"]["tickCount"]["interval"] == interval
    assert axis["axis"]["format"] == label_format


def test_bins_of_one_value_are_widened_around_it():
    one_run = [
        {"lower": 172_318 + i * 0.05, "upper": 172_318 + (i + 1) * 0.05, "count": 0}
        for i in range(20)
    ]
    one_run[0]["count"] = 1
    spread = spread_bins(one_run, 1000.0)
    assert len(spread) == 20
    assert spread[-1]["upper"] - spread[0]["lower"] == pytest.approx(1000.0)
    assert spread[0]["lower"] < 172_318 < spread[-1]["upper"]
    assert [b["count"] for b in spread].count(1) == 1 and sum(b["count"] for b in spread) == 1


def test_wide_bins_are_kept_as_they_are():
    bins = [{"lower": 0.0, "upper": 5.0, "count": 3}, {"lower": 5.0, "upper": 10.0, "count": 4}]
    assert spread_bins(bins, 1.0) is bins


def test_the_day_axis_is_valid_vega_lite():
    days = pd.Series(pd.to_datetime(["2026-12-01"]))
    chart = alt.Chart(pd.DataFrame({"day": days, "runs": [1]}))
    spec = chart.mark_bar().encode(x=day_axis(days), y="runs:Q").to_dict(validate=True)
    assert spec["encoding"]["x"]["type"] == "temporal"
