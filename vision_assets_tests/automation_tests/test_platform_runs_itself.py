"""End to end on loopback: `dagster dev` (webserver and daemon) turns freshly landed days into demand facts.

The test lands two recent days with the simulator, starts `dagster dev` against a temporary
DAGSTER_HOME and warehouse, and waits (bounded) for what a person would otherwise click: the landing
sensors launch one run per business line and day (eight runs, up to four at once, their warehouse steps
taking turns through the DuckDB pool), and declarative automation builds the dbt models and the demand
facts for those days. It then checks that every run succeeded (no "Could not set lock" failure), the raw
tables hold exactly the landed rows, and the demand partitions exist. It stops the processes it started.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest

from vision_assets.paths import REPO_ROOT
from vision_assets.simulate import simulate
from vision_assets_tests.automation_tests.run_checks import landed_and_loaded_rows_by_day, lock_errors, unsuccessful_runs

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DAYS = 2
WAIT_SECONDS = 600
DEMAND_KEY = dg.AssetKey(["demand", "fct_daily_demand"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _own_process_group_with_default_signals() -> None:
    # A non-interactive shell starts background children with SIGINT ignored; dagster dev would then
    # outlive the test. Its own group, with default handlers, lets the test stop all of it at once.
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the whole group (webserver, daemon, code servers, runs), then SIGKILL what is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # anyone left in the group?
        except ProcessLookupError:
            return
        time.sleep(1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def running_platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("platform")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
    first_day = yesterday - timedelta(days=DAYS - 1)
    simulate(root / "landing", root / "truth", start=first_day, days=DAYS, scale=0.1, seed=21)

    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "VISION_DATA_DIR": str(root),
        "VISION_DUCKDB_PATH": str(root / "warehouse" / "vision.duckdb"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("VISION_WAREHOUSE", None)
    # The instance's SQLite storage is created here, before dagster dev starts: its webserver, daemon and
    # code server would otherwise create it at the same moment as this test ("alembic_version has more
    # than one head").
    # dagster.yaml puts the storage under $DAGSTER_HOME, so it must name this instance's folder.
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("DAGSTER_HOME", str(dagster_home))
        instance = dg.DagsterInstance.from_config(str(dagster_home))
        instance.get_runs(limit=1)
    log_path = root / "dagster_dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster"), "dev", "--host", "127.0.0.1", "--port", str(_free_port())],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_own_process_group_with_default_signals,
        )
    try:
        days = [(first_day + timedelta(days=offset)).isoformat() for offset in range(DAYS)]
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"dagster dev exited early; see {log_path}:\n{log_path.read_text()[-3000:]}")
            if set(days) <= instance.get_materialized_partitions(DEMAND_KEY) and not _unfinished_runs(instance):
                break
            time.sleep(5)
        yield {"instance": instance, "days": days, "root": root, "log": log_path}
    finally:
        _stop(process)


def _unfinished_runs(instance: dg.DagsterInstance) -> list:
    return instance.get_run_records(
        dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
                                dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])
    )


def test_landed_days_flow_to_the_demand_facts_without_a_person(running_platform):
    instance, days = running_platform["instance"], running_platform["days"]
    materialized = instance.get_materialized_partitions(DEMAND_KEY)
    assert set(days) <= materialized, (
        f"demand partitions {sorted(materialized)} after {WAIT_SECONDS} s; expected {days}. "
        f"Log: {running_platform['log']}"
    )
    sensor_runs = [
        record.dagster_run
        for record in instance.get_run_records()
        if record.dagster_run.tags.get("vision/trigger", "").endswith("_landing_sensor")
    ]
    assert len(sensor_runs) == 4 * DAYS, "one run per business line and day, each requested once"


def test_concurrent_runs_all_succeeded_without_a_lock_error(running_platform):
    instance = running_platform["instance"]
    assert not unsuccessful_runs(instance)
    assert not lock_errors(instance)


def test_raw_tables_hold_exactly_the_landed_rows(running_platform):
    landed, loaded = landed_and_loaded_rows_by_day(running_platform["root"])
    assert loaded == landed
