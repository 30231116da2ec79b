# One runner for developers and CI (.ci/run calls `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install serve check test test-fast clean

$(BIN)/dttools: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/dttools

tests/node_modules/.package-lock.json: tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error

serve: install
	$(BIN)/dttools serve

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: check tests/node_modules/.package-lock.json
	$(BIN)/pytest --cov=collab --cov-branch --cov-report=term-missing:skip-covered
	# once more under asyncio debug mode: un-awaited coroutines, unclosed transports, slow callbacks
	PYTHONASYNCIODEBUG=1 $(BIN)/pytest -q --no-header -p no:cacheprovider tests/http_api tests/rooms

test-fast: install
	$(BIN)/pytest -x -q

clean:
	rm -rf $(VENV) tests/node_modules load_tests/node_modules .mypy_cache .ruff_cache .pytest_cache
