"""The crafting loop's HTTP API in process: TestClient over DummyLM services on SQLite and
PostgreSQL. Bad input is one line with a 4xx status and changes nothing stored."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from promptimp.api import create_app
from promptimp.service import HISTORY_DISABLED, ImproveService
from promptimp.settings import Settings
from tests.support import ANSWER, crafting_service, crafting_state, dummy_service

IDEA = "Design a REST API for user management"
RUNS = "/api/v1/runs"


@pytest.fixture
def service(history_store, tmp_path):
    """A DummyLM service over each backend's store, with its own user trainset file."""
    return crafting_service(history_store, tmp_path)


@pytest.fixture
def client(service):
    return TestClient(create_app(service), base_url="http://localhost")


@pytest.fixture
def first(client):
    """The id of a stored run of IDEA."""
    response = client.post("/api/v1/improve-prompt", json={"idea": IDEA, "context": "FastAPI"})
    assert response.status_code == 200
    return response.json()["id"]


def test_try_stores_both_answers_and_lists_them_as_the_runs_trials(client, first):
    response = client.post(f"{RUNS}/{first}/try")
    assert response.status_code == 200
    body = response.json()
    assert body["warnings"] == []
    trial = body["trial"]
    assert (trial["run_id"], trial["target_model"]) == (first, "openai/test-model")
    assert trial["original"]["prompt"] == f"{IDEA}\n\nFastAPI"
    assert trial["improved"]["prompt"] == ANSWER["improved_prompt"]
    assert trial["original"]["answer"] and trial["improved"]["answer"]
    second = client.post(f"{RUNS}/{first}/try", json={"model": "openai/test-model"}).json()
    listed = client.get(f"{RUNS}/{first}/trials").json()
    assert [t["id"] for t in listed] == [second["trial"]["id"], trial["id"]]
    assert listed[1] == trial


def test_refine_versions_keep_and_tags_make_the_library(client, first):
    refined = client.post(f"{RUNS}/{first}/refine", json={"feedback": "  Shorter "})
    assert refined.status_code == 200
    second = refined.json()["run"]
    assert (second["parent_id"], second["feedback"]) == (first, "Shorter")
    third = client.post(f"{RUNS}/{second['id']}/refine", json={"feedback": "More formal"}).json()
    chain = client.get(f"{RUNS}/{first}/versions").json()
    assert [run["id"] for run in chain] == [first, second["id"], third["run"]["id"]]

    kept = client.post(f"{RUNS}/{second['id']}/keep").json()
    assert kept["keeper"] is True
    chain = client.get(f"{RUNS}/{third['run']['id']}/versions").json()
    assert [run["keeper"] for run in chain] == [False, True, False]

    assert client.post(f"{RUNS}/{second['id']}/tags", json={"tag": "In Production"}).json()[
        "tags"
    ] == ["in-production"]
    assert client.post(f"{RUNS}/{second['id']}/tags", json={"tag": "tested"}).json()["tags"] == [
        "in-production",
        "tested",
    ]
    entries = client.get("/api/v1/library", params={"format": "json"}).json()
    assert [entry["run_id"] for entry in entries] == [second["id"]]
    assert entries[0]["tags"] == ["in-production", "tested"]
    markdown = client.get("/api/v1/library")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Prompt library\n") and f"\n## {IDEA}\n" in markdown.text

    untagged = client.delete(f"{RUNS}/{second['id']}/tags/tested")
    assert untagged.status_code == 200 and untagged.json()["tags"] == ["in-production"]
    tested = client.get("/api/v1/library", params={"format": "json", "tag": "tested"})
    assert tested.json() == []


def test_stability_stores_each_run_and_reports_the_spread(client, service):
    response = client.post("/api/v1/stability", json={"idea": IDEA, "runs": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["stability"]["runs"] == 3
    assert body["stability"]["role"] == {
        "distinct": 1,
        "most_common": ANSWER["role"].lower(),
        "changed_share": 0.0,
    }
    assert body["stability"]["confidence"]["median"] == pytest.approx(0.82)
    assert len({run["id"] for run in body["runs"]}) == 3
    assert service.history.total_count() == 3


def test_a_run_joins_the_user_trainset_and_leaves_it(client, service, first):
    added = client.post(f"{RUNS}/{first}/trainset")
    assert added.status_code == 200 and added.json()["source_run_id"] == first
    assert [row["source_run_id"] for row in client.get("/api/v1/trainset").json()] == [first]
    assert json.loads(Path(service.crafting.trainset_path).read_text())["idea"] == IDEA
    removed = client.delete(f"/api/v1/trainset/{first}")
    assert removed.status_code == 200 and removed.json()["idea"] == IDEA
    assert client.get("/api/v1/trainset").json() == []


def test_models_lists_the_configured_one_first_then_the_embedded_one(client):
    models = client.get("/api/v1/models").json()
    assert [model["id"] for model in models] == ["openai/test-model", "local/smollm2-135m-instruct"]
    assert models[1]["label"] == "smollm2-135m-instruct (embedded, no network)"


BAD_REQUESTS = [
    ("post", f"{RUNS}/999/try", None, 404, "No run with id 999."),
    ("post", f"{RUNS}/999/refine", {"feedback": "Shorter"}, 404, "No run with id 999."),
    ("get", f"{RUNS}/999/versions", None, 404, "No run with id 999."),
    ("post", f"{RUNS}/999/keep", None, 404, "No run with id 999."),
    ("get", f"{RUNS}/999/trials", None, 404, "No run with id 999."),
    ("post", f"{RUNS}/999/tags", {"tag": "tested"}, 404, "No run with id 999."),
    ("post", f"{RUNS}/999/trainset", None, 404, "No run with id 999."),
    ("delete", "/api/v1/trainset/999", None, 404, "comes from run 999"),
    ("post", f"{RUNS}/{{id}}/refine", {"feedback": "x" * 2001}, 400, "the limit is 2,000"),
    ("post", f"{RUNS}/{{id}}/refine", {"feedback": " \t "}, 400, "The feedback is empty"),
    ("post", f"{RUNS}/{{id}}/refine", r'{"feedback": "\ud800 x"}', 400, "not valid UTF-8"),
    ("post", f"{RUNS}/{{id}}/try", {"model": "nope/none"}, 400, "Unknown model 'nope/none'"),
    ("post", f"{RUNS}/{{id}}/tags", {"tag": "bad\x07tag"}, 400, "control characters"),
    ("post", f"{RUNS}/{{id}}/tags", {"tag": "a/b"}, 400, "remove '/'"),
    ("delete", f"{RUNS}/{{id}}/tags/never-added", None, 400, "has no tag 'never-added'"),
    ("post", "/api/v1/stability", {"idea": IDEA, "runs": 0}, 400, "1 to 10 times, not 0"),
    ("post", "/api/v1/stability", {"idea": IDEA, "runs": 11}, 400, "1 to 10 times, not 11"),
    ("post", "/api/v1/stability", {"idea": "abc", "runs": 2}, 400, "5"),
    ("get", "/api/v1/library?tag=%07", None, 400, "control characters"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    BAD_REQUESTS,
    ids=[f"{m} {p} {s}" for m, p, _, s, _ in BAD_REQUESTS],
)
def test_bad_input_is_one_line_and_changes_nothing(
    client, service, first, method, path, body, status, detail
):
    client.post(f"{RUNS}/{first}/trainset")
    client.post(f"{RUNS}/{first}/tags", json={"tag": "tested"})
    before = crafting_state(service)
    kwargs = {} if body is None else {"json": body}
    if isinstance(body, str):  # JSON text httpx cannot write (a lone surrogate, escaped)
        kwargs = {"content": body, "headers": {"content-type": "application/json"}}
    response = client.request(method, path.replace("{id}", str(first)), **kwargs)
    assert response.status_code == status
    message = response.json()["detail"]
    assert detail in message and "\n" not in message
    assert crafting_state(service) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", f"{RUNS}/0/try", None),
        ("post", f"{RUNS}/{2**63}/keep", None),
        ("post", f"{RUNS}/1/refine", {}),
        ("post", f"{RUNS}/1/refine", {"feedback": "Shorter", "extra": 1}),
        ("post", f"{RUNS}/1/tags", {"tag": 5}),
        ("post", "/api/v1/stability", {"idea": IDEA, "runs": "many"}),
        ("get", "/api/v1/library?format=xml", None),
    ],
)
def test_malformed_requests_are_422_and_change_nothing(client, service, first, method, path, body):
    before = crafting_state(service)
    response = client.request(method, path, **({} if body is None else {"json": body}))
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert crafting_state(service) == before


def test_with_history_disabled_run_endpoints_are_503_and_stability_still_answers(tmp_path):
    service = dummy_service(
        tmp_path / "h.db",
        SQLITE_ENABLED=False,
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user_trainset.jsonl"),
    )
    client = TestClient(create_app(service), base_url="http://localhost")
    for method, path in [
        ("post", f"{RUNS}/1/try"),
        ("get", f"{RUNS}/1/versions"),
        ("post", f"{RUNS}/1/keep"),
        ("get", f"{RUNS}/1/trials"),
        ("post", f"{RUNS}/1/trainset"),
        ("get", "/api/v1/library"),
    ]:
        response = client.request(method, path)
        assert (response.status_code, response.json()) == (503, {"detail": HISTORY_DISABLED})
    response = client.post(f"{RUNS}/1/refine", json={"feedback": "Shorter"})
    assert (response.status_code, response.json()) == (503, {"detail": HISTORY_DISABLED})
    stability = client.post("/api/v1/stability", json={"idea": IDEA, "runs": 2}).json()
    assert [run["id"] for run in stability["runs"]] == [None, None]
    assert list(tmp_path.iterdir()) == []


def test_a_model_that_fails_is_503_for_try_and_refine_and_stores_nothing(tmp_path):
    db_path = tmp_path / "h.db"
    first = dummy_service(db_path).improve(IDEA).run.id
    settings = Settings(
        LLM_PROVIDER="ollama",
        LLM_MODEL="llama3.2",
        LLM_BASE_URL="http://127.0.0.1:9",
        SQLITE_DB_PATH=str(db_path),
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user_trainset.jsonl"),
    )
    service = ImproveService(settings)
    client = TestClient(create_app(service), base_url="http://localhost")
    before = crafting_state(service)
    tried = client.post(f"{RUNS}/{first}/try")
    refined = client.post(f"{RUNS}/{first}/refine", json={"feedback": "Shorter"})
    for response in (tried, refined):
        assert response.status_code == 503
        detail = response.json()["detail"]
        assert detail.startswith("The language model ollama/llama3.2 failed:")
        assert "\n" not in detail
    assert crafting_state(service) == before


def test_a_malformed_user_trainset_is_503_naming_the_file(client, service):
    trainset_path = Path(service.crafting.trainset_path)
    trainset_path.write_text("{not json\n")
    for response in (client.get("/api/v1/trainset"), client.delete("/api/v1/trainset/1")):
        assert response.status_code == 503
        assert str(trainset_path) in response.json()["detail"]


def test_every_crafting_endpoint_is_documented_under_its_tag(client):
    paths = client.get("/openapi.json").json()["paths"]
    documented = {
        (method.upper(), path): operation["tags"]
        for path, operations in paths.items()
        for method, operation in operations.items()
        if path.startswith(("/api/v1/runs", "/api/v1/stability", "/api/v1/library"))
        or path.startswith(("/api/v1/trainset", "/api/v1/models"))
    }
    assert documented == {
        ("POST", "/api/v1/runs/{run_id}/try"): ["crafting"],
        ("GET", "/api/v1/runs/{run_id}/trials"): ["crafting"],
        ("POST", "/api/v1/runs/{run_id}/refine"): ["crafting"],
        ("GET", "/api/v1/runs/{run_id}/versions"): ["crafting"],
        ("POST", "/api/v1/runs/{run_id}/keep"): ["crafting"],
        ("POST", "/api/v1/runs/{run_id}/tags"): ["crafting"],
        ("DELETE", "/api/v1/runs/{run_id}/tags/{tag}"): ["crafting"],
        ("POST", "/api/v1/stability"): ["crafting"],
        ("GET", "/api/v1/library"): ["crafting"],
        ("GET", "/api/v1/models"): ["crafting"],
        ("POST", "/api/v1/runs/{run_id}/trainset"): ["trainset"],
        ("GET", "/api/v1/trainset"): ["trainset"],
        ("DELETE", "/api/v1/trainset/{run_id}"): ["trainset"],
    }
