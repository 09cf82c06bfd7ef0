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

# Until the HTTP service exists (issue 4), `run` extracts the bundled corpus, loads it into the
# embedded store and prints what it holds and one comparison question.
run: $(STAMP)
	$(BIN)/policykg summary
	$(BIN)/policykg load data/corpus --store $(STORE)
	$(BIN)/policykg stats --store $(STORE)
	$(BIN)/policykg query --store $(STORE) --named adopters -p instrument=drg-payment --format table

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# Regenerate data/gazetteer/ from the maintained upstream sources (see scripts/build_gazetteer.py).
gazetteer: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[gazetteer]'
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) build *.egg-info
