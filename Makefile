# Two commands: `make run` starts the product with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///./referrals.db
BENCH_BACKENDS ?= sqlite
TEST_WORKERS ?= 2  # pytest-xdist processes; each has its own SQLite files and PostgreSQL database

.PHONY: run test lint bench bench-full clean scale-test

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
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.test
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.test  # quick: 100,000 leads on SQLite (BENCH_BACKENDS="sqlite postgresql" adds PostgreSQL)
	$(BIN)/python bench/quality_bench.py
	$(BIN)/python bench/page_demo.py
	for b in $(BENCH_BACKENDS); do nice $(BIN)/python bench/runner.py --backend $$b --leads 100000 --runs 30 --label quick || exit 1; done

bench-full: $(VENV)/.test  # 1,000,000 leads on both databases (PostgreSQL: REFERRALS_BENCH_POSTGRES_URL)
	for b in sqlite postgresql; do nice $(BIN)/python bench/runner.py --backend $$b --leads 1000000 --runs 100 || exit 1; done

clean:
	rm -rf $(VENV) referrals.db referrals.db-wal referrals.db-shm referrals.db.secret-key \
		referrals-jobs.db referrals-jobs.db-wal referrals-jobs.db-shm .pytest_cache test-artifacts

scale-test: $(VENV)/.test  # not part of `make test`: 5-9 minutes on the 2-core machine (README, docs/performance.md)
	$(BIN)/python -m bench.scale.run
