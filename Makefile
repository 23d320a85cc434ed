# The desk's set-up, tests and benchmarks. `make run` and `make test` each start from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PostgreSQL for the tests (trust auth on this machine); set it empty to test SQLite only.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install system-deps run test lint check-catalogues bench clean

install: system-deps $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

run: install
	$(BIN)/translator init
	$(BIN)/translator serve

lint: install
	$(BIN)/ruff check translator tests benchmarks
	$(BIN)/mypy

# The CI gate on the shipped catalogues: a fresh store loaded from the repository must write
# exactly the files that are there.
check-catalogues: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export TRANSLATOR_DATABASE_URL="sqlite:///$$tmp/check.db" TRANSLATOR_INSTANCE_PATH="$$tmp" && \
	$(BIN)/translator init > /dev/null && $(BIN)/translator extract --check

test: install lint check-catalogues
	TRANSLATOR_TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest -q

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance dist .pytest_cache .mypy_cache .ruff_cache
