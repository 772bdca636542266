"""What many tests share: the fake model's answer, a service that uses it, and real servers."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path

import dspy
import httpx
import pytest
from dspy.utils import DummyLM

from promptimp.service import ImproveService
from promptimp.settings import Settings

ANSWER = {
    "role": "Senior backend engineer specialising in API design",
    "directive": "Design a versioned REST API for user management with CRUD endpoints.",
    "framework": "decomposition",
    "guardrails": ["Use plural nouns for resources", "Return RFC 7807 errors", "Never log tokens"],
    "reasoning": "An API design task benefits from splitting resources and operations.",
    "confidence": 0.82,
    "improved_prompt": "You are a senior backend engineer.\n\n## Task\nDesign a REST API.",
}
"""Every output field of the ImprovePrompt signature, as a strong provider would give them."""


def dummy_service(
    db_path, answers=None, store=None, program_factory=None, **overrides
) -> ImproveService:
    """A service on DummyLM (an API provider, so the full signature) storing in `db_path`
    (or in `store` when given), running `program_factory`'s programs when given."""
    settings = Settings(
        **{
            "LLM_PROVIDER": "openai",
            "LLM_MODEL": "test-model",
            "SQLITE_DB_PATH": str(db_path),
            **overrides,
        }
    )
    lm = DummyLM(answers if answers is not None else [ANSWER] * 20)
    return ImproveService(
        settings, lm=lm, adapter=dspy.ChatAdapter(), store=store, program_factory=program_factory
    )


STOP_TIMEOUT_S = 15
REPO = Path(__file__).resolve().parent.parent
"""The checkout under test; child processes import promptimp from here, whatever their cwd."""


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process that imports this checkout's promptimp."""
    return {**os.environ, "PYTHONPATH": str(REPO), **overrides}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    """Return once `url` answers 200; fail the test with the log's tail if the server dies first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"server not ready after {timeout_s} s:\n{log_path.read_text()[-2000:]}")


@contextmanager
def running_server(
    command: Sequence[str],
    ready_url: str,
    log_path: Path,
    *,
    timeout_s: float = 60,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[None]:
    """Run `command` (output to `log_path`) until the block ends, once `ready_url` answers 200."""
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(ready_url, process, log_path, timeout_s)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


def writers_then_readers(
    writers: Sequence[BaseProcess],
    readers: Sequence[BaseProcess],
    stop: Event,
    *,
    writer_timeout_s: float,
    reader_timeout_s: float,
) -> tuple[list[int | None], list[int | None]]:
    """Start every process, wait for the writers, then set `stop` and wait for the readers.

    Returns the writers' and the readers' exit codes (None for one still running).
    """
    for process in (*readers, *writers):
        process.start()
    for writer in writers:
        writer.join(timeout=writer_timeout_s)
    stop.set()
    for reader in readers:
        reader.join(timeout=reader_timeout_s)
    return [writer.exitcode for writer in writers], [reader.exitcode for reader in readers]


def query(db_path: Path, sql: str) -> list[tuple]:
    """The rows `sql` returns from the database at `db_path`, read with plain sqlite3."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def heavy_imports_of(*modules: str) -> list[str]:
    """Which of dspy and litellm a fresh interpreter has loaded after importing `modules`
    from this checkout."""
    code = (
        f"import sys, {', '.join(modules)}\n"
        "print(json.dumps(sorted(m for m in ('dspy', 'litellm') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import json\n{code}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cli_in_subprocess(db_path: Path, *commands: Sequence[str]) -> tuple[list[str], str]:
    """Run promptimp `commands` in one fresh interpreter over `db_path`.

    Returns which of dspy and litellm ended up imported, and the process's stderr.
    """
    code = (
        "import json, sys\n"
        "from cli.app import main\n"
        f"for argv in {[list(command) for command in commands]!r}:\n"
        "    sys.argv = ['promptimp', *argv]\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "print(json.dumps(sorted(m for m in ('dspy', 'litellm') if m in sys.modules)))\n"
    )
    env = {**os.environ, "SQLITE_DB_PATH": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet http.server handler for the local servers tests start; answers in JSON."""

    def send_json(self, status: int, payload: dict[str, object]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _EchoingProvider(JSONHandler):
    """An OpenAI-style endpoint that refuses every key with a 401 quoting it in full."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        key = self.headers.get("authorization", "").removeprefix("Bearer ")
        message = f"Incorrect API key provided: {key}"
        self.send_json(401, {"error": {"message": message, "code": "invalid_api_key"}})


STALL_S = 120
"""How long the stalled provider holds a request before it answers 503."""


class _ProviderServer(ThreadingHTTPServer):
    """A local provider's server; `stopping` is set when the test is done with it."""

    def __init__(self, handler: type[JSONHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.stopping = threading.Event()


class _StalledProvider(JSONHandler):
    """An OpenAI-style endpoint that answers nothing for STALL_S (or until it stops), then 503."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.stopping.wait(STALL_S)
        self.send_json(503, {"error": {"message": "overloaded", "code": "overloaded"}})


@contextmanager
def _local_provider(handler: type[JSONHandler]) -> Iterator[str]:
    """The base URL (…/v1) of an OpenAI-style provider on 127.0.0.1 served by `handler`."""
    server = _ProviderServer(handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def key_echoing_provider() -> AbstractContextManager[str]:
    """The base URL (…/v1) of a local provider whose 401 answers repeat the API key."""
    return _local_provider(_EchoingProvider)


def stalled_provider() -> AbstractContextManager[str]:
    """The base URL (…/v1) of a local provider that takes minutes to answer (a 503)."""
    return _local_provider(_StalledProvider)


@contextmanager
def key_echoing_service(secret: str, db_path: Path) -> Iterator[ImproveService]:
    """A real service (openai's default model) whose local provider refuses `secret` with a
    401 quoting it in full; history in `db_path`."""
    with key_echoing_provider() as base_url:
        settings = Settings(
            LLM_PROVIDER="openai",
            LLM_BASE_URL=base_url,
            OPENAI_API_KEY=secret,
            SQLITE_DB_PATH=str(db_path),
        )
        yield ImproveService(settings)


SHORT_IDEAS: tuple[str, ...] = (
    *("", " ", "abcd", "   abc  ", "\t\n\r\n\t"),
    *("\x00" * 5, "\u200b" * 6, "\x1b\x07\x7f\x1b", "\u200b ab \u200d c"),
)
"""Ideas without 5 visible characters: empty, short, NULs, zero-width or control characters."""
FTS_SYNTAX: tuple[str, ...] = ('"', "*", "AND", "OR", "NOT", "NEAR(", "col:word", "-x", "^")
HOSTILE_TEXTS: dict[str, str] = {
    "sql": "'; DROP TABLE prompt_history; --",
    "emoji": "Design a 🚀 launch plan 👩‍💻",
    "rtl": "صمم واجهة برمجة تطبيقات للمستخدمين",
    "mixed-direction": "Design \u202eIPA TSER\u202c for users",
    "fts": '" * AND OR NOT NEAR( -x ^',
}
"""Valid text that looks like an attack: it must be stored and searched as it is."""


def crafting_service(store, tmp_path: Path) -> ImproveService:
    """A DummyLM service over `store` with its own user trainset file in `tmp_path`."""
    return dummy_service(
        tmp_path / "unused.db",
        [ANSWER] * 40,
        store=store,
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user_trainset.jsonl"),
    )


def crafting_state(service: ImproveService) -> tuple:
    """All the crafting loop can change: the runs (tags, keeper), their trials, the trainset."""
    runs = service.history.query(limit=None)
    trials = [service.history.trials(run.id) for run in runs]
    return runs, trials, service.crafting.trainset()
