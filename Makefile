# Two commands matter: `make demo` (set up, serve the bundled site, crawl it, search it) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OSINT_DATA_DIR ?= $(CURDIR)/data

.PHONY: help setup chromium demo test test-fast engine engine-stop bench soak clean

help:
	@echo "make demo         set up, crawl the bundled demo site, print a search with facets"
	@echo "make test         run the whole test suite (unit + end to end + real engine)"
	@echo "make engine       start a local OpenSearch node (prints its URL last); make engine-stop"
	@echo "make bench        run the benchmarks (see benchmarks/README.md)"
	@echo "make soak         run the scheduler for 30 minutes against a changing local site (memory, fds, children)"

$(STAMP): pyproject.toml requirements.lock requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

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

test: setup chromium
	$(BIN)/python -m pytest -q --durations=15

test-fast: setup
	$(BIN)/python -m pytest -q -m "not engine and not browser and not slow"

engine: setup
	@$(BIN)/python scripts/engine/run.py start

engine-stop:
	@$(BIN)/python scripts/engine/run.py stop

bench: setup
	$(BIN)/python benchmarks/run_all.py

soak: setup
	$(BIN)/python -m benchmarks.soak --minutes 30

clean:
	rm -rf $(VENV) data .pytest_cache
