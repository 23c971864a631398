# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install test-sqlite test-postgres chromium lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# One task worker beside the web server; Ctrl-C stops both (the worker finishes its task).
run: install
	$(BIN)/tianping migrate --no-input -v 0
	$(BIN)/tianping demo
	@$(BIN)/tianping worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/tianping serve --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/python scripts/run_tests.py

test-sqlite: install chromium
	$(BIN)/python scripts/run_tests.py --only sqlite

test-postgres: install chromium
	$(BIN)/python scripts/run_tests.py --only postgres

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: install
	$(BIN)/tianping bench

clean:
	rm -rf $(VENV) var/test-*
