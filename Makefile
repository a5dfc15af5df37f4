# GBV Learn. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# The HTML templates djhtml indents (plain-text e-mail templates are left alone: their spaces are content).
TEMPLATES = $(shell git ls-files '*/templates/*.html')

.PHONY: help run pdf-libraries test test-postgres test-topology test-growth serve-prod stop-prod prod-packages bench lint format messages venv dev-venv browser clean backup restore restore-check

help: ## List the targets with what they do
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@PYTHON=$$(bin/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; $$PYTHON -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## Build .venv from requirements.txt (only when it changed)

dev-venv: $(VENV)/.installed-dev ## Add the test and lint tools of requirements-dev.txt to .venv

messages: venv ## Compile the vi and en message catalogues
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)."; exit 1; }
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# WeasyPrint renders certificates with Pango and subsets their fonts with HarfBuzz-Subset; without
# libharfbuzz-subset0 it falls back to fontTools and warns on every certificate (docs/decisions.md).
pdf-libraries: ## Make sure Debian's Pango and HarfBuzz-Subset libraries are there for certificate PDFs
	@missing=""; ldconfig -p | grep -q 'libpango-1.0.so.0 ' || missing="$$missing libpango-1.0-0"; \
	  ldconfig -p | grep -q 'libpangoft2-1.0.so.0 ' || missing="$$missing libpangoft2-1.0-0"; \
	  ldconfig -p | grep -q 'libharfbuzz-subset.so.0 ' || missing="$$missing libharfbuzz-subset0"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing Debian packages for certificate PDFs:$$missing"; \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; \
	    else echo "Certificate PDFs need Debian's$$missing: sudo apt-get install$$missing"; exit 1; fi; \
	  fi

run: messages pdf-libraries ## Set up (venv, SQLite, demo content) and serve at http://127.0.0.1:8000
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo_data
	$(MANAGE) runserver $(HOST):$(PORT)

browser: ## Make sure Debian's Chromium, zbar, poppler and Java, and axe-core and the Nu HTML Checker (npm), are there for the tests
	@missing=""; [ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	  ldconfig -p | grep -q libzbar.so.0 || missing="$$missing libzbar0"; \
	  command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	  command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing Debian packages for the tests:$$missing"; \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; \
	    else echo "The tests need Debian's$$missing: sudo apt-get install$$missing"; exit 1; fi; \
	  fi
	@[ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/vnu-jar/build/dist/vnu.jar ] || \
	  npm ci --ignore-scripts --no-audit --no-fund --silent

lint: dev-venv ## ruff lint and format check, template indentation check, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check $(TEMPLATES)
	$(MANAGE) makemigrations --check --dry-run --settings=config.settings.test

format: dev-venv ## Apply ruff's fixes and formatting, indent the templates
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml $(TEMPLATES)

# Two processes (pytest-xdist), one per core of the machines the suite runs on; PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2

test: dev-venv messages pdf-libraries browser lint ## Run the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)
	$(PY) -m pytest -n $(PYTEST_WORKERS)

test-postgres: ## The suite against the local PostgreSQL
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(MAKE) test

prod-packages: ## Make sure Debian's nginx, openssl, Redis and PostgreSQL are there for serve-prod (never starts them)
	@missing=""; command -v nginx >/dev/null || missing="$$missing nginx"; \
	  command -v openssl >/dev/null || missing="$$missing openssl"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing Debian packages for serve-prod:$$missing"; \
	      deploy/local/apt-install-without-starting $$missing; \
	    else echo "serve-prod needs Debian's$$missing: sudo apt-get install$$missing"; exit 1; fi; \
	  fi

serve-prod: venv messages pdf-libraries prod-packages ## The production topology here: nginx (TLS) on https://127.0.0.1:8443, 2 app servers, worker, timers, PostgreSQL, Redis
	$(PY) -m deploy.local.topology up

stop-prod: ## Stop what serve-prod started (its data stays in .prod/)
	$(PY) -m deploy.local.topology down

test-topology: dev-venv messages prod-packages ## Fault tests of the production topology (tests/topology/: 4-7 min, own ports)
	$(PY) -m pytest tests/topology

test-growth: dev-venv messages prod-packages ## Growth tests (tests/growth/: S3 storage on moto, a streaming standby, backup and restore; own ports)
	$(PY) -m pytest tests/growth

bench: dev-venv messages prod-packages ## Run the benchmarks in bench/ and print their tables (bench.load: locust through serve-prod's topology; BENCH_LARGEST=100000 stops bench.report_growth at 100,000 learners)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(PY) -m bench

backup: venv ## Back up the database and the files into BACKUP_DIR/<time>/ (default backups/), pruning old ones
	$(MANAGE) backup

restore: venv ## Restore BACKUP=<dir> into an empty database and storage (DATABASE_URL, MEDIA_ROOT, ...), then run the drill
	@[ -n "$(BACKUP)" ] || { echo "Usage: make restore BACKUP=backups/<time>"; exit 1; }
	$(MANAGE) restore "$(BACKUP)"

restore-check: venv ## The restore drill alone: compare the database and storage with BACKUP=<dir>
	@[ -n "$(BACKUP)" ] || { echo "Usage: make restore-check BACKUP=backups/<time>"; exit 1; }
	$(MANAGE) restore --check-only "$(BACKUP)"

clean: ## Remove the virtualenv, the SQLite database and compiled catalogues
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media
	find locale -name '*.mo' -delete
