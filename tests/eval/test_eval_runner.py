"""Evaluation runs through the service on DummyLM: stored rows, progress and failures."""

from __future__ import annotations

import pytest

from eval.datasets import load_dataset, parse_dataset
from eval.metrics import score_prediction
from eval.reports import list_reports, load_report
from eval.runner import UNEXPECTED_ERROR, evaluate_backend, evaluate_backends, judge_for
from promptimp.models import InputError
from promptimp.settings import Settings
from tests.support import query


@pytest.fixture
def three(devset):
    return load_dataset(devset)[:3]


def test_a_run_over_three_examples_stores_prompt_runs_and_the_evaluation(service, three, db_path):
    report = evaluate_backend(service, three, "zero-shot", dataset="data/devset.jsonl")
    assert report.id == 1
    assert (report.backend, report.model, report.example_count) == (
        "zero-shot",
        "openai/test-model",
        3,
    )
    assert [r.prompt_run_id for r in report.results] == [1, 2, 3]
    assert [r.example_index for r in report.results] == [0, 1, 2]
    assert service.history.total_count() == 3
    for example, result in zip(three, report.results, strict=True):
        stored = service.history.get(result.prompt_run_id)
        assert stored.original_idea == example.original_idea
        assert result.score == score_prediction(example, stored).score
    assert report.score == pytest.approx(sum(r.score for r in report.results) / 3)
    assert query(db_path, "SELECT id, dataset, backend, model, example_count FROM eval_runs") == [
        (1, "data/devset.jsonl", "zero-shot", "openai/test-model", 3)
    ]
    assert query(
        db_path, "SELECT eval_run_id, example_index, prompt_run_id, error FROM eval_results"
    ) == [(1, 0, 1, ""), (1, 1, 2, ""), (1, 2, 3, "")]


def test_a_stored_run_loads_back_equal(service, three):
    report = evaluate_backend(service, three, "zero-shot", dataset="devset")
    loaded = load_report(service.history, report.id)
    assert loaded == report
    assert list_reports(service.history) == [report.model_copy(update={"results": ()})]


def test_both_backends_report_one_progress_count(service, three):
    seen = []
    reports = evaluate_backends(
        service,
        three,
        ["zero-shot", "few-shot"],
        dataset="devset",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [(r.id, r.backend) for r in reports] == [(1, "zero-shot"), (2, "few-shot")]
    assert seen == [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]
    assert [run.backend.value for run in service.history.recent()] == ["few-shot"] * 3 + [
        "zero-shot"
    ] * 3


def test_threads_keep_the_examples_in_order(service, devset):
    examples = load_dataset(devset)[:5]
    seen = []
    report = evaluate_backend(
        service,
        examples,
        "zero-shot",
        dataset="devset",
        threads=2,
        progress=lambda done, total: seen.append(done),
    )
    assert seen == [2, 4, 5]
    assert [r.example_index for r in report.results] == [0, 1, 2, 3, 4]
    assert [r.original_idea for r in report.results] == [e.original_idea for e in examples]


def test_the_local_model_runs_one_example_at_a_time(make_service, db_path, devset, answer):
    parts = {key: value for key, value in answer.items() if key != "improved_prompt"}
    service = make_service(db_path, [parts] * 2, LLM_PROVIDER="local")
    seen = []
    evaluate_backend(
        service,
        load_dataset(devset)[:1] * 2,
        "zero-shot",
        dataset="devset",
        threads=4,
        progress=lambda done, total: seen.append(done),
    )
    assert seen == [1, 2]


def test_an_example_the_service_refuses_scores_zero_and_the_run_goes_on(service):
    examples = parse_dataset('{"idea": "abc"}\n{"idea": "Write a haiku about rain"}')
    report = evaluate_backend(service, examples, "zero-shot", dataset="mixed")
    failed, passed = report.results
    assert failed.error == "The idea must be at least 5 characters long."
    assert (failed.score, failed.prompt_run_id) == (0.0, None)
    assert set(failed.parts.values()) == {0.0}
    assert passed.error == "" and passed.prompt_run_id == 1 and passed.score > 0
    assert load_report(service.history, report.id).results[0].error == failed.error


def test_an_unexpected_failure_is_recorded_not_raised(service, monkeypatch, three):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "improve", broken)
    report = evaluate_backend(service, three[:1], "zero-shot", dataset="devset")
    assert [(r.score, r.error) for r in report.results] == [(0.0, UNEXPECTED_ERROR)]


def test_with_history_off_the_report_comes_back_with_a_warning(make_service, db_path, three):
    service = make_service(db_path, SQLITE_ENABLED=False)
    report = evaluate_backend(service, three[:1], "zero-shot", dataset="devset")
    assert report.id is None and report.results[0].prompt_run_id is None
    assert report.warnings == ("History is disabled; not stored.",)
    assert not db_path.exists()


def test_an_unwritable_database_keeps_the_report_and_warns(make_service, tmp_path, three):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    service = make_service(blocker / "h.db")
    report = evaluate_backend(service, three[:1], "zero-shot", dataset="devset")
    assert report.id is None and report.example_count == 1
    assert report.warnings[0].startswith("Evaluation run not stored: Cannot open history database")


def test_no_examples_and_unknown_backends_are_input_errors(service, three):
    with pytest.raises(InputError, match="no examples"):
        evaluate_backend(service, [], "zero-shot", dataset="empty")
    with pytest.raises(InputError, match="Unknown backend 'three-shot'"):
        evaluate_backend(service, three, "three-shot", dataset="devset")


def test_the_judge_needs_a_hosted_model(db_path):
    with pytest.raises(InputError, match="The LLM judge needs a hosted model"):
        judge_for(Settings(LLM_PROVIDER="local", SQLITE_DB_PATH=str(db_path)))
    assert judge_for(Settings(LLM_PROVIDER="openai", SQLITE_DB_PATH=str(db_path))).lm is not None


def test_a_deleted_prompt_run_leaves_its_result_without_text(service, three):
    report = evaluate_backend(service, three[:1], "zero-shot", dataset="devset")
    service.delete_run(report.results[0].prompt_run_id)
    (result,) = load_report(service.history, report.id).results
    assert (result.prompt_run_id, result.original_idea, result.improved_prompt) == (1, "", "")
