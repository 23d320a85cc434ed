# The desk's set-up, tests and benchmarks. `make run` and `make test` each start from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# PostgreSQL for the tests (trust auth on this machine); set it empty to test SQLite only.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install lock system-deps run test lint check-catalogues ui-catalogue check-ui-catalogue ui-translations check-ui-translations bench clean

install: system-deps $(STAMP) ui-translations

# Exactly the locked versions, every file checked against its hash; the project itself is built
# by the locked setuptools, without fetching anything else. pip installs the locked uv (its own
# lines of the lock, hashes included), and uv the rest, compiled to bytecode as pip does (this
# machine sets PYTHONDONTWRITEBYTECODE: nothing is compiled later): 24 s here, pip alone 77 s.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^uv==/ {p=1; print; next} p && /^    / {print; next} p {exit}' requirements.lock > $(VENV)/uv.lock.txt
	PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(VENV)/uv.lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --no-deps --compile-bytecode -r requirements.lock
	PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# axe-core for the browser tests' accessibility audit (make test), exactly as package-lock.json pins it, from the
# npm registry into node_modules/ (the tests inject it into the page: nothing comes from elsewhere).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $(NODE_STAMP)

# Refreshes the lock from pyproject.toml's ranges (newest releases), for every platform and for
# Python 3.11 and newer. Then run `make test` and commit the lock (and any catalogue it changed).
lock: install
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --all-extras --universal \
		--generate-hashes --python-version 3.11 --no-header --upgrade -o requirements.lock

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

# The interface's messages for its translators: one template, no date, locations by file only,
# so that it changes only when a message does.
UI_POT := translator/translations/messages.pot
UI_EXTRACT := $(BIN)/pybabel -q extract --mapping-file babel.cfg --keywords _l \
	--keywords lazy_gettext --keywords N_ --keywords counted:1,2 --omit-header --add-location file --sort-output

ui-catalogue: install
	$(UI_EXTRACT) --output-file $(UI_POT) translator

check-ui-catalogue: install
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && $(UI_EXTRACT) --output-file "$$tmp" translator && \
	{ cmp -s "$$tmp" $(UI_POT) || { echo "$(UI_POT) is stale: run make ui-catalogue"; exit 1; }; }

# The interface in each language: translator/translations/<lang>/LC_MESSAGES/messages.po, compiled
# to the .mo that flask-babel reads (built here, not committed).
UI_MO := $(patsubst %.po,%.mo,$(wildcard translator/translations/*/LC_MESSAGES/messages.po))
ui-translations: $(UI_MO)
translator/translations/%/LC_MESSAGES/messages.mo: translator/translations/%/LC_MESSAGES/messages.po
	msgfmt --check -o $@ $<

# Each language's catalogue is valid (msgfmt --check), passes the desk's checks and covers the
# template: at least UI_MIN_PERCENT of its messages (Farsi all of them), each share printed.
UI_MIN_PERCENT ?= 95
check-ui-translations: install
	@for po in translator/translations/*/LC_MESSAGES/messages.po; do msgfmt --check -o /dev/null "$$po" || exit 1; done
	$(BIN)/python -m translator.ui_catalogue --minimum $(UI_MIN_PERCENT) --complete fa

test: install $(NODE_STAMP) lint check-catalogues check-ui-catalogue check-ui-translations
	TRANSLATOR_TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest -q -n auto --durations=15

# `make bench SUITE=scale` runs one suite (make takes no --suite of its own)
SUITE ?= all
bench: install
	$(BIN)/python -m benchmarks --suite $(SUITE)

clean:
	rm -rf $(VENV) node_modules instance dist .pytest_cache .mypy_cache .ruff_cache
