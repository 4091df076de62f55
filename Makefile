# motcua — the README's commands. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check test-fast test-postgres bench-lifecycle clean install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## demo: install, migrate a SQLite database under var/, load Bắc Ninh, serve http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/motcua migrate --noinput -v 0
	$(BIN)/motcua demo --serve

## lint: ruff (lint + format check) and a migrations check
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/motcua makemigrations --check --dry-run

## test: lint, then every test suite (SQLite unless DATABASE_URL is set)
test: lint
	$(BIN)/pytest -p no:cacheprovider

## test-postgres: the whole suite against the local PostgreSQL (database `test`)
test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

bench-lifecycle: $(STAMP)
	$(BIN)/python bench/lifecycle.py

clean:
	rm -rf $(VENV) var .pytest_cache
