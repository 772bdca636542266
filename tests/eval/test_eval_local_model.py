"""An evaluation run over five devset examples on the embedded local model (slow)."""

from __future__ import annotations

import pytest

from eval.datasets import load_dataset
from eval.reports import load_report
from eval.runner import evaluate_backend
from promptimp.service import ImproveService
from promptimp.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def test_five_devset_examples_on_the_embedded_model(db_path, devset):
    service = ImproveService(Settings(LLM_PROVIDER="local", SQLITE_DB_PATH=str(db_path)))
    report = evaluate_backend(service, load_dataset(devset)[:5], "zero-shot", dataset="devset")
    assert report.id == 1 and report.model == "local/smollm2-135m-instruct"
    assert [r.error for r in report.results] == [""] * 5
    assert [r.prompt_run_id for r in report.results] == [1, 2, 3, 4, 5]
    assert all(0.0 < r.score <= 1.0 for r in report.results)
    # the grammar always gives a known framework, a confidence, reasoning and a prompt; the
    # prompt is assembled from the parts, so role and directive are always in it
    assert report.parts["structure"] >= 4 / 7
    assert report.parts["consistency"] == 1.0
    assert load_report(service.history, report.id) == report
