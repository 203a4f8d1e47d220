# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup lock run worker serve test test-fast test-browser check lint format catalogue demo bench browser-deps oidc-deps clean-db

LOCK := requirements/dev.txt

# Only what the lock file names, each checked against its hash: `pip freeze` equals the lock.
# The register itself is run from this folder, not installed.
$(STAMP): $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) scripts/lock.py --check
	touch $(STAMP)

## setup: create .venv and install exactly the locked packages (app and development tools)
setup: $(STAMP)

## lock: regenerate requirements/app.txt and requirements/dev.txt from pyproject.toml
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) scripts/lock.py
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	touch $(STAMP)

## run: migrate, load the catalogue and demo data into SQLite, serve on http://127.0.0.1:8000
## with the background worker beside it (imports, reminders: docs/jobs.md); Ctrl-C stops both
run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_catalogue
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 $(PY) manage.py worker --no-reload & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## worker: only the background worker (db_worker with a heartbeat), on DATABASE_URL
worker: setup
	$(PY) manage.py worker

## serve: production settings locally: gunicorn and the background worker on DATABASE_URL
serve: setup
	scripts/serve.sh

## catalogue: (re)load the shipped catalogue; running it twice changes nothing
catalogue: setup
	DJANGO_DEBUG=1 $(PY) manage.py load_catalogue

## demo: load the catalogue and demo data without serving
demo: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_catalogue
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

## browser-deps: Debian's chromium for the Playwright journeys (never `playwright install`)
browser-deps:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## oidc-deps: the OpenID provider the identity tests sign in through (npm, from the lock file)
oidc-deps:
	npm ci --prefix tests/oidc --no-audit --no-fund

## test: everything the suite needs, then the whole suite (browser journeys included)
test: setup browser-deps oidc-deps
	$(BIN)/pytest

## test-browser: only the browser journeys
test-browser: setup browser-deps oidc-deps
	$(BIN)/pytest -m browser

## test-fast: the suite without the browser journeys
test-fast: setup oidc-deps
	$(BIN)/pytest -m "not browser"

## check: ruff, then the whole suite
check: lint test

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: benchmarks at national scale on PostgreSQL, DATABASE_URL set (see docs/benchmarks.md)
bench: setup
	$(PY) scripts/bench_coverage.py
	$(PY) scripts/bench_overview.py

clean-db:
	rm -f db.sqlite3
