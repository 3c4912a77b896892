"""Every fault of the corpus fails the day or quarantines exactly the damaged rows, and the rows reconcile."""

import csv
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.landing.quarantine import quarantine_file, read_quarantine
from vision_assets.raw.assets import QUARANTINE_CHECK, RECONCILIATION_CHECK, build_raw_line_asset
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.hardening_tests.conftest import DAY
from vision_assets_tests.hardening_tests.faults import FAULTS, QUOTED_TEXT, ROWS_HIT, SQL_TEXT


def materialize(table, landing: Path, database: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_raw_line_asset(table.line, [table])],
        partition_key=DAY.isoformat(),
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(landing)),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def warehouse_table(database: Path, table) -> pd.DataFrame:
    """The table without its load time (which differs from run to run), in a stable order."""
    with duckdb.connect(str(database), read_only=True) as connection:
        frame = connection.execute(f"select * exclude (_loaded_at) from raw.{table.name}").fetchdf()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def landed_records(folder: Path) -> list[list[str]]:
    """Every data record of a table-day as the csv module reads it, independently of the loader."""
    records = []
    for path in sorted(folder.glob("part-*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            records += list(csv.reader(handle))[1:]
    return records


def copy_table(pristine: Path, tmp_path: Path, table) -> Path:
    landing = tmp_path / "landing"
    shutil.copytree(pristine / table.line / table.table, landing / table.line / table.table)
    return landing


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_a_fault_fails_the_day_or_quarantines_only_the_damaged_rows(simulated_landing, tmp_path, fault):
    table = SOURCE_TABLES_BY_NAME[fault.table]
    landing = copy_table(simulated_landing, tmp_path, table)
    database = tmp_path / "warehouse.duckdb"
    folder = landing_day_dir(landing, table, DAY)
    assert materialize(table, landing, database).success
    before = warehouse_table(database, table)
    key_index = [table.column_names.index(name) for name in table.key]
    records = landed_records(folder)
    damaged_keys = {tuple(records[row - 1][i] for i in key_index) for row in ROWS_HIT if row <= len(records)}

    hit = fault.mutate(folder)
    result = materialize(table, landing, database)
    after = warehouse_table(database, table)
    quarantine_root = tmp_path / "quarantine"

    if fault.outcome == "refused":
        assert not result.success
        message = result.get_step_failure_events()[0].step_failure_data.error.message
        assert f"{table.name}: the landing data was refused, nothing was written" in message
        assert re.search(fault.message, message), message
        pd.testing.assert_frame_equal(after, before)
        assert not quarantine_file(quarantine_root, table, DAY).exists()
        return

    assert result.success
    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    assert checks[RECONCILIATION_CHECK].passed
    landed = len(landed_records(folder))
    quarantined = read_quarantine(quarantine_root, table, DAY)
    duplicates = result.asset_materializations_for_node(f"raw_{table.line}")[0].metadata
    assert landed == len(after) + len(quarantined) + duplicates["duplicate_rows_removed"].value

    if fault.outcome == "quarantined":
        assert not checks[QUARANTINE_CHECK].passed
        assert checks[QUARANTINE_CHECK].severity == dg.AssetCheckSeverity.WARN
        assert re.search(fault.message, checks[QUARANTINE_CHECK].description), checks[QUARANTINE_CHECK].description
        first_file = quarantined[quarantined["_source_file"].str.endswith("part-00000.csv")]
        assert sorted(first_file["_data_row"].astype(int)) == hit
        assert quarantined["_reason"].notna().all()
        keys = before[list(table.key)].astype(str).apply(tuple, axis=1)
        kept = before[~keys.isin(damaged_keys)].reset_index(drop=True)
        pd.testing.assert_frame_equal(after, kept, check_dtype=False)
        return

    assert checks[QUARANTINE_CHECK].passed and quarantined.empty
    if fault.name == "quotes and SQL-looking text":
        assert {SQL_TEXT, QUOTED_TEXT} <= set(after["review_text"])
        assert len(after) == len(before)
    else:
        assert duplicates["duplicate_rows_removed"].value == len(ROWS_HIT)
        pd.testing.assert_frame_equal(after, before)


def test_a_corrected_landing_replaces_the_day_and_clears_its_quarantine(simulated_landing, tmp_path):
    table = SOURCE_TABLES_BY_NAME["books_orders"]
    landing = copy_table(simulated_landing, tmp_path, table)
    database = tmp_path / "warehouse.duckdb"
    folder = landing_day_dir(landing, table, DAY)
    assert materialize(table, landing, database).success
    clean = warehouse_table(database, table)
    next(f for f in FAULTS if f.name == "negative quantities").mutate(folder)
    assert materialize(table, landing, database).success
    assert quarantine_file(tmp_path / "quarantine", table, DAY).exists()

    shutil.rmtree(folder)
    shutil.copytree(landing_day_dir(simulated_landing, table, DAY), folder)  # the exporter re-sends the day
    result = materialize(table, landing, database)
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations())
    assert not quarantine_file(tmp_path / "quarantine", table, DAY).exists()
    pd.testing.assert_frame_equal(warehouse_table(database, table), clean)
