"""The litellm path of promptimp.lm against a real OpenAI-compatible server.

llama-cpp-python's own server (`python -m llama_cpp.server`) serves the bundled model. The
service talks to it exactly as to OpenAI (provider "openai", LLM_BASE_URL, LLM_API_KEY) with its
default ChatAdapter. A 135M model does not follow ChatAdapter's `[[ ## field ## ]]` format on its
own, so the request carries a GBNF grammar of that format in the body (`extra_body`, the server's
own grammar support): the answer then always parses, and every field comes back valid.
Without it, the answer is valid or a one-line ModelError.
"""

import sys
from pathlib import Path

import pytest

from promptimp.improver import ImprovePrompt
from promptimp.lm import build_lm
from promptimp.local.model_file import bundled_model_path
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, ModelError
from promptimp.service import ImproveService
from promptimp.settings import Settings
from tests.support import free_port, running_server

ALIAS = "smollm2-135m-instruct"
START_TIMEOUT_S = 120
SERVER = (
    "from promptimp.local.model import use_plain_cpu_buffers\n"
    "use_plain_cpu_buffers()\n"
    "import runpy\n"
    "runpy.run_module('llama_cpp.server', run_name='__main__')\n"
)
"""llama.cpp's server, loading the model the way the embedded engine does (no AMX buffers)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The base URL of a llama.cpp server on the bundled model, and its log file."""
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    port = free_port()
    command = [
        sys.executable, "-c", SERVER, "--model", str(bundled_model_path()),
        "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096", "--n_threads", "1", "--n_threads_batch", "1",
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    root = Path(__file__).resolve().parent.parent
    ready = f"{base_url}/models"
    with running_server(command, ready, log_path, timeout_s=START_TIMEOUT_S, cwd=root):
        yield base_url, log_path


def chat_format_grammar(signature) -> str:
    """GBNF for ChatAdapter's answer format: each output field under its `[[ ## name ## ]]`."""
    values = {
        str: "text",
        float: '("0." [0-9] | "1.0")',
        list[str]: '"[" item ", " item ", " item (", " item)? (", " item)? "]"',
    }
    sections = [
        f'"[[ ## {name} ## ]]\\n" '
        + ("framework" if name == "framework" else values[field.annotation])
        + ' "\\n\\n"'
        for name, field in signature.output_fields.items()
    ]
    frameworks = " | ".join(f'"{framework}"' for framework in FRAMEWORKS)
    return "\n".join(
        [
            "root ::= " + " ".join(sections) + ' "[[ ## completed ## ]]"',
            r'char ::= [^\n\r"\\\[\]{}<>]',
            "text ::= [A-Za-z] char{2,200}",
            'item ::= "\\"" [A-Za-z] char{2,120} "\\""',
            f"framework ::= {frameworks}",
        ]
    )


def server_settings(base_url: str, tmp_path) -> Settings:
    return Settings(
        LLM_PROVIDER="openai",
        LLM_BASE_URL=base_url,
        LLM_MODEL=ALIAS,
        LLM_API_KEY="sk-local",
        SQLITE_DB_PATH=str(tmp_path / "history.db"),
    )


def posts(log_path) -> int:
    return log_path.read_text().count("POST /v1/chat/completions")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_service_improves_through_litellm_and_a_real_server(server, tmp_path):
    base_url, log_path = server
    settings = server_settings(base_url, tmp_path)
    lm = build_lm(settings).copy(extra_body={"grammar": chat_format_grammar(ImprovePrompt)})
    before = posts(log_path)
    result = ImproveService(settings, lm=lm).improve("Design a REST API for user management")

    run = result.run
    assert result.stored and run.model_version == f"openai/{ALIAS}"
    assert run.role and run.directive and run.reasoning and run.improved_prompt
    assert run.framework in FRAMEWORKS
    assert MIN_GUARDRAILS <= len(run.guardrails) <= MAX_GUARDRAILS
    assert run.confidence is not None and 0.0 <= run.confidence <= 1.0
    assert posts(log_path) == before + 1  # parsed at the first answer


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_unconstrained_answers_come_back_valid_or_as_a_model_error(server, tmp_path):
    """Without the grammar the small model rarely keeps ChatAdapter's format: DSPy then retries
    with JSONAdapter, and a failure is a one-line ModelError naming provider and model."""
    base_url, log_path = server
    settings = server_settings(base_url, tmp_path)
    lm = build_lm(settings).copy(max_tokens=400)  # bounds the time free text can take
    before = posts(log_path)
    try:
        run = ImproveService(settings, lm=lm).improve("Write a haiku about the sea").run
    except ModelError as error:
        assert str(error).startswith(f"The language model openai/{ALIAS} failed: ")
        assert "\n" not in str(error)
    else:
        assert run.role and run.directive and run.framework
    assert posts(log_path) > before
