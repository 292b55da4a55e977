# The two set-up commands of the README: `make demo` (the example pipeline end to end) and
# `make test` (the whole suite). Both create .venv and install everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM_UV := $(shell command -v uv 2>/dev/null)
PYTEST_ARGS ?=

.PHONY: install demo test test-fast lint bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv when it is on the machine or can be installed into the venv; pip otherwise.
$(STAMP): pyproject.toml | $(BIN)/python
	@if [ -n "$(SYSTEM_UV)" ]; then UV="$(SYSTEM_UV)"; \
	elif $(BIN)/python -m pip install -q uv >/dev/null 2>&1; then UV="$(BIN)/uv"; \
	else UV=""; fi; \
	if [ -n "$$UV" ]; then $$UV pip install --python $(BIN)/python -e '.[dev]'; \
	else $(BIN)/python -m pip install -e '.[dev]'; fi
	$(BIN)/stratum kernel install --sys-prefix
	touch $(STAMP)

install: $(STAMP)

# Machine-level tools the tests drive for real (browser, Docker engine, linters).
system-deps:
	bash scripts/install-system-deps.sh

demo: install
	$(BIN)/stratum demo

test: install system-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser and not docker" $(PYTEST_ARGS)

# Style, the import contracts of pyproject.toml (no cycles; the lifecycle flows one way) and
# types of the core packages.
lint: install
	$(BIN)/ruff check stratum_jupyter tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

# Ratios against the standard alternatives, measured in the same run (not timed tests).
bench: install
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_diagnostics.py
	$(BIN)/python benchmarks/bench_diagnostics.py --in-process
	$(BIN)/python benchmarks/bench_workshop.py
	$(BIN)/python benchmarks/bench_monitor.py
	$(BIN)/python benchmarks/bench_search.py
	$(BIN)/python benchmarks/bench_serving.py

clean:
	rm -rf $(VENV) build dist runs .pytest_cache
