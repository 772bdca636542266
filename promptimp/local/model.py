"""The llama.cpp model: loaded once per GGUF file, its token texts, grammars it can follow.

The model is loaded once per file and process and shared by every LM and engine that uses it;
its lock serialises calls, because a llama.cpp context is not re-entrant.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp import Llama, LlamaGrammar
from llama_cpp import llama_cpp as bindings
from llama_cpp.llama_grammar import json_schema_to_gbnf

from promptimp.local.processors import CLOSERS, TokenWords
from promptimp.models import ModelError

N_CTX = 8192
N_THREADS = 1
"""Threads for decoding and for reading the prompt. llama.cpp's threads wait for each other at
every step, so beside another busy process two threads on a 2-core machine ran one request 10x
slower than one thread did (540.7 s against 56.7 s, same request, same run; 2 of 2 cores busy
with other work); a 135M model gains little from a second thread when the machine is quiet."""

_default_model_params = bindings.llama_model_default_params


def _plain_model_params() -> bindings.llama_model_params:
    """llama.cpp's default model parameters without its extra CPU buffer types."""
    params = _default_model_params()
    params.use_extra_bufts = False
    return params


def use_plain_cpu_buffers() -> None:
    """Load models in this process without llama.cpp's extra CPU buffer types.

    When the CPU has AMX, llama.cpp moves the weights into AMX tile buffers, and decoding this
    model then crashes the process (a segmentation fault at the first token). `Llama()` takes
    no option for it, so the default parameters it starts from are replaced. Idempotent.
    """
    bindings.llama_model_default_params = _plain_model_params


@lru_cache(maxsize=32)
def gbnf_for(schema_json: str) -> str:
    """GBNF for a JSON schema (a program asks with the same few schemas again and again)."""
    return json_schema_to_gbnf(schema_json)


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
            use_plain_cpu_buffers()
            try:
                llama = Llama(
                    model_path=str(path),
                    n_ctx=N_CTX,
                    n_threads=N_THREADS,
                    n_threads_batch=N_THREADS,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as error:
                raise ModelError(f"Local model could not be loaded: {path}: {error}") from None
            _models[path] = LocalModel(path, llama)
        return _models[path]
