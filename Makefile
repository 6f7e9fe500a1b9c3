# Brainqueue. `make run` starts everything on embedded defaults; `make test` installs and runs the checks.
SHELL := /bin/bash
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
export VENV HOST PORT

.PHONY: run test test-system-deps lint typecheck bench seed migrate lock clean system-deps help
.DEFAULT_GOAL := help

help:
	@echo "make run    start the web server, a Celery worker and beat with the demo data (Ctrl-C stops all)"
	@echo "make test   install what the tests need, then run ruff, mypy and pytest"
	@echo "make bench  run the benchmarks and print a table"

# Debian packages the project needs to run (none yet on a plain laptop).
system-deps:
	@true

# Debian packages the tests need: docker-compose validates docker-compose.yml without an engine.
test-system-deps:
	@command -v docker-compose >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	  else echo "docker-compose is not installed: its test will skip (sudo apt-get install docker-compose)"; fi; }

$(VENV)/.installed: requirements/base.txt
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/test.txt
	@touch $@

var:
	@mkdir -p var

migrate: $(VENV)/.installed var
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed

run: system-deps seed
	@echo "Brainqueue: http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, the worker and beat)"
	exec $(VENV)/bin/honcho start --procfile Procfile

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

test: test-system-deps $(VENV)/.installed-test lint typecheck
	$(VENV)/bin/pytest
ifeq ($(CI),true)
	@echo "== the same suite, quickly, on the embedded SQLite default =="
	DATABASE_URL= REDIS_URL= BRAINQUEUE_SQLITE_PASS=1 $(VENV)/bin/pytest -q -m "not services and not slow"
endif

bench: $(VENV)/.installed-test
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) bench/run.py

lock:
	$(PY) -m pip install --quiet pip-tools==7.6.2
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --strip-extras --no-header base.in -o base.txt
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --strip-extras --no-header test.in -o test.txt

clean:
	rm -rf var .mypy_cache .ruff_cache
