"""Every raw asset loads its day exactly, re-loads it without doubling, and refuses a bad day whole."""

import re
import shutil
from datetime import timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES, SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.raw.assets import (
    QUARANTINE_CHECK,
    RECONCILIATION_CHECK,
    build_raw_line_asset,
    raw_asset_key,
    raw_assets,
)
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.raw_tests.conftest import FIRST_DAY

SECOND_DAY = FIRST_DAY + timedelta(days=1)


def resources(landing, database):
    return {
        "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
        "landing_zone": LandingZone(root=str(landing)),
    }


def materialize_day(assets, landing, database, day, instance=None):
    return dg.materialize(
        assets,
        partition_key=day.isoformat(),
        resources=resources(landing, database),
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def landed_rows(landing, table, day) -> int:
    """Distinct rows in the day's files, read independently of the loader."""
    files = sorted(landing_day_dir(landing, table, day).glob("*.csv"))
    frame = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False) for path in files])
    return len(frame.drop_duplicates())


def warehouse_rows(database, table_name, column, day) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            f"select count(*) from raw.{table_name} where {column} >= ? and {column} < ?",
            [day, day + timedelta(days=1)],
        ).fetchone()[0]


def test_every_raw_asset_loads_two_days_exactly_and_a_rerun_changes_nothing(simulated_landing, tmp_path):
    database = tmp_path / "warehouse.duckdb"
    for day in (FIRST_DAY, SECOND_DAY):
        assert materialize_day(raw_assets, simulated_landing, database, day).success

    expected = {
        (table.name, day): landed_rows(simulated_landing, table, day)
        for table in SOURCE_TABLES
        for day in (FIRST_DAY, SECOND_DAY)
    }
    for (name, day), rows in expected.items():
        table = SOURCE_TABLES_BY_NAME[name]
        assert warehouse_rows(database, name, table.event_time, day) == rows, (name, day)
    assert sum(expected.values()) > 1000, "the simulated days should not be trivially small"

    rerun = materialize_day(raw_assets, simulated_landing, database, FIRST_DAY)
    assert rerun.success
    for (name, day), rows in expected.items():
        table = SOURCE_TABLES_BY_NAME[name]
        assert warehouse_rows(database, name, table.event_time, day) == rows, f"{name} {day} changed on re-run"
    with duckdb.connect(str(database), read_only=True) as connection:
        for table in SOURCE_TABLES:
            # Catalogs and customers land as daily deltas, so an id recurs across days; within a day never.
            keys = ", ".join([*table.key, f"cast({table.event_time} as date)"])
            duplicated = connection.execute(
                f"select count(*) from (select {keys} from raw.{table.name} group by all having count(*) > 1)"
            ).fetchone()[0]
            assert duplicated == 0, table.name


def test_materialization_metadata_counts_rows_and_names_the_files(simulated_landing, tmp_path):
    orders = SOURCE_TABLES_BY_NAME["mart_orders"]
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing, landing)
    day_file = next(landing_day_dir(landing, orders, FIRST_DAY).glob("*.csv"))
    rows = day_file.read_text().splitlines(keepends=True)
    day_file.write_text("".join(rows + rows[1:3]))  # the exporter sent two rows twice

    asset = [build_raw_line_asset(orders.line, [orders])]
    result = materialize_day(asset, landing, tmp_path / "warehouse.duckdb", FIRST_DAY)
    assert result.success
    metadata = result.asset_materializations_for_node("raw_mart")[0].metadata
    assert metadata["duplicate_rows_removed"].value == 2
    assert metadata["rows_landed"].value == len(rows) - 1 + 2
    assert metadata["rows_loaded"].value == len(rows) - 1
    assert metadata["dagster/partition_row_count"].value == len(rows) - 1
    assert metadata["source_files"].value == [str(day_file.relative_to(landing))]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        pytest.param(
            lambda folder: (folder / "_SUCCESS").unlink(),
            r"has no _SUCCESS marker",
            id="unfinished export",
        ),
        pytest.param(
            lambda folder: _rewrite(
                folder, lambda lines: [lines[0]] + [line.replace(",", ",x", 1) for line in lines[1:]]
            ),
            r"part-00000.csv: column line_number is not a whole number in \d+ row\(s\).*the exporter changed "
            r"the column's type",
            id="retyped column",
        ),
        pytest.param(
            lambda folder: _rewrite(folder, lambda lines: [lines[0].replace("quantity,", "")] + lines[1:]),
            r"part-00000.csv: missing column\(s\) quantity",
            id="missing column",
        ),
    ],
)
def test_a_bad_day_fails_its_partition_and_leaves_the_warehouse_unchanged(
    simulated_landing, tmp_path, mutation, message
):
    orders = SOURCE_TABLES_BY_NAME["books_orders"]
    asset = [build_raw_line_asset(orders.line, [orders])]
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing, landing)
    database = tmp_path / "warehouse.duckdb"
    assert materialize_day(asset, landing, database, SECOND_DAY).success
    before = _table(database, "books_orders")

    mutation(landing_day_dir(landing, orders, SECOND_DAY))
    result = materialize_day(asset, landing, database, SECOND_DAY)

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "books_orders: the landing data was refused, nothing was written" in failure.message
    assert re.search(message, failure.message), failure.message
    pd.testing.assert_frame_equal(_table(database, "books_orders"), before)


def _line_asset(line: str) -> dg.AssetsDefinition:
    """The asset of ``raw_assets`` that loads the business line's tables (one step per line)."""
    (asset,) = [asset for asset in raw_assets if {key.path[1].split("_")[0] for key in asset.keys} == {line}]
    return asset


def test_refused_tables_fail_their_lines_step_while_the_lines_other_tables_load(simulated_landing, tmp_path):
    books = [table for table in SOURCE_TABLES if table.line == "books"]
    refused = [SOURCE_TABLES_BY_NAME["books_orders"], SOURCE_TABLES_BY_NAME["books_reviews"]]
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing, landing)
    for table in refused:
        (landing_day_dir(landing, table, FIRST_DAY) / "_SUCCESS").unlink()
    database = tmp_path / "warehouse.duckdb"

    result = materialize_day([_line_asset("books")], landing, database, FIRST_DAY)

    assert not result.success
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    for table in refused:
        refusal = rf"{table.name}: the landing data was refused, nothing was written\..*_SUCCESS"
        assert re.search(refusal, message), message
    loaded = [table for table in books if table not in refused]
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {
        raw_asset_key(table) for table in loaded
    }
    for table in loaded:
        assert warehouse_rows(database, table.name, table.event_time, FIRST_DAY) == landed_rows(
            landing, table, FIRST_DAY
        ), table.name
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = {name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()}
    assert tables == {table.name for table in loaded}


def test_a_run_of_one_table_of_a_line_loads_that_table_and_runs_only_its_checks(simulated_landing, tmp_path):
    orders = SOURCE_TABLES_BY_NAME["books_orders"]
    key = raw_asset_key(orders)
    database = tmp_path / "warehouse.duckdb"
    options = {
        "partition_key": FIRST_DAY.isoformat(),
        "resources": resources(simulated_landing, database),
        "instance": dg.DagsterInstance.ephemeral(),
    }

    result = dg.materialize([_line_asset("books")], selection=[key], **options)

    assert [event.asset_key for event in result.get_asset_materialization_events()] == [key]
    assert {(check.asset_key, check.check_name) for check in result.get_asset_check_evaluations()} == {
        (key, QUARANTINE_CHECK),
        (key, RECONCILIATION_CHECK),
    }
    assert warehouse_rows(database, orders.name, orders.event_time, FIRST_DAY) == landed_rows(
        simulated_landing, orders, FIRST_DAY
    )

    without_checks = dg.materialize(
        [_line_asset("books")], selection=dg.AssetSelection.assets(key).without_checks(), **options
    )
    assert without_checks.success
    assert without_checks.get_asset_check_evaluations() == []


def _rewrite(folder, change):
    """Apply ``change`` to the lines of every data file of a landed table-day."""
    for path in folder.glob("part-*.csv"):
        path.write_text("".join(change(path.read_text().splitlines(keepends=True))))


def _table(database, name) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select * from raw.{name} order by all").fetchdf()


def test_a_first_day_with_no_rows_still_creates_the_table_with_its_contract_types(simulated_landing, tmp_path):
    reviews = SOURCE_TABLES_BY_NAME["music_reviews"]
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing, landing)
    _rewrite(landing_day_dir(landing, reviews, FIRST_DAY), lambda lines: lines[:1])  # header only
    asset = [build_raw_line_asset(reviews.line, [reviews])]
    database = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        asset,
        partition_key=FIRST_DAY.isoformat(),
        resources=resources(landing, database),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = dict(connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'music_reviews' order by ordinal_position"
        ).fetchall())
        assert connection.execute("select count(*) from raw.music_reviews").fetchone()[0] == 0
    assert columns["review_id"] == "VARCHAR"
    assert columns["rating"] == "BIGINT"
    assert columns["reviewed_at"] == "TIMESTAMP"
    assert list(columns) == [*reviews.column_names, "_source_file", "_loaded_at"]

