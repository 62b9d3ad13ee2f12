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

.PHONY: demo cluster services test test-embedded test-services test-corpus test-services-and-corpus test-browser \
	chromium lint bench load venv clean

venv: $(INSTALLED)

# llama-cpp-python has no binary wheel: it is built from source once (5–10 minutes on 2 cores) into a wheel
# cache outside the checkout, which every later venv installs from in seconds. The build is portable
# (GGML_NATIVE=OFF: AVX2, no AVX-512/AMX): a build tuned to the build machine's CPU crashes on machines
# whose kernel or hypervisor does not enable AMX although the CPU reports it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
WHEELHOUSE ?= $(HOME)/.cache/supportagent/wheels
LLAMA_WHEEL_STAMP := $(WHEELHOUSE)/.llama-cpp-python-$(LLAMA_VERSION)-portable

$(LLAMA_WHEEL_STAMP):
	mkdir -p $(WHEELHOUSE)
	rm -f $(WHEELHOUSE)/llama_cpp_python-*.whl
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PYTHON) -m pip wheel --quiet --no-deps \
		--no-cache-dir --wheel-dir $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

$(INSTALLED): pyproject.toml $(LLAMA_WHEEL_STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-index --find-links $(WHEELHOUSE) --force-reinstall --no-deps \
		llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/python -m pip install --quiet --find-links $(WHEELHOUSE) -e '.[local-llm,dev,encoder]'
	touch $(INSTALLED)

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --reviewer $(DEMO_REVIEWER) --password $(DEMO_PASSWORD)
	$(BIN)/python manage.py run_demo --reviewer $(DEMO_REVIEWER) --password $(DEMO_PASSWORD)

# The production topology on this machine (see the README's deployment section): two web processes, a worker
# per queue, beat and the local LLM, on PostgreSQL and Redis (started here if they are down).
CLUSTER_DATABASE ?= supportagent
CLUSTER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(CLUSTER_DATABASE)
CLUSTER_REDIS_URL ?= redis://127.0.0.1:6379/1

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
		for _ in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		for _ in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

cluster: venv services
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(CLUSTER_DATABASE)'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres $(CLUSTER_DATABASE)
	DATABASE_URL=$(CLUSTER_DATABASE_URL) REDIS_URL=$(CLUSTER_REDIS_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(CLUSTER_DATABASE_URL) REDIS_URL=$(CLUSTER_REDIS_URL) $(BIN)/python manage.py load_demo \
		--reviewer $(DEMO_REVIEWER) --password $(DEMO_PASSWORD)
	DATABASE_URL=$(CLUSTER_DATABASE_URL) REDIS_URL=$(CLUSTER_REDIS_URL) $(BIN)/python manage.py run_cluster

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy agent review supportagent widget evaluation monitoring

test-embedded: venv
	$(BIN)/pytest --cov --cov-report=term:skip-covered -m "not browser and not corpus"

test-services: venv
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "not browser and not corpus"

# The committed attack corpora end to end, on the embedded set-up (no engine-specific code): ~5 minutes of the
# local LLM, which keeps one core busy, so they run beside the PostgreSQL + Redis run, which needs the other.
test-corpus: venv
	$(BIN)/pytest -m corpus

test-services-and-corpus: venv
	$(MAKE) --no-print-directory -j2 --output-sync=target test-services test-corpus

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); they run in their own
# pytest process, since sync Playwright and Django's async-safety checks do not share one.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test-browser: venv chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser tests/browser

test: lint test-embedded test-services-and-corpus test-browser

bench: venv
	$(BIN)/python -m pip install --quiet --find-links $(WHEELHOUSE) -e '.[bench,encoder]'
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/screening.py
	$(BIN)/python benchmarks/injection_loco.py

# Simulated customers against the cluster (its own database and Redis database; restarts Redis mid-run).
load: venv services
	$(BIN)/python -m pip install --quiet --find-links $(WHEELHOUSE) -e '.[bench]'
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var
