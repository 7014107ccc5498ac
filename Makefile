# newsdesk make targets. DATA points at the corpora (never copied into the repo).
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
DATA    ?= ../shared/data
MODEL   ?= models/desk
ADDRESS ?= 127.0.0.1:50051

.PHONY: install proto train evaluate evaluate-summaries evaluate-pages serve test bench lint clean

install: $(BIN)/newsdesk

$(BIN)/newsdesk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

proto: install
	$(BIN)/python -m service.protogen

train: install
	$(BIN)/newsdesk train --data $(DATA) --out $(MODEL)

evaluate: install
	$(BIN)/newsdesk evaluate --data $(DATA) --model $(MODEL)

evaluate-summaries: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/newsdesk evaluate-summaries --data $(DATA) --out build/summaries

serve: install
	$(BIN)/newsdesk serve --model $(MODEL) --address $(ADDRESS)

test: install
	NEWSDESK_DATA=$(abspath $(DATA)) $(BIN)/python -m pytest

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	NEWSDESK_DATA=$(abspath $(DATA)) $(BIN)/python -m tests.bench

lint: install
	$(BIN)/ruff check service training tests
	$(BIN)/ruff format --check service training tests

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis

evaluate-pages: install
	$(BIN)/python -m training.pages_eval --data $(DATA)
