"""A run killed with SIGKILL in the middle of a warehouse write leaves a warehouse that opens, and re-running the
day gives tables identical, row for row, to a run that was never interrupted."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.raw.assets import raw_assets
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.hardening_tests.conftest import DAY, FIRST_DAY

pytestmark = pytest.mark.slow

# Loads the first day whole, then the second day until the handler of the KILL_AT-th table has inserted its
# rows (uncommitted), announces it, and waits there to be killed.
_KILLED_RUN = """
import sys, time
from datetime import date
from pathlib import Path
import dagster as dg
from vision_assets.raw.assets import raw_assets
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets.warehouse.duckdb import DeclaredSchemaDuckDBPandasTypeHandler

landing, database, marker, kill_at, first_day, day = sys.argv[1:]
resources = {"io_manager": VisionDuckDBPandasIOManager(database=database), "landing_zone": LandingZone(root=landing)}
assert dg.materialize(raw_assets, partition_key=first_day, resources=resources).success
original = DeclaredSchemaDuckDBPandasTypeHandler.handle_output
calls = []

def handle_output(self, context, table_slice, obj, connection):
    metadata = original(self, context, table_slice, obj, connection)
    calls.append(table_slice.table)
    if len(calls) == int(kill_at):
        Path(marker).write_text(table_slice.table)
        time.sleep(600)
    return metadata

DeclaredSchemaDuckDBPandasTypeHandler.handle_output = handle_output
dg.materialize(raw_assets, partition_key=day, resources=resources)
"""


def materialize(landing: Path, database: Path, day) -> None:
    resources = {"io_manager": VisionDuckDBPandasIOManager(database=str(database)),
                 "landing_zone": LandingZone(root=str(landing))}
    assert dg.materialize(raw_assets, partition_key=day.isoformat(), resources=resources).success


def table_hashes(database: Path) -> dict[str, str]:
    """A hash of every raw table's rows in a canonical order, leaving out the load time."""
    hashes = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        for table in SOURCE_TABLES:
            frame = connection.execute(f"select * exclude (_loaded_at) from raw.{table.name}").fetchdf()
            text = frame.sort_values(list(frame.columns)).to_csv(index=False)
            hashes[table.name] = hashlib.sha256(text.encode()).hexdigest()
    return hashes


def test_a_raw_load_killed_mid_write_reruns_to_the_uninterrupted_tables(simulated_landing, tmp_path):
    killed_db, clean_db, marker = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb", tmp_path / "writing"
    kill_at = len(SOURCE_TABLES) // 2
    log = tmp_path / "killed_run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", _KILLED_RUN, str(simulated_landing), str(killed_db), str(marker), str(kill_at),
             FIRST_DAY.isoformat(), DAY.isoformat()],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 240
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert marker.exists(), log.read_text()[-3000:]
    assert process.returncode == -signal.SIGKILL
    interrupted_table = marker.read_text()

    with duckdb.connect(str(killed_db)) as connection:  # the file opens, and the open write is gone
        rows_of_day = connection.execute(
            f"select count(*) from raw.{interrupted_table} where _source_file like ?", [f"%/{DAY.isoformat()}/%"]
        ).fetchone()[0]
    assert rows_of_day == 0, f"{interrupted_table}: the killed run's uncommitted rows survived"

    materialize(simulated_landing, killed_db, DAY)
    materialize(simulated_landing, clean_db, FIRST_DAY)
    materialize(simulated_landing, clean_db, DAY)
    assert table_hashes(killed_db) == table_hashes(clean_db)
