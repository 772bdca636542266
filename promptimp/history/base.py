"""StoreBase: the history operations written once, over a few primitives each backend has.

A backend implements the SQL (query, count, aggregates, inserts, the rows of an export);
this class turns those into the contract's results: histograms, win rates, CSV/JSON files,
convenience reads. So both backends format, validate and export in exactly one way.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from promptimp.history.filters import COLUMNS, HISTOGRAM_COLUMNS, VERDICTS, RunFilter
from promptimp.history.records import HistogramBin, VerdictShare, WinRates
from promptimp.history.rows import decode_guardrails, decode_tags, json_array_text, text_output
from promptimp.models import PromptRun


class StoreBase:
    """Shared operations; subclasses provide query(), count() and the primitives below."""

    location: str

    # -- primitives every backend implements ---------------------------------------------

    def _value_range(self, column: str) -> tuple[float | None, float | None, int]:
        """MIN, MAX and COUNT of the known values of `column`."""
        raise NotImplementedError

    def _bin_counts(self, column: str, low: float, span: float, bins: int) -> dict[int, int]:
        """Known values per bin index min(floor((value - low) * bins / span), bins - 1)."""
        raise NotImplementedError

    def _verdict_counts(self) -> dict[str, int]:
        """How many comparisons gave each verdict (verdicts never given may be missing)."""
        raise NotImplementedError

    def _insert_comparison(self, row: dict[str, Any]) -> int:
        raise NotImplementedError

    def _stored_rows(self, filters: RunFilter) -> AbstractContextManager[Iterator[dict]]:
        """Matching rows by id, COLUMNS as keys, timestamps as UTC text, guardrails as the
        stored JSON text, tags as a JSON array; streamed, not loaded at once."""
        raise NotImplementedError

    # -- reads defined once ----------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[PromptRun]:
        """Runs whose idea, context or prompt contain every word of `text`, newest first:
        the same as query(RunFilter(text=text)). Any text is safe: operators match literally."""
        return self.query(RunFilter(text=text), limit=limit)

    def recent(
        self, limit: int = 50, offset: int = 0, backend: str | None = None
    ) -> list[PromptRun]:
        """Newest runs first, optionally of one backend."""
        return self.query(RunFilter(backend=backend), limit=limit, offset=offset)

    def between(self, start: datetime, end: datetime) -> list[PromptRun]:
        """Every run with start <= timestamp <= end, oldest first."""
        return self.query(RunFilter(since=start, until=end), sort="timestamp asc", limit=None)

    def total_count(self) -> int:
        """How many runs are stored."""
        return self.count()

    def histogram(self, column: str, bins: int = 20) -> list[HistogramBin]:
        """Counts of known `column` values in `bins` equal-width bins, computed in SQL.

        Every bin, lowest first; the last bin includes its upper edge. Confidence spans
        [0, 1]; latency_ms spans the stored min..max. Empty when no value is known.
        """
        if column not in HISTOGRAM_COLUMNS:
            raise ValueError(f"column must be one of {', '.join(HISTOGRAM_COLUMNS)}")
        if bins < 1:
            raise ValueError(f"bins must be >= 1, got {bins}")
        low, high, known = self._value_range(column)
        if not known or low is None or high is None:
            return []
        if column == "confidence":
            low, high = 0.0, 1.0
        span = (high - low) or 1.0
        counts = self._bin_counts(column, low, span, bins)
        width = span / bins
        return [
            HistogramBin(
                lower=low + index * width,
                upper=low + (index + 1) * width,
                count=counts.get(index, 0),
            )
            for index in range(bins)
        ]

    def comparison_win_rates(self) -> WinRates:
        """Each verdict's wins and share of all comparisons (share None when there are none)."""
        counts = self._verdict_counts()
        total = sum(counts.values())
        return WinRates(
            total=total,
            verdicts={
                verdict: VerdictShare(
                    wins=counts.get(verdict, 0),
                    rate=counts.get(verdict, 0) / total if total else None,
                )
                for verdict in VERDICTS
            },
        )

    # -- writes defined once ---------------------------------------------------------------

    def save_comparison(
        self, zero_shot_run_id: int, few_shot_run_id: int, verdict: str, idea: str
    ) -> int:
        """Record which run of `idea` was better ('zero-shot', 'few-shot' or 'tie'); its id."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        return self._insert_comparison(
            {
                "timestamp": datetime.now(UTC),
                "idea": idea,
                "zero_shot_run_id": zero_shot_run_id,
                "few_shot_run_id": few_shot_run_id,
                "verdict": verdict,
            }
        )

    # -- exports ---------------------------------------------------------------------------

    def export_csv(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int:
        """Stream matching runs (all by default) to CSV, by id; returns the row count.

        The header is COLUMNS; guardrails and tags are JSON arrays (tags sorted), keeper is
        true or false, a missing parent_id is empty; timestamps are UTC text.
        """
        count = 0
        with text_output(target) as out, self._stored_rows(filters or RunFilter()) as rows:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for row in rows:
                row["keeper"] = "true" if row["keeper"] else "false"
                if row["tags"] != "[]":  # most runs have none: skip the decoding
                    row["tags"] = json_array_text(decode_tags(row["tags"]))
                writer.writerow(row.values())
                count += 1
        return count

    def export_json(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int:
        """Stream matching runs (all by default) as a JSON array of objects, by id.

        Guardrails and tags (sorted) are lists, keeper a boolean; timestamps are UTC text.
        Returns the row count.
        """
        count = 0
        with text_output(target) as out, self._stored_rows(filters or RunFilter()) as rows:
            out.write("[")
            for row in rows:
                row["guardrails"], _ = decode_guardrails(row["guardrails"])
                row["keeper"] = bool(row["keeper"])
                row["tags"] = decode_tags(row["tags"])
                out.write(",\n" if count else "\n")
                out.write(json.dumps(row, ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
        return count
