# Brainqueue. `make run` starts everything on embedded defaults; `make test` installs and runs the checks.
SHELL := /bin/bash
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
export VENV HOST PORT

.PHONY: run test test-system-deps lint typecheck bench load seed migrate lock clean system-deps messages help
.DEFAULT_GOAL := help

help:
	@echo "make run    start the web server, a Celery worker and beat with the demo data (Ctrl-C stops all)"
	@echo "make test   install what the tests need, then run ruff, the import contracts, mypy and pytest"
	@echo "make bench  run the benchmarks and print a table"
	@echo "make load   load-test gunicorn on PostgreSQL and Redis for 60 s (LOAD_ARGS=--help for the parameters)"

# Installs Debian packages ($(1)) when the command $(2) is missing: with apt-get when running as root,
# otherwise it says what to run and what goes without.
define apt_need
	@command -v $(2) >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(1) (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	  else echo "$(2) is not installed: $(3) (sudo apt-get install $(1))"; fi; }
endef

# Debian packages the project needs to run: gettext's msgfmt compiles the Chinese translations;
# bubblewrap is the exercise grader's sandbox; g++ compiles C++ submissions (inside that sandbox).
system-deps:
	$(call apt_need,gettext,msgfmt,the pages stay in English)
	$(call apt_need,bubblewrap,bwrap,the exercise grader refuses to run submissions)
	$(call apt_need,g++,g++,C++ exercises are graded IE (no compiler))

# Debian packages the tests need: docker-compose validates docker-compose.yml without an engine;
# chromium (with CJK fonts for the Chinese pages) runs the browser tests, which skip without it.
test-system-deps:
	$(call apt_need,docker-compose,docker-compose,its test will skip)
	$(call apt_need,chromium fonts-noto-cjk,chromium,the browser tests will skip)
	$(call apt_need,bubblewrap,bwrap,the grader's sandbox tests will skip)
	$(call apt_need,g++,g++,the grader's C++ tests will skip)
	@test -d /usr/share/fonts/opentype/noto || ! command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else echo "fonts-noto-cjk is not installed: Chinese shows as boxes in screenshots"; fi; }

# The Chinese catalogue: the .po is committed, the .mo is built here (and by `make run` and `make test`).
MO := locale/zh_Hans/LC_MESSAGES/django.mo
messages: system-deps
	@if command -v msgfmt >/dev/null; then \
	  test $(MO) -nt $(MO:.mo=.po) || msgfmt --check-format -o $(MO) $(MO:.mo=.po); \
	else echo "msgfmt is missing: $(MO) not built, pages stay in English"; fi

$(VENV)/.installed: requirements/base.txt
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

# The deployment lab's runtimes (ONNX, ONNX Runtime, OpenVINO, TVM, ncnn, MNN): the grader's core, so `make run`
# and `make test` both install them (grader/toolchains.py; a worker without them answers IE saying so).
$(VENV)/.installed-lab: $(VENV)/.installed requirements/lab.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lab.txt
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-lab requirements/test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/test.txt
	@touch $@

var:
	@mkdir -p var

migrate: $(VENV)/.installed $(VENV)/.installed-lab var
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed

run: messages seed
	@echo "Brainqueue: http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, the worker and beat)"
	exec $(VENV)/bin/honcho start --procfile Procfile

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	git ls-files -z '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 6.0 --check
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

test: test-system-deps messages $(VENV)/.installed-test lint typecheck
	$(PY) -m grader check
	$(VENV)/bin/pytest
ifeq ($(CI),true)
	@echo "== the same suite, quickly, on the embedded SQLite default =="
	DATABASE_URL= REDIS_URL= BRAINQUEUE_SQLITE_PASS=1 $(VENV)/bin/pytest -q -m "not services and not slow"
endif

bench: messages $(VENV)/.installed-test
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) bench/run.py

# 50 mobile clients and 10 web sessions against gunicorn (production settings) for 60 s, on a database of its
# own (bq_load), dropped afterwards. LOAD_ARGS passes parameters: make load LOAD_ARGS="--seconds 10 --mobile 5".
load: messages $(VENV)/.installed
	$(PY) bench/load_test.py $(LOAD_ARGS)

lock:
	$(PY) -m pip install --quiet pip-tools==7.6.2
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --strip-extras --no-header base.in -o base.txt
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --strip-extras --no-header test.in -o test.txt
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --strip-extras --no-header lab.in -o lab.txt

clean:
	rm -rf var .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
