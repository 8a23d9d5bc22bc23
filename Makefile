# Two commands matter: `make demo` (set up, serve the bundled site, crawl it, search it) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OSINT_DATA_DIR ?= $(CURDIR)/data

.PHONY: help setup icu chromium demo test test-fast coverage lint engine engine-stop bench soak clean

help:
	@echo "make demo         set up, crawl the bundled demo site, print a search with facets"
	@echo "make test         run the whole test suite (unit + end to end + real engine) on every core"
	@echo "make coverage     the same suite measured by coverage: fails if it drops below the floor"
	@echo "make lint         ruff (lint + format check), mypy --strict, import contracts (lint-imports)"
	@echo "make engine       start a local OpenSearch node (prints its URL last); make engine-stop"
	@echo "make bench        run the benchmarks (see benchmarks/README.md)"
	@echo "make soak         run the scheduler for 30 minutes against a changing local site (memory, fds, children)"

$(STAMP): pyproject.toml requirements.lock requirements-model.txt
	@$(MAKE) --no-print-directory icu
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# followthemoney (the `ftm` export) needs PyICU, which PyPI ships as source only: it builds
# against the system's ICU with a C++ compiler (pip keeps the built wheel in its cache).
icu:
	@if pkg-config --exists icu-uc 2>/dev/null && command -v c++ >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing ICU headers and a C++ compiler (PyICU, for the Follow the Money export)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
	else \
		echo "PyICU needs ICU's headers and a C++ compiler: install them (Debian/Ubuntu: sudo apt-get install"; \
		echo "libicu-dev pkg-config g++), then run make again."; exit 1; \
	fi

chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for JavaScript pages (render_js sources)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing: install it (Debian/Ubuntu: sudo apt-get install chromium) or set OSINT_CHROMIUM"; \
		echo "to a Chromium binary. Only render_js sources need it; everything else works without it."; \
	fi

demo: setup chromium
	$(BIN)/osint demo

# The suite's processes often wait (on crawls, servers, Chromium, the engine): one worker more than
# the two cores keeps both busy (measured: 2 workers 4:53, 3 workers 4:22, 4 workers 5:11);
# worksteal evens out the long end-to-end files.
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist worksteal

# Bytecode caches (__pycache__, ignored by git) are written even where PYTHONDONTWRITEBYTECODE is
# set: without them every worker re-rewrites every test module and every `osint` process started
# by a test recompiles the application (together ~15 % of the suite's CPU).
test coverage: export PYTHONDONTWRITEBYTECODE =

test: setup chromium
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) --durations=15

# Line tracing makes the suite about 1.6x slower, so it is a run of its own (CI runs both); the
# floor is [tool.coverage.report] fail_under in pyproject.toml.
coverage: setup chromium
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) --cov --cov-report=term:skip-covered --cov-report=html:htmlcov

test-fast: setup
	$(BIN)/python -m pytest -q -m "not engine and not browser and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

engine: setup
	@$(BIN)/python scripts/engine/run.py start

engine-stop:
	@$(BIN)/python scripts/engine/run.py stop

bench: setup
	$(BIN)/python benchmarks/run_all.py

soak: setup
	$(BIN)/python -m benchmarks.soak --minutes 30

clean:
	rm -rf $(VENV) data .pytest_cache .coverage .coverage.* htmlcov
