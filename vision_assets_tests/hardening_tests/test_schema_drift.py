"""Schema drift: a new nullable column evolves the table on DuckDB and Snowflake; a lost or retyped one fails
before anything is written."""

import csv
import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import fakesnow
import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME, Column
from vision_assets.landing.layout import landing_day_dir
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.raw.assets import build_raw_line_asset
from vision_assets.resources import LandingZone
from vision_assets.transform.project import dbt_executable
from vision_assets.warehouse import VisionDuckDBPandasIOManager, snowflake_io_manager
from vision_assets_tests.hardening_tests.conftest import DAY, FIRST_DAY
from vision_assets_tests.raw_tests.test_snowflake_path import snowflake_env  # noqa: F401 (a fixture)

ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]
GIFT_WRAP = Column("gift_wrap", "string", "Gift wrap chosen, if any.", nullable=True, added_on=DAY)
WIDENED = replace(ORDERS, columns=(*ORDERS.columns, GIFT_WRAP))


def add_gift_wrap(folder: Path) -> list[str]:
    """The exporter starts sending gift_wrap; returns the values it sent, in file order."""
    path = sorted(folder.glob("part-*.csv"))[0]
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    values = ["ribbon" if index % 2 else "" for index in range(len(rows) - 1)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(
        [[*rows[0], "gift_wrap"], *[[*row, value] for row, value in zip(rows[1:], values)]]
    )
    path.write_text(buffer.getvalue())
    return values


def landing_with_gift_wrap(simulated_landing: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing / "books" / "orders", landing / "books" / "orders")
    return landing, add_gift_wrap(landing_day_dir(landing, ORDERS, DAY))


def materialize(table, day, resources, instance=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_raw_line_asset(table.line, [table])],
        partition_key=day.isoformat(),
        resources=resources,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def duckdb_resources(landing: Path, database: Path) -> dict:
    return {"io_manager": VisionDuckDBPandasIOManager(database=str(database)), "landing_zone": LandingZone(root=str(landing))}


def query(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchdf()


@pytest.mark.slow
def test_a_new_nullable_column_evolves_the_duckdb_table_and_dbt_still_builds(simulated_landing, tmp_path):
    landing, sent = landing_with_gift_wrap(simulated_landing, tmp_path)
    database = tmp_path / "vision.duckdb"
    resources = duckdb_resources(landing, database)
    assert materialize(ORDERS, FIRST_DAY, resources).success

    assert materialize(WIDENED, DAY, resources).success
    assert materialize(WIDENED, FIRST_DAY, resources).success  # a day from before the column still loads
    table = query(database, "select cast(ordered_at as date) as day, gift_wrap from raw.books_orders")
    assert table.loc[table["day"] == pd.Timestamp(FIRST_DAY), "gift_wrap"].isna().all()
    assert sorted(table.loc[table["day"] == pd.Timestamp(DAY), "gift_wrap"].fillna("")) == sorted(sent)
    assert "ribbon" in sent

    # The accounts and products the staged order lines are checked against (their foreign keys).
    shutil.copytree(simulated_landing / "books" / "customers", landing / "books" / "customers")
    shutil.copytree(simulated_landing / "books" / "catalog", landing / "books" / "catalog")
    for referenced in (SOURCE_TABLES_BY_NAME["books_customers"], SOURCE_TABLES_BY_NAME["books_catalog"]):
        for day in (FIRST_DAY, DAY):
            assert materialize(referenced, day, resources).success

    dbt = subprocess.run(
        [dbt_executable(), "build", "--select", "+stg_books__orders", "--target", "duckdb",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "dbt_target"), "--log-path", str(tmp_path / "dbt_logs")],
        env={**os.environ, "VISION_DUCKDB_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    staged = query(database, "select count(*) as n from staging.stg_books__orders")["n"].iloc[0]
    assert staged == len(table)


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        pytest.param(
            replace(ORDERS, columns=tuple(replace(c, type="decimal") if c.name == "quantity" else c
                                          for c in ORDERS.columns)),
            r"retyped \['quantity BIGINT -> DOUBLE'\]",
            id="retyped column",
        ),
        pytest.param(
            replace(ORDERS, columns=tuple(c for c in ORDERS.columns if c.name != "discount_amount")),
            r"lost \['discount_amount'\]",
            id="lost column",
        ),
        pytest.param(
            replace(WIDENED, columns=(*ORDERS.columns, replace(GIFT_WRAP, nullable=False, added_on=None))),
            r"new but required \['gift_wrap'\]",
            id="new required column",
        ),
    ],
)
def test_a_declared_schema_that_does_not_extend_the_table_fails_before_anything_is_written(
    simulated_landing, tmp_path, declared, message
):
    landing, _ = landing_with_gift_wrap(simulated_landing, tmp_path)
    folder = landing_day_dir(landing, ORDERS, DAY)
    database = tmp_path / "vision.duckdb"
    resources = duckdb_resources(landing, database)
    assert materialize(ORDERS, FIRST_DAY, resources).success
    before = query(database, "select * from raw.books_orders order by all")
    # The landing matches the new declaration, so only the warehouse can refuse it.
    header, *rows = list(csv.reader(io.StringIO(next(folder.glob("part-*.csv")).read_text(), newline="")))
    keep = [header.index(name) for name in declared.column_names]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([[row[i] for i in keep] for row in [header, *rows]])
    next(folder.glob("part-*.csv")).write_text(buffer.getvalue())

    result = materialize(declared, DAY, resources)
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "no longer extend the warehouse table" in failure.step_failure_data.error.message
    assert re.search(message, failure.step_failure_data.error.message)
    assert len([e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]) == 0
    pd.testing.assert_frame_equal(query(database, "select * from raw.books_orders order by all"), before)


def test_a_new_nullable_column_evolves_the_snowflake_table(simulated_landing, tmp_path, snowflake_env):
    landing, sent = landing_with_gift_wrap(simulated_landing, tmp_path)
    resources = {"io_manager": snowflake_io_manager(), "landing_zone": LandingZone(root=str(landing))}
    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        import snowflake.connector

        connection = snowflake.connector.connect(database="VISION_TEST")
        instance = dg.DagsterInstance.ephemeral()
        assert materialize(ORDERS, FIRST_DAY, resources, instance).success  # creates the table as declared
        assert materialize(WIDENED, DAY, resources, instance).success
        columns = [row[0] for row in connection.cursor().execute(
            "select column_name from vision_test.information_schema.columns "
            "where table_schema = 'RAW' and table_name = 'BOOKS_ORDERS' order by ordinal_position"
        ).fetchall()]
        rows = connection.cursor().execute(
            "select cast(ordered_at as date), gift_wrap from vision_test.raw.books_orders"
        ).fetchall()
        retyped = replace(WIDENED, columns=tuple(replace(c, type="decimal") if c.name == "quantity" else c
                                                 for c in WIDENED.columns))
        refused = materialize(retyped, DAY, resources, instance)
        after = connection.cursor().execute("select count(*) from vision_test.raw.books_orders").fetchone()[0]
    assert columns[-1] == "GIFT_WRAP"
    assert all(value is None for day, value in rows if day == FIRST_DAY)
    assert sorted(value or "" for day, value in rows if day == DAY) == sorted(sent)
    assert not refused.success
    assert "retyped ['quantity NUMBER -> FLOAT']" in refused.get_step_failure_events()[0].step_failure_data.error.message
    assert after == len(rows)
