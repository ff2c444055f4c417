PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE ?= examples/healthtech-hipaa.yaml
OUT    ?= out

.PHONY: install install-dev run test lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/activate
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-dev: $(BIN)/activate
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
