# One-command dev loop. Every target installs what it needs first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_MODEL ?= distilbert-base-uncased-finetuned-sst-2-english
EMULATOR_PORT ?= 8765
PORT ?= 7860

.PHONY: install chromium test lint demo clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## .venv with hubdemo (editable) and its dev tools

chromium:  ## Debian's Chromium for the browser tests (Playwright's own download does not work here)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install chromium  ## the whole test suite, no network needed
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff format --check hubdemo tests
	$(VENV)/bin/ruff check hubdemo tests
	$(VENV)/bin/mypy

# Until the local backend lands, the demo answers from recorded real router traffic: the Hub and
# router emulator replays it on 127.0.0.1, so this works with no network and no token.
demo: install
	@$(PY) tests/emulator.py --port $(EMULATOR_PORT) --lenient & emulator=$$!; \
	trap 'kill $$emulator 2>/dev/null' EXIT; \
	sleep 2; \
	HF_ENDPOINT=http://127.0.0.1:$(EMULATOR_PORT) HUBDEMO_ROUTER=http://127.0.0.1:$(EMULATOR_PORT) \
	  $(VENV)/bin/hubdemo serve $(DEMO_MODEL) --port $(PORT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
