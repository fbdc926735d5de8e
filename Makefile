# Zabota: `make demo` runs it with demo data on SQLite; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: i18n demo test install lint typecheck test-sqlite test-postgresql serve migrate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml package.json package-lock.json | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/zabota migrate

demo: install
	$(BIN)/zabota migrate
	$(BIN)/zabota demo-data --base-url http://$(HOST):$(PORT)
	@echo
	@echo "  Zabota demo: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "  Sign in as admin@zabota.local / zabota-demo"
	@echo "  Chat widget on a sample page: http://$(HOST):$(PORT)/widget/demo"
	@echo
	$(BIN)/zabota serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/zabota serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy zabota

test-sqlite: install
	ZABOTA_TEST_BACKEND=sqlite $(BIN)/pytest -q

test-postgresql: install
	@if $(BIN)/python scripts/pg_available.py; then \
		ZABOTA_TEST_BACKEND=postgresql $(BIN)/pytest -q; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is not reachable and CI=true: failing (set ZABOTA_TEST_PG_URL)."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $${ZABOTA_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}:"; \
		echo "ran the SQLite half only. Set ZABOTA_TEST_PG_URL to run the PostgreSQL half."; \
	fi

test: lint typecheck test-sqlite test-postgresql

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

# Re-extract translatable messages and merge them into the catalogs (then translate the new ones).
I18N_KEYWORDS := -k _ -k DomainError -k NotFound -k Conflict -k Forbidden -k Unauthorized -k TooLarge -k UnsupportedType -k TooManyAttempts -k N_ -k gettext
i18n: install
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --omit-header -o zabota/locale/messages.pot .
	$(BIN)/pybabel update -i zabota/locale/messages.pot -d zabota/locale -l ru --no-fuzzy-matching --omit-header
