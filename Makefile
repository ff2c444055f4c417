PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE ?= examples/healthtech-hipaa.yaml
OUT    ?= out

SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: install install-dev system-deps run test lint bench clean

# WeasyPrint renders PDFs through Pango; Debian-based machines get it from apt (needs root).
system-deps:
	@if command -v dpkg >/dev/null 2>&1 && ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: system-deps $(BIN)/activate
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-dev: system-deps $(BIN)/activate
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'

run: install
	$(BIN)/infra-mind assess $(EXAMPLE) --out $(OUT)

test: install-dev
	$(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
