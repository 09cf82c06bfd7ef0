# Two entry points (README "Quick start"): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install clean gazetteer

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,gazetteer]'
	touch $@ $(STAMP)

install: $(STAMP)

STORE ?= .policykg/store

# `run` loads the bundled corpus into the embedded store (loading an unchanged corpus again is a
# no-op, so a restart is quick), then serves it in the foreground on http://127.0.0.1:8000
# (API docs at /docs) until Ctrl-C. Settings: docs/api.md (POLICYKG_* variables).
run: $(STAMP)
	$(BIN)/policykg load data/corpus --store $(STORE)
	exec $(BIN)/policykg serve --store $(STORE) --host 127.0.0.1 --port 8000

# The browser test (tests/web/test_browser.py) drives the system's Chromium with the pip package
# playwright from the [test] extra (executable_path, so no browser is downloaded). Without a
# Chromium it is skipped with the reason, except under POLICYKG_REQUIRE_SERVERS=1 (.ci/run,
# which installs Debian's chromium).
test: $(TEST_STAMP)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$POLICYKG_CHROMIUM" ] \
	  || echo "make test: no chromium found, the browser test will be skipped (apt-get install chromium chromium-driver)"
	$(BIN)/python -m pytest

# Regenerate data/gazetteer/ from the maintained upstream sources (see scripts/build_gazetteer.py).
gazetteer: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[gazetteer]'
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) build *.egg-info
