# Schakel — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=wsgi.py $(BIN)/flask
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO := SCHAKEL_DEMO=1

.PHONY: install run test test-sqlite test-pg test-browser screenshots chromium pg-up lint bandit sbom scan wapiti bench wrk migrations-check ci diagram clean

# Installs once per change of setup.cfg or constraints.txt (pinned versions, reviewed by hand).
$(BIN)/.installed: setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(DEMO) $(FLASK) db upgrade
	$(DEMO) $(FLASK) seed-demo --if-empty
	@echo
	@sed -n '/<!-- demo-logins:start -->/,/<!-- demo-logins:end -->/p' README.md | grep -v '<!--'
	@echo "Schakel draait op http://127.0.0.1:5000 (stoppen: Ctrl+C)"
	$(DEMO) $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest -q

test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider

# The suite again on PostgreSQL; starts the local server when it is down.
test-pg: install pg-up
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider

# Real-browser tests: Playwright drives Debian's Chromium (browsers cannot be downloaded here).
test-browser: install chromium
	$(BIN)/pytest -q -p no:cacheprovider -m browser tests/browser

# The README's screenshots: the browser journeys photograph every main screen into
# build/screenshots/; these few are copied to docs/screenshots/ (commit them).
SCREENSHOTS := caseload casus-mdo verwijzingen mdo-vastleggen escalaties monitor
screenshots: install chromium
	rm -rf build/screenshots
	$(BIN)/pytest -q -p no:cacheprovider -m browser tests/browser/test_journey_*.py
	mkdir -p docs/screenshots
	for name in $(SCREENSHOTS); do cp build/screenshots/$$name.png docs/screenshots/; done

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium >/dev/null; }

pg-up:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "PostgreSQL is down; starting it"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

lint: install
	$(BIN)/ruff check app tests migrations/env.py

# Static security analysis of the application code (ASVS 14.2, 10.x).
bandit: install
	$(BIN)/bandit -q -r app

# Software bill of materials of the pinned dependencies (ASVS 14.2.5).
sbom: install
	$(BIN)/cyclonedx-py requirements constraints.txt --of JSON --output-reproducible \
	  -o docs/sbom.cdx.json

# Dynamic scan (DAST, ASVS 14.2) of a fresh demo app on loopback, logged in as the demo IB;
# bounded by SCAN_SECONDS; report in build/wapiti/, triage in docs/security.md. Not part of ci.
scan: install wapiti
	$(BIN)/python tools/scan.py

wapiti:
	@command -v wapiti >/dev/null || { \
	  echo "Installing Debian's wapiti for the dynamic scan"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends wapiti >/dev/null; }

# Benchmark (issue 7, docs/performance.md): seeds or reuses 10k/100k/1M-case databases under
# build/bench/, serves them with gunicorn (2 workers) on loopback and drives the main pages
# with wrk, one JSON line per measurement. BENCH_SIZES=10000 runs one size; DATABASE_URL=
# postgresql+psycopg://postgres@127.0.0.1:5432/schakel_bench runs it on PostgreSQL. Not in ci.
bench: install wrk
	$(BIN)/python tools/bench/run.py

wrk:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends wrk >/dev/null; }

# The migrations build the schema from nothing and match the models, on both databases.
migrations-check: install pg-up
	tmp=$$(mktemp -d); \
	  DATABASE_URL=sqlite:///$$tmp/check.db $(FLASK) db upgrade && \
	  DATABASE_URL=sqlite:///$$tmp/check.db $(FLASK) db check && \
	  DATABASE_URL=sqlite:///$$tmp/check.db $(FLASK) db downgrade base && \
	  rm -rf $$tmp
	psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS schakel_migrations' \
	  -c 'CREATE DATABASE schakel_migrations'
	DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/schakel_migrations $(FLASK) db upgrade
	DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/schakel_migrations $(FLASK) db check
	DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/schakel_migrations $(FLASK) db downgrade base
	psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE schakel_migrations'

diagram: install
	$(FLASK) cases diagram

ci: lint bandit migrations-check test-sqlite test-pg test-browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
