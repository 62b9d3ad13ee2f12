# supportagent: `make demo` runs the product on the embedded default; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The services the second test run uses (CI starts them; see .ci/run).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
DEMO_REVIEWER ?= reviewer
DEMO_PASSWORD ?= lumen-demo-review

.PHONY: demo test test-embedded test-services test-browser chromium lint bench venv clean

venv: $(INSTALLED)

# pip keeps the wheel it builds for llama-cpp-python in its cache, so a new venv reuses it in seconds.
$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/python -m pip install --quiet -e '.[local-llm,dev]'
	touch $(INSTALLED)

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --reviewer $(DEMO_REVIEWER) --password $(DEMO_PASSWORD)
	$(BIN)/python manage.py run_demo --reviewer $(DEMO_REVIEWER) --password $(DEMO_PASSWORD)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy agent review supportagent

test-embedded: venv
	$(BIN)/pytest --cov --cov-report=term:skip-covered

test-services: venv
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); they run in their own
# pytest process, since sync Playwright and Django's async-safety checks do not share one.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test-browser: venv chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser tests/browser

test: lint test-embedded test-services test-browser

bench: venv
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) var
