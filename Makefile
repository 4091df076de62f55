# motcua — the README's commands. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest -p no:cacheprovider

.PHONY: demo test lint typecheck test-unit test-ocr test-browser browser-check test-postgres bench-lifecycle bench-pages bench-forms bench-indicators bench-auth bench-probe bench-seclog clean install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch node_modules/.installed

install: $(STAMP)

## demo: install, migrate a SQLite database under var/, load Bắc Ninh, serve http://$(DEMO_ADDR)
## (with DEBUG on: MOTCUA_DEBUG=1 unless set; the settings default is off. The security log's
## JSON lines go to var/security.jsonl unless MOTCUA_SECURITY_LOG is set (empty: the console). `motcua demo
## --serve` sets MOTCUA_PUBLIC_URL, the receipts' QR codes, to that address unless it is
## set, and prints it)
## The shared cache (MOTCUA_CACHE_URL, docs/deploy.md) is DEMO_CACHE_URL when Redis answers
## there and MOTCUA_CACHE_URL is not set; otherwise each process counts alone, which loses
## nothing for the demo's one server process (`MOTCUA_CACHE_URL= make demo` opts out).
DEMO_ADDR ?= 127.0.0.1:8000
DEMO_CACHE_URL ?= redis://127.0.0.1:6379/1
REDIS_ANSWERS = $(BIN)/python -c "import redis; redis.Redis.from_url('$(DEMO_CACHE_URL)', socket_connect_timeout=0.5, socket_timeout=0.5).ping()" 2>/dev/null

demo: $(STAMP)
	$(BIN)/motcua migrate --noinput -v 0
	@if [ -z "$${MOTCUA_CACHE_URL+set}" ]; then \
	  if $(REDIS_ANSWERS); then export MOTCUA_CACHE_URL=$(DEMO_CACHE_URL); \
	    echo "Bộ nhớ đệm chung (shared cache, MOTCUA_CACHE_URL): $(DEMO_CACHE_URL)"; \
	  else echo "Redis không trả lời tại $(DEMO_CACHE_URL): bộ đếm riêng từng tiến trình (Redis not reachable: counters per process)"; fi; \
	fi; \
	MOTCUA_SECURITY_LOG=$${MOTCUA_SECURITY_LOG-$(CURDIR)/var/security.jsonl} \
	MOTCUA_DEBUG=$${MOTCUA_DEBUG:-1} $(BIN)/motcua demo --serve --addr $(DEMO_ADDR)

## lint: ruff (lint + format check), mypy, the import contract (pyproject's
## [tool.importlinter]) and a migrations check
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/motcua makemigrations --check --dry-run

## typecheck: mypy alone (pyproject.toml [tool.mypy]: strict flags on core, workcalendar,
## indicators; its cache under var/mypy_cache)
typecheck: $(STAMP)
	$(BIN)/mypy

## test: lint, the unit/service/API/page suites, the OCR suite, then the browser suite
test: lint test-unit test-ocr test-browser

## test-unit: everything but the browser and OCR suites, on two workers (pytest-xdist; each
## worker has its own test database, test_<db>_gw0, test_<db>_gw1). Serially:
## `make test-unit XDIST=`; more workers: `make test-unit XDIST="-n auto"`.
XDIST ?= -n 2
test-unit: $(STAMP)
	$(PYTEST) $(XDIST) -m "not browser and not ocr"

## test-ocr: the tests that run the OCR engine (ocrmypdf + Tesseract `vie`; marker `ocr`),
## one process: each page already keeps a core busy
test-ocr: $(STAMP)
	$(PYTEST) -m "ocr and not browser"

## test-browser: Playwright driving Debian's Chromium (+ axe-core from npm); skipped without
## chromium, which the banner of browser-check says loudly
NODE_DEPS := $(if $(wildcard package.json),node_modules/.installed,)
CHROMIUM ?= /usr/bin/chromium

test-browser: $(STAMP) $(NODE_DEPS) browser-check
	CHROMIUM=$(CHROMIUM) $(PYTEST) -m browser

browser-check:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "######################################################################"; \
	  echo "#  BROWSER SUITE SKIPPED: $(CHROMIUM) not found."; \
	  echo "#  Bộ kiểm thử trình duyệt bị BỎ QUA: không có $(CHROMIUM)."; \
	  echo "#  Install it:  sudo apt-get install chromium"; \
	  echo "#  or run .ci/run, which installs it, then: make test-browser"; \
	  echo "######################################################################"; \
	fi

## test-postgres: the whole suite against the local PostgreSQL (database `test`)
test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

bench-lifecycle: $(STAMP)
	$(BIN)/python bench/lifecycle.py

bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

bench-forms: $(STAMP)
	$(BIN)/python bench/forms.py

bench-indicators: $(STAMP)
	$(BIN)/python bench/indicators.py --quick

bench-auth: $(STAMP)
	$(BIN)/python bench/auth.py

## bench-probe: the security probe's attacks against a served demo (bench/probe.py)
bench-probe: $(STAMP)
	$(BIN)/python bench/probe.py

## bench-seclog: the security log's cost per staff read and per request (bench/seclog.py)
bench-seclog: $(STAMP)
	$(BIN)/python bench/seclog.py

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
