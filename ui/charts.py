"""Altair charts of stored runs that read well with one run, one day or months of runs.

Time axes get an explicit daily scale: at least MIN_DAYS wide (one day of data is one bar
among empty days, not a bar the width of the chart) and ticks on whole days, weeks, months or
years, chosen by the span, so no label repeats. Distributions come pre-binned from the store;
`spread_bins` widens a range too narrow to read (one run, or runs of equal latency).
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

MIN_DAYS = 7
POINTS_UP_TO_DAYS = 60  # beyond this, points on the lines only clutter
LABELS_UP_TO_DAYS = 7  # with this few days, each point also shows its value
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")
TICKS = (  # (longest span in days, tick interval, label format)
    (14, "day", "%b %-d"),
    (98, "week", "%b %-d"),
    (730, "month", "%b %Y"),
)


def day_axis(days: pd.Series, field: str = "day") -> alt.X:
    """A temporal x for calendar days: padded to MIN_DAYS, ticks by the span of the data."""
    first, last = days.min().date(), days.max().date()
    span = (last - first).days + 1
    pad = max(0, MIN_DAYS - span)
    start = first - timedelta(days=pad // 2)
    end = last + timedelta(days=pad - pad // 2 + 1)  # the last day's band ends a day later
    interval, label_format = next(
        ((unit, fmt) for longest, unit, fmt in TICKS if span <= longest), ("year", "%Y")
    )
    return alt.X(
        field,
        type="temporal",
        title=None,
        scale=alt.Scale(domain=[_datetime(start), _datetime(end)]),
        axis=alt.Axis(
            format=label_format, tickCount={"interval": interval, "step": 1}, labelAngle=0
        ),
    )


def _datetime(day: date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day)


def daily_line(
    daily: pd.DataFrame, field: str, title: str, number_format: str, color: alt.Color, y_scale
) -> alt.LayerChart | alt.Chart | None:
    """A line per backend of a daily figure, with points and values when there are few days;
    None when no day has the figure."""
    daily = daily.dropna(subset=[field])
    if daily.empty:
        return None
    days = daily["day"].nunique()
    base = alt.Chart(daily).encode(
        x=day_axis(daily["day"]),
        y=alt.Y(f"{field}:Q", title=None, scale=y_scale, axis=alt.Axis(format=number_format)),
        color=color,
        tooltip=[
            alt.Tooltip("day:T", title="day", format="%Y-%m-%d"),
            alt.Tooltip("backend:N"),
            alt.Tooltip(f"{field}:Q", title=title.lower(), format=number_format),
            alt.Tooltip("runs:Q", format=",d"),
        ],
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=60) if days <= POINTS_UP_TO_DAYS else False)
    if days > LABELS_UP_TO_DAYS:
        return line.properties(title=title)
    labels = base.mark_text(align="left", dx=7, dy=-7).encode(
        text=alt.Text(f"{field}:Q", format=number_format)
    )
    return alt.layer(line, labels).properties(title=title)


def runs_per_day(daily: pd.DataFrame, color: alt.Color) -> alt.Chart:
    """Stacked bars of runs per day and backend, each a day wide."""
    return (
        alt.Chart(daily, title="Runs per day")
        .mark_bar()
        .encode(
            x=day_axis(daily["day"], "yearmonthdate(day)"),
            y=alt.Y("runs:Q", title="runs", axis=COUNT_AXIS),
            color=color,
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="day", format="%Y-%m-%d"),
                alt.Tooltip("backend:N"),
                alt.Tooltip("runs:Q", format=",d"),
            ],
        )
    )


def spread_bins(bins: list[dict], min_span: float) -> list[dict]:
    """`bins` (lower, upper, count; equal width) re-cut to cover at least `min_span`.

    The wider range is centred on the data and has as many bins; each count moves to the new
    bin holding its old bin's middle. Wide enough bins come back as they were.
    """
    if not bins:
        return bins
    low, high = bins[0]["lower"], bins[-1]["upper"]
    if high - low >= min_span:
        return bins
    width = min_span / len(bins)
    start = (low + high) / 2 - min_span / 2
    counts = [0] * len(bins)
    for old in bins:
        middle = (old["lower"] + old["upper"]) / 2
        counts[min(int((middle - start) / width), len(bins) - 1)] += old["count"]
    return [
        {"lower": start + index * width, "upper": start + (index + 1) * width, "count": count}
        for index, count in enumerate(counts)
    ]


def distribution(bins: list[dict], title: str, axis: str, number_format: str) -> alt.Chart | None:
    """Bars of pre-binned counts over the bins' own range; None without bins."""
    if not bins:
        return None
    frame = pd.DataFrame(bins)
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(
                "lower:Q",
                bin="binned",
                title=axis,
                scale=alt.Scale(domain=[bins[0]["lower"], bins[-1]["upper"]], nice=False),
                axis=alt.Axis(format=number_format),
            ),
            x2="upper:Q",
            y=alt.Y("count:Q", title="runs", axis=COUNT_AXIS),
            tooltip=[
                alt.Tooltip("lower:Q", title="from", format=number_format),
                alt.Tooltip("upper:Q", title="to", format=number_format),
                alt.Tooltip("count:Q", title="runs", format=",d"),
            ],
        )
    )
