"""LocalEngine: DSPy's engine contract (dspy.lm15 Request -> Response) on a llama.cpp model.

`build_local_lm(settings)` returns a `dspy.LM` whose engine is a `LocalEngine`. When a request
carries an output schema (`response_format`, set by `LocalJSONAdapter`), decoding is constrained
by a grammar made from a tightened copy of it, so the answer always parses and every field stays
within its length and shape; logits processors forbid repeated or copied word runs.
"""

from __future__ import annotations

from typing import Any

import dspy
from dspy.clients.engines.base import validate_request
from dspy.lm15 import (
    ContextLengthError,
    Message,
    Request,
    Response,
    ServerError,
    TextPart,
    Usage,
    response_to_events,
)
from llama_cpp import Llama, LogitsProcessorList

from promptimp.local.model import LocalModel, load_model
from promptimp.local.model_file import resolve_model_path
from promptimp.local.processors import CloseWithinBudget, DistinctStrings, NoRepeatWords
from promptimp.local.schema import response_schema
from promptimp.models import EMBEDDED_MODEL_PREFIX
from promptimp.settings import Settings

TEMPERATURE = 0.0
MAX_TOKENS = 600
REPEAT_PENALTY = 1.1
NO_REPEAT_WORDS = 7
"""A run of this many words may not occur twice in one answer."""
NO_COPY_WORDS = 7
"""A run of this many words of the last user message (the idea and its context) may not be
copied: the assembled prompt quotes the context, so a copy would repeat it."""


def system_text(request: Request) -> str:
    """The request's system prompt as one string ("" when there is none)."""
    system = request.system
    if system is None:
        return ""
    return system if isinstance(system, str) else "".join(part.text for part in system)


def chat_messages(request: Request) -> list[dict[str, str]]:
    """The request as chat messages for the model's own chat template."""
    messages = []
    if request.system is not None:
        messages.append({"role": "system", "content": system_text(request)})
    messages.extend({"role": m.role, "content": m.text or ""} for m in request.messages)
    return messages


class LocalEngine:
    """A DSPy engine answering `dspy.lm15.Request`s with an in-process llama.cpp model."""

    supports_response_schema = True
    supported_params = frozenset(
        {"temperature", "max_tokens", "top_p", "top_k", "stop", "seed", "response_format"}
        | {"frequency_penalty", "presence_penalty"}
    )

    def __init__(
        self,
        model: LocalModel,
        name: str,
        *,
        temperature: float = TEMPERATURE,
        max_tokens: int = MAX_TOKENS,
        repeat_penalty: float = REPEAT_PENALTY,
    ) -> None:
        self.model = model
        self.name = name
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.repeat_penalty = repeat_penalty

    @property
    def llama(self) -> Llama:
        """The shared llama.cpp model."""
        return self.model.llama

    def completion_kwargs(self, request: Request) -> dict[str, Any]:
        """The create_chat_completion arguments for a request (messages, grammar, sampling)."""
        validate_request(request)
        config = request.config
        max_tokens = min(config.max_tokens or self.max_tokens, self.max_tokens)
        last_input = request.messages[-1].text or ""
        processors = LogitsProcessorList(
            [
                NoRepeatWords(self.model.words, NO_REPEAT_WORDS, closers=self.model.closers),
                NoRepeatWords(
                    self.model.words, NO_COPY_WORDS, last_input, closers=self.model.closers
                ),
            ]
        )
        options: dict[str, Any] = {
            "messages": chat_messages(request),
            "temperature": self.temperature if config.temperature is None else config.temperature,
            "max_tokens": max_tokens,
            "repeat_penalty": self.repeat_penalty,
            "logits_processor": processors,
        }
        for name in ("top_p", "top_k", "seed", "frequency_penalty", "presence_penalty"):
            if getattr(config, name) is not None:
                options[name] = getattr(config, name)
        if config.stop:
            options["stop"] = list(config.stop)
        schema = response_schema(config.response_format)
        if schema is not None:
            options["grammar"] = self.model.grammar(schema)
            processors.append(DistinctStrings(self.model.pieces, self.model.closers))
            processors.append(CloseWithinBudget(self.model.closers, max_tokens))
        return options

    def complete(self, request: Request) -> Response:
        """One chat completion for the request, under the model's lock."""
        options = self.completion_kwargs(request)
        with self.model.lock:
            try:
                answer = self.llama.create_chat_completion(**options)
            except (ValueError, RuntimeError) as error:
                if "context window" in str(error):
                    raise ContextLengthError(str(error), provider="local") from error
                raise ServerError(str(error), provider="local") from error
        choice = answer["choices"][0]
        usage = answer["usage"]
        return Response(
            id=answer.get("id"),
            model=self.name,
            message=Message.assistant([TextPart(choice["message"]["content"] or "")]),
            finish_reason="length" if choice["finish_reason"] == "length" else "stop",
            usage=Usage(
                input_tokens=usage["prompt_tokens"],
                output_tokens=usage["completion_tokens"],
                total_tokens=usage["total_tokens"],
            ),
        )

    def stream(self, request: Request):
        """The complete answer as stream events (the model is fast enough not to stream)."""
        return response_to_events(self.complete(request))

    def close(self) -> None:
        """Nothing to release: the shared model outlives any one engine."""


def build_local_lm(settings: Settings) -> dspy.LM:
    """A dspy.LM on the local GGUF model; ModelError names the file if it cannot be used."""
    model = load_model(resolve_model_path(settings))
    engine = LocalEngine(model, settings.model_name)
    return dspy.LM(
        f"{EMBEDDED_MODEL_PREFIX}{settings.model_name}",
        engine=engine,
        cache=False,
        num_retries=0,
        temperature=TEMPERATURE,
        max_tokens=MAX_TOKENS,
    )
