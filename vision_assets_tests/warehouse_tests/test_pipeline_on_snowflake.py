"""The whole pipeline on Snowflake: every asset from raw to the dashboards builds on a Snowflake wire endpoint
(fakesnow's server, :mod:`.snowflake_server`), every check has the outcome it has on the embedded warehouse
and none fails, and every dashboard's totals and every table's row count equal the embedded warehouse's build
of the same landed days, to the cent.

Both builds run the production code unchanged, each in a process of its own (``build_days``): only
``VISION_WAREHOUSE`` and the ``SNOWFLAKE_*`` settings differ. The Snowflake build goes through dbt-snowflake,
Dagster's Snowflake IO manager (``write_pandas``, temporary load tables, ``fetch_pandas_all``) and the
live lane's Snowflake store. The demo's 30 days at its scale, so the demand forecast and the churn and
recommendation models fit on Snowflake too and their quality checks have the data they need (about 12
minutes in all: ``make test-long``).
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.simulate import simulate
from vision_assets.warehouse.snowflake import snowflake_connection
from vision_assets_tests.dashboards_tests.test_dashboard_totals import PAGES
from vision_assets_tests.warehouse_tests.snowflake_server import snowflake_server

pytestmark = pytest.mark.long

FIRST_DAY = date(2026, 11, 3)  # the 30 days to 2026-12-02, a demo window
DAYS = int(os.environ.get("VISION_SNOWFLAKE_PIPELINE_DAYS", "30"))
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
SCALE = 1.0  # the demo's size, on which every model's quality check passes (make run)


def build(root: Path, landing: Path, backend: str, settings: dict[str, str]) -> dict:
    """Every asset for the window, built by a fresh process on ``backend``; what ``build_days`` reports."""
    target = Path("target") / f"{backend}-pipeline-{uuid.uuid4().hex[:7]}"
    environment = {
        **os.environ,
        **settings,
        "VISION_WAREHOUSE": backend,
        "VISION_DATA_DIR": str(root),
        # Set, not inherited: loading the dbt project pins VISION_DUCKDB_PATH in this process's environment
        # (transform/project.py, for dbt's profile), to this session's file, not the build's.
        "VISION_DUCKDB_PATH": str(root / "warehouse" / "vision.duckdb"),
        "VISION_LANDING_ROOT": str(landing),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "VISION_DBT_TARGET_PATH": str(target),
    }
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "vision_assets_tests.warehouse_tests.build_days",
                "--first",
                FIRST_DAY.isoformat(),
                "--last",
                LAST_DAY.isoformat(),
            ],
            env=environment,
            capture_output=True,
            text=True,
            timeout=3000,
            check=False,
        )
    finally:
        shutil.rmtree(DBT_PROJECT_DIR / target, ignore_errors=True)
    (root / "build.log").write_text(completed.stderr)
    assert completed.returncode == 0, completed.stderr[-4000:]
    (root / "build.json").write_text(completed.stdout)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def duckdb_row_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{schema}.{table}".lower(): connection.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchall()[0][0]
            for schema, table in tables
        }


def snowflake_row_counts(settings: dict[str, str]) -> dict[str, int]:
    """Every table's row count, through the connection Vision itself opens from these settings."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in settings.items():
            environment.setenv(name, value)
        with snowflake_connection() as connection:
            cursor = connection.cursor()
            tables = cursor.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' and table_schema <> 'INFORMATION_SCHEMA'"
            ).fetchall()
            counts = {}
            for schema, table in tables:
                (count,) = cursor.execute(f"select count(*) from {schema}.{table}").fetchall()[0]
                counts[f"{schema}.{table}".lower()] = count
            return counts


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline-on-snowflake")
    landing = root / "landing"
    # The simulator's truth sits in each data folder, where the model-quality checks score against it.
    simulate(landing, root / "duckdb" / "simulator_truth", start=FIRST_DAY, days=DAYS, scale=SCALE, seed=7)
    shutil.copytree(root / "duckdb" / "simulator_truth", root / "snowflake" / "simulator_truth")
    embedded = build(root / "duckdb", landing, "duckdb", {})
    embedded["row_counts"] = duckdb_row_counts(root / "duckdb" / "warehouse" / "vision.duckdb")
    with snowflake_server(log_path=root / "fakesnow.log") as server:
        settings = server.environment()
        on_snowflake = build(root / "snowflake", landing, "snowflake", settings)
        on_snowflake["row_counts"] = snowflake_row_counts(settings)
    return embedded, on_snowflake


def test_every_asset_builds_on_snowflake(both_builds):
    embedded, on_snowflake = both_builds
    assert embedded["success"], embedded["failed_steps"]
    assert on_snowflake["success"], on_snowflake["failed_steps"]
    assert on_snowflake["materialized"] == embedded["materialized"]
    assert any(key.startswith("predictions/") for key in on_snowflake["materialized"])


def test_every_check_has_the_same_outcome_on_snowflake_and_none_fails(both_builds):
    embedded, on_snowflake = both_builds
    assert on_snowflake["checks"] == embedded["checks"]
    assert [name for name, outcome in on_snowflake["checks"].items() if outcome == "failed"] == []
    # The dbt tests and data-quality checks pass; only a model's judgement may warn on a short history.
    warned = [name for name, outcome in on_snowflake["checks"].items() if outcome == "warned"]
    assert all(name.split("/")[0] in ("predictions", "analytics", "recommendations") for name in warned), (
        warned
    )


def test_the_dashboards_show_the_embedded_warehouse_s_totals_to_the_cent(both_builds):
    embedded, on_snowflake = both_builds
    pages_with_totals = {page for page, totals in embedded["totals"].items() if totals}
    assert pages_with_totals >= set(PAGES)
    assert set(on_snowflake["totals"]) == set(embedded["totals"])
    for page in pages_with_totals:
        assert on_snowflake["totals"][page] == embedded["totals"][page], page


def test_every_table_holds_the_same_rows_on_snowflake(both_builds):
    embedded, on_snowflake = both_builds
    tables = {name: count for name, count in embedded["row_counts"].items() if not name.startswith("live.")}
    assert {name: on_snowflake["row_counts"].get(name) for name in tables} == tables
