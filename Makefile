# Two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install run test lint unit integration e2e fuzz soak bench kafka-up kafka-down clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@sh infra/ensure_fonts.sh || true
	@rm -f $(VENV)/.installed-*; touch $@

run: install
	$(VENV)/bin/espcrm run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Tests start the real servers they need (embedded PostgreSQL, a Kafka broker) themselves.
test: lint
	$(PY) -m pytest -p no:cacheprovider

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

# Speed against raw baselines on the project's own servers (.data/bench): under 10 minutes,
# or under 2 with QUICK=1. Results: benchmarks/results/ (quick: benchmarks/results/quick/).
bench: install
	$(PY) -m benchmarks $(if $(QUICK),--quick)

kafka-up: install
	$(VENV)/bin/espcrm kafka up

kafka-down: install
	$(VENV)/bin/espcrm kafka down

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache
