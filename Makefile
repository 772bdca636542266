# Two entry points: `make run` (the workbench on localhost:8501) and `make test` (every test).
# Each one sets up .venv from requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: setup run test test-fast lint bench browser-deps serve

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

# Address, port and file watcher come from .streamlit/config.toml; ARGS adds Streamlit flags.
run: setup
	$(VENV)/bin/streamlit run workbench $(ARGS)

serve: setup
	$(VENV)/bin/promptimp serve

# The browser tests drive Debian's Chromium; install it when missing (needs root or sudo).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

test: setup browser-deps
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow and not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) bench/store_bench.py
	$(PY) bench/local_lm_bench.py
	$(PY) bench/app_bench.py
	$(PY) bench/retrieval_bench.py
