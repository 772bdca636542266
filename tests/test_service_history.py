"""History through the service: reads from `service.history`, every write past the breaker,
"history disabled" one typed error wherever it is asked for."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import pytest

from promptimp.breaker import CircuitBreaker
from promptimp.history.records import EvalReport
from promptimp.models import HistoryDisabledError, StoragePausedError
from promptimp.service import HISTORY_DISABLED
from tests.support import dummy_service

WHEN = datetime(2025, 1, 2, tzinfo=UTC)
REPORT = EvalReport(
    dataset="d",
    backend="zero-shot",
    model="m",
    started=WHEN,
    finished=WHEN,
    score=0.5,
    parts={},
    example_count=0,
)


def test_writes_go_through_the_service_and_count_in_the_breaker(history_store, tmp_path):
    service = dummy_service(tmp_path / "unused.db", store=history_store)
    zero = service.improve("Design a REST API for user management", backend="zero-shot").run
    few = service.improve("Design a REST API for user management", backend="few-shot").run
    assert service.save_comparison(zero.id, few.id, "tie", zero.original_idea) == 1
    assert service.save_eval_report(REPORT).id == 1
    assert service.delete_run(zero.id) is True
    assert service.delete_old_runs(1) == 0
    assert service.history.total_count() == 1
    assert service.history.comparison_win_rates().total == 1


def test_an_open_breaker_holds_every_write_back(tmp_path, make_run):
    service = dummy_service(tmp_path / "h.db")
    stored = service.history.save(make_run())
    service.breaker = CircuitBreaker(1, 300, clock=lambda: 0.0)
    service.breaker.record_failure()
    for write in (
        lambda: service.delete_run(stored.id),
        lambda: service.delete_old_runs(1),
        lambda: service.save_comparison(stored.id, stored.id, "tie", "idea"),
    ):
        with pytest.raises(StoragePausedError, match="paused for 300 s more"):
            write()
    assert (
        service.save_eval_report(REPORT)
        .warnings[0]
        .startswith("Evaluation run not stored: history storage failed 1 times in a row")
    )
    assert service.history.get(stored.id) == stored  # nothing was deleted


def test_disabled_history_is_one_error_for_every_reader_and_writer(tmp_path):
    service = dummy_service(tmp_path / "h.db", SQLITE_ENABLED=False)
    assert not service.history_enabled
    for operation in (
        lambda: service.history,
        lambda: service.delete_run(1),
        lambda: service.save_comparison(1, 2, "tie", "idea"),
    ):
        with pytest.raises(HistoryDisabledError) as caught:
            operation()
        assert str(caught.value) == HISTORY_DISABLED
    assert service.save_eval_report(REPORT).warnings == ("History is disabled; not stored.",)
    assert list(tmp_path.iterdir()) == []


def test_runs_are_recorded_as_made_by_the_signed_in_user_else_the_configured_one(tmp_path):
    service = dummy_service(tmp_path / "h.db", PROMPTIMP_USER="ana")
    signed_in = service.improve("Design a REST API", author="bea@example.org").run
    configured = service.improve("Design a REST API").run
    assert (signed_in.author, configured.author) == ("bea@example.org", "ana")
    assert [run.author for run in service.history.query(sort="timestamp asc")] == [
        "bea@example.org",
        "ana",
    ]
    os_user = dummy_service(tmp_path / "other.db").improve("Design a REST API").run
    assert os_user.author == getpass.getuser()
