"""A backfill of several days as concurrent runs, in separate processes, on one DuckDB file.

Each day is its own run, launched at the same moment as the others, as when several partitions are
launched from the UI or a backfill is split into runs. They share an instance configured by the
checked-in ``dagster.yaml``: its ``duckdb_warehouse`` pool lets one warehouse step write at a time, so
every run succeeds, none meets DuckDB's "Could not set lock on file", and each day's rows are loaded once.
"""

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from vision_assets.paths import REPO_ROOT
from vision_assets.simulate import simulate
from vision_assets_tests.automation_tests.run_checks import landed_and_loaded_rows_by_day, lock_errors, unsuccessful_runs

pytestmark = pytest.mark.slow

FIRST_DAY = date(2026, 10, 1)
DAYS = 3


@pytest.fixture(scope="module")
def concurrent_backfill(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    # dagster.yaml puts the storage under $DAGSTER_HOME, so it must name this instance's folder.
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("DAGSTER_HOME", str(dagster_home))
        instance = dg.DagsterInstance.from_config(str(dagster_home))
        instance.get_runs(limit=1)  # create the storage before the runs open it together
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=DAYS, scale=0.05, seed=5)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "VISION_DATA_DIR": str(root),
        "VISION_DUCKDB_PATH": str(root / "warehouse" / "vision.duckdb"),
    }
    env.pop("VISION_WAREHOUSE", None)
    days = [(FIRST_DAY + timedelta(days=offset)).isoformat() for offset in range(DAYS)]
    dagster = str(Path(sys.executable).parent / "dagster")
    runs = [
        subprocess.Popen(
            [dagster, "asset", "materialize", "-m", "vision_assets.definitions",
             "--select", 'key:"raw/*"', "--partition", day],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for day in days
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    yield {"instance": instance, "root": root, "days": days, "exit_codes": [run.returncode for run in runs],
           "outputs": outputs}


def test_every_concurrent_run_succeeds_without_a_lock_error(concurrent_backfill):
    exit_codes, outputs = concurrent_backfill["exit_codes"], concurrent_backfill["outputs"]
    assert exit_codes == [0] * DAYS, "\n\n".join(output[-2000:] for output in outputs)
    instance = concurrent_backfill["instance"]
    partitions = sorted(record.dagster_run.tags["dagster/partition"] for record in instance.get_run_records())
    assert partitions == concurrent_backfill["days"]
    assert not unsuccessful_runs(instance)
    assert not lock_errors(instance)


def test_each_day_is_loaded_once(concurrent_backfill):
    landed, loaded = landed_and_loaded_rows_by_day(concurrent_backfill["root"])
    assert loaded == landed
