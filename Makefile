# Two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install run test cluster-test faults lint unit integration e2e fuzz soak soak-cluster bench kafka-up kafka-down clean \
	console console-test browser screenshots

install: $(STAMP) console browser

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@# --no-compile: Python compiles what is imported when it is first imported; compiling every
	@# installed module up front was half of a fresh install (56 s against 28 s here).
	$(PY) -m pip install -q --disable-pip-version-check --no-compile -e '.[dev]'
	@sh infra/ensure_fonts.sh || true
	@rm -f $(VENV)/.installed-*; touch $@

run: install
	@test -f console/dist/index.html || echo "No console: Node.js/npm is not installed here, so the API is served alone (the console needs make install with Node)."
	$(VENV)/bin/espcrm run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Tests start the real servers they need (embedded PostgreSQL, a Kafka broker) themselves.
# Three worker processes share them (tests/conftest.py); a file's tests stay on one worker.
# Three on two cores: a run keeps the cores only about half busy (servers starting, brokers
# stopping, browsers waiting), and a third worker fills that (eleventh session: pytest 440 s with
# two workers, 383 s with three; 474 s with three beside a process burning one core).
# The steps before pytest run side by side (-j3, each step's output kept together): the Python
# install beside npm ci and the console build, then the Python lint beside the console's
# checks. One after another they took 3 minutes of a clean clone's run.
TEST_WORKERS ?= 3
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint console-test
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile -m 'not cluster' --durations=25

# Local clusters (issue 18): `espcrm cluster up/down` with every part in its own process, and
# the three-broker Kafka cluster with a broker killed. Minutes of JVM and process start-up, so
# apart from `make test`; CI runs it after `make test`.
cluster-test: install
	$(PY) -m pytest -p no:cacheprovider -s -m cluster

# The fault loop (tests/integration/test_fault_loop.py, left out of a plain pytest run): the
# whole stack killed, PostgreSQL crashed and the broker stopped, each ESPCRM_FAULT_ROUNDS times
# (default 5), with a writer and a reader; recovery times printed.
faults: install
	$(PY) -m pytest -p no:cacheprovider -s -m faults tests/integration/test_fault_loop.py

# ---------------------------------------------------------------- the console (console/)
# Built by `make install` when Node.js is here: npm ci from the committed lockfile, then
# codegen from schema.graphql, tsc and vite. Without Node the API is served alone.
# --prefer-offline: packages already in npm's cache (~/.npm) are not asked for again, so a fresh
# clone on a machine that built the console before installs in seconds, not minutes.
NPM := $(shell command -v npm 2>/dev/null)
CONSOLE_INPUTS := $(shell find console/src console/public -type f -not -path 'console/src/gql/*' 2>/dev/null) \
	console/index.html console/graphiql.html console/vite.config.ts console/codegen.ts \
	console/tsconfig.json schema.graphql
IS_CI := $(filter true 1 yes,$(CI))

ifneq ($(NPM),)
console: console/dist/index.html

console/node_modules/.ci-stamp: console/package-lock.json console/package.json
	cd console && npm ci --prefer-offline --no-audit --no-fund --loglevel=error
	@touch $@

console/dist/index.html: console/node_modules/.ci-stamp $(CONSOLE_INPUTS)
	cd console && npm run --silent build

# ESLint, the generated types checked by tsc, and the console's unit tests (Vitest).
console-test: console
	cd console && npm run --silent lint && npm run --silent typecheck && npm test
else
console console-test:
	@if [ -n "$(IS_CI)" ]; then echo "CI needs Node.js and npm to build and test the console"; exit 1; fi
	@echo "No Node.js/npm here: the console is not built or tested; the API is served alone."
endif

# The browser test's Chromium (Debian's packages; a browser download is not possible here).
# In CI it is installed when missing; elsewhere `make install` says how.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ -n "$(IS_CI)" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	else echo "No chromium here: the console's browser test will fail until you apt-get install chromium chromium-driver."; fi

# The README's screenshots (docs/img/), made by the console's browser test.
screenshots: install
	ESPCRM_CONSOLE_SCREENSHOTS=docs/img $(PY) -m pytest tests/e2e/test_console_browser.py -q
	$(PY) -m tests.e2e.console_demo_screenshots docs/img

unit: install
	$(PY) -m pytest tests/unit -q

integration: install
	$(PY) -m pytest tests/integration -q

e2e: install
	$(PY) -m pytest tests/e2e -q

# A longer fuzz of the GraphQL API than the bounded one in `make test`.
fuzz: install
	ESPCRM_FUZZ_EXAMPLES=2000 $(PY) -m pytest tests/e2e/test_fuzz.py -q

# Not in CI: mixed traffic from 50 simulated users on its own stack; fails on any error.
SOAK_MINUTES ?= 10
soak: install
	$(PY) -m soak --minutes $(SOAK_MINUTES)

# The same soak against `espcrm cluster up` (2 API workers, standby runners, relay, warehouse).
soak-cluster: install
	$(PY) -m soak --cluster --minutes $(SOAK_MINUTES)

# Speed against raw baselines on the project's own servers (.data/bench): under 10 minutes,
# or under 2 with QUICK=1. Results: benchmarks/results/ (quick: benchmarks/results/quick/).
bench: install
	$(PY) -m benchmarks $(if $(QUICK),--quick)

kafka-up: install
	$(VENV)/bin/espcrm kafka up

kafka-down: install
	$(VENV)/bin/espcrm kafka down

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache console/dist
