# newsdesk make targets. DATA points at the corpora (never copied into the repo).
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
DATA    ?= ../shared/data
# The serve flags' env twins, when set, are the defaults here too (`--model` and `--address`
# on make's command line overrode NEWSDESK_MODEL / NEWSDESK_ADDRESS in silence).
MODEL   ?= $(or $(NEWSDESK_MODEL),models/desk)
ADDRESS ?= $(or $(NEWSDESK_ADDRESS),127.0.0.1:50051)

.PHONY: help install proto train evaluate evaluate-summaries evaluate-keywords evaluate-pages serve test soak bench lint clean

install: $(BIN)/newsdesk  ## .venv/ with the project and its dev extra

# The bench extra (TextRank4ZH, psutil) once per venv and pyproject change, not on every call.
BENCH := $(VENV)/.bench-installed

$(BIN)/newsdesk: pyproject.toml service/_kernels.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@# Byte-code now, as a wheel install would: with PYTHONDONTWRITEBYTECODE set, every start
	@# would compile our sources again (~0.05 s a command).
	$(BIN)/python -m compileall -q service training >/dev/null
	@touch $@

proto: install  ## regenerate service/_proto/ from protos/
	$(BIN)/python -m service.protogen

# The model folder is swapped in whole; its report/ is carried over (never removed) and then
# rewritten by evaluate, so it always describes the model beside it. The manifest's version
# changes only when the artifact's sha256 does.
train: install  ## train models/desk/ on DATA, then evaluate it (report/)
	$(BIN)/newsdesk train --data $(DATA) --out $(MODEL)
	$(BIN)/newsdesk evaluate --data $(DATA) --model $(MODEL)

evaluate: install  ## score the model on every split; writes models/desk/report/
	$(BIN)/newsdesk evaluate --data $(DATA) --model $(MODEL)

$(BENCH): $(BIN)/newsdesk pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@touch $@

evaluate-summaries: $(BENCH)  ## leads vs Lead-1, Lead-k and TextRank4ZH; writes build/summaries/
	$(BIN)/newsdesk evaluate-summaries --data $(DATA) --out build/summaries

evaluate-keywords: $(BENCH)  ## keywords vs jieba and TextRank4ZH; writes build/keywords/
	$(BIN)/newsdesk evaluate-keywords --data $(DATA) --model $(MODEL) --out build/keywords

serve: install  ## newsdesk serve on ADDRESS (127.0.0.1:50051) with MODEL
	$(BIN)/newsdesk serve --model $(MODEL) --address $(ADDRESS)

test: install  ## the whole test suite (real server on loopback, corpus from DATA)
	NEWSDESK_DATA=$(abspath $(DATA)) $(BIN)/python -m pytest

# Load, reloads, abuse, fuzz, SIGTERM and batch kills against a real server (minutes; not in test).
soak: install  ## load, reloads, abuse and kills against a real server (~2 min)
	NEWSDESK_DATA=$(abspath $(DATA)) $(BIN)/python -m tests.soak

bench: $(BENCH)  ## speed and memory against the baselines; writes build/bench.json
	NEWSDESK_DATA=$(abspath $(DATA)) $(BIN)/python -m tests.bench

lint: install  ## ruff check and ruff format --check
	$(BIN)/ruff check service training tests
	$(BIN)/ruff format --check service training tests

clean:  ## remove build/ and the tools' caches
	rm -rf build .pytest_cache .ruff_cache .hypothesis

evaluate-pages: install  ## page splitting scored on DATA's newspaper pages
	$(BIN)/python -m training.pages_eval --data $(DATA)

# One line per target, read from the `## ` comments on the rule lines above (one place).
help:  ## this list
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/\1\t\2/p' $(MAKEFILE_LIST) | expand -t 22
