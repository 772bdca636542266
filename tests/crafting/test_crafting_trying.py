"""Trying prompts: DummyLM for the wiring, a local OpenAI-style server for litellm's usage."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dspy.utils import DummyLM

from promptimp.crafting.trying import original_prompt, try_prompt, try_run
from promptimp.lm import build_lm
from promptimp.models import InputError
from promptimp.settings import Settings

USAGE = {"prompt_tokens": 21, "completion_tokens": 8, "total_tokens": 29}


class _ChatCompletions(BaseHTTPRequestHandler):
    """An OpenAI-style chat endpoint answering every request with one text and USAGE."""

    received: list[dict] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        request = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
        self.received.append(request)
        body = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": request["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Here are the endpoints."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": USAGE,
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def provider():
    """(base URL, the requests it received) of a provider on 127.0.0.1."""
    handler = type("Handler", (_ChatCompletions,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler.received
    server.shutdown()
    server.server_close()


def test_try_prompt_on_a_provider_reports_its_answer_and_token_counts(provider):
    base_url, received = provider
    settings = Settings(LLM_PROVIDER="openai", LLM_BASE_URL=base_url, OPENAI_API_KEY="sk-test-0000")
    answer = try_prompt(build_lm(settings), "You are an API architect. Design the endpoints.")
    assert answer.answer == "Here are the endpoints."
    assert (answer.prompt_tokens, answer.completion_tokens) == (21, 8)
    assert answer.latency_ms >= 0
    sent = received[-1]["messages"]
    assert sent == [{"role": "user", "content": "You are an API architect. Design the endpoints."}]


def test_a_token_budget_reaches_the_request_and_none_leaves_the_lm_limit(provider):
    base_url, received = provider
    settings = Settings(LLM_PROVIDER="openai", LLM_BASE_URL=base_url, OPENAI_API_KEY="sk-test-0000")
    lm = build_lm(settings)
    try_prompt(lm, "Design the endpoints.", max_tokens=50)
    try_prompt(lm, "Design the endpoints.")
    assert [request.get("max_tokens") for request in received[-2:]] == [50, 2000]


def test_try_prompt_sends_one_user_message_with_the_cache_off():
    lm = DummyLM([{"answer": "first"}, {"answer": "second"}])
    first, second = try_prompt(lm, "Same prompt"), try_prompt(lm, "Same prompt")
    assert first.answer.endswith("first") and second.answer.endswith("second")
    assert [entry["kwargs"].get("cache") for entry in lm.history] == [False, False]
    assert lm.history[-1]["prompt"] == "Same prompt"
    assert first.prompt == "Same prompt"


def test_a_blank_prompt_is_refused():
    with pytest.raises(InputError, match="no prompt to try"):
        try_prompt(DummyLM([{"answer": "x"}]), "  \n")


def test_try_run_tries_the_improved_prompt_and_the_idea_as_typed(make_run):
    run = make_run(id=7)
    lm = DummyLM([{"answer": "to the idea"}, {"answer": "to the prompt"}])
    trial = try_run(lm, run)
    assert trial.run_id == 7 and trial.id is None and trial.target_model == "dummy"
    assert trial.original.prompt == f"{run.original_idea}\n\n{run.context}"
    assert trial.improved.prompt == run.improved_prompt
    assert trial.original.answer.endswith("to the idea")
    assert trial.improved.answer.endswith("to the prompt")
    assert try_run(DummyLM([{"a": "1"}, {"a": "2"}]), run, "local/x").target_model == "local/x"


def test_the_original_prompt_is_the_idea_alone_without_context(make_run):
    assert original_prompt(make_run(context="  ")) == "Design a REST API for user management"


def test_an_unstored_run_cannot_be_tried(make_run):
    with pytest.raises(InputError, match="Only a stored run"):
        try_run(DummyLM([{"answer": "x"}]), make_run())
