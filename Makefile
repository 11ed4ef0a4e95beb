# Two commands: `make run` starts the product with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///./referrals.db

.PHONY: run test lint bench bench-full clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/referrals migrate --db $(DB)
	$(BIN)/referrals demo --if-empty --db $(DB)
	$(BIN)/referrals serve --db $(DB)

test: $(VENV)/.test
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

lint: $(VENV)/.test
	$(BIN)/ruff check src tests bench

bench: $(VENV)/.test
	$(BIN)/python bench/quality_bench.py

clean:
	rm -rf $(VENV) referrals.db referrals.db-wal referrals.db-shm .pytest_cache test-artifacts
