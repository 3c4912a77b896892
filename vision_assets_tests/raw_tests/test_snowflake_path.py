"""The production path: a raw asset written through SnowflakePandasIOManager, against the fakesnow emulator."""

from datetime import timedelta

import dagster as dg
import fakesnow
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.raw.assets import build_raw_line_asset, raw_column_schema
from vision_assets.resources import LandingZone
from vision_assets.warehouse import snowflake_io_manager
from vision_assets_tests.raw_tests.conftest import FIRST_DAY
from vision_assets_tests.raw_tests.test_raw_assets import landed_rows

SNOWFLAKE_ENV = {
    "SNOWFLAKE_ACCOUNT": "vision_test",
    "SNOWFLAKE_USER": "vision_loader",
    "SNOWFLAKE_PASSWORD": "not-a-real-password",
    "SNOWFLAKE_ROLE": "loader",
    "SNOWFLAKE_DATABASE": "vision_test",
    "SNOWFLAKE_WAREHOUSE": "load_wh",
}


@pytest.fixture
def snowflake_env(monkeypatch):
    for name, value in SNOWFLAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PRIVATE_KEY_PATH", raising=False)


def test_a_raw_asset_loads_and_reloads_a_day_in_snowflake(simulated_landing, snowflake_env):
    table = SOURCE_TABLES_BY_NAME["books_orders"]
    asset = [build_raw_line_asset(table.line, [table])]
    resources = {"io_manager": snowflake_io_manager(), "landing_zone": LandingZone(root=str(simulated_landing))}
    days = [FIRST_DAY, FIRST_DAY + timedelta(days=1)]

    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        import snowflake.connector

        connection = snowflake.connector.connect(database="VISION_TEST")
        # fakesnow words "table does not exist" differently from Snowflake, which the IO manager's first
        # delete relies on; creating the table first keeps the product code exactly as on Snowflake.
        columns = ", ".join(f"{column.name} {column.type}" for column in raw_column_schema(table).columns)
        connection.cursor().execute("create schema if not exists vision_test.raw")
        connection.cursor().execute(f"create table vision_test.raw.{table.name} ({columns})")

        instance = dg.DagsterInstance.ephemeral()
        for day in [*days, days[0]]:
            result = dg.materialize(asset, partition_key=day.isoformat(), resources=resources, instance=instance)
            assert result.success

        counts = dict(
            connection.cursor()
            .execute(f"select cast(ordered_at as date), count(*) from vision_test.raw.{table.name} group by 1")
            .fetchall()
        )
    assert counts == {day: landed_rows(simulated_landing, table, day) for day in days}


def test_a_write_that_fails_after_the_delete_leaves_the_day_as_it_was(simulated_landing, snowflake_env, monkeypatch):
    """The day's delete and insert commit together: a failure between them rolls the delete back."""
    from fakesnow.cursor import FakeSnowflakeCursor

    table = SOURCE_TABLES_BY_NAME["books_orders"]
    asset = [build_raw_line_asset(table.line, [table])]
    resources = {"io_manager": snowflake_io_manager(), "landing_zone": LandingZone(root=str(simulated_landing))}
    days = [FIRST_DAY, FIRST_DAY + timedelta(days=1)]
    count_by_day = f"select cast(ordered_at as date), count(*) from vision_test.raw.{table.name} group by 1"

    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        import snowflake.connector

        connection = snowflake.connector.connect(database="VISION_TEST")
        instance = dg.DagsterInstance.ephemeral()
        for day in days:
            assert dg.materialize(asset, partition_key=day.isoformat(), resources=resources, instance=instance).success
        before = dict(connection.cursor().execute(count_by_day).fetchall())

        original_execute = FakeSnowflakeCursor.execute

        def execute(self, command, *args, **kwargs):
            if command.lower().startswith("insert into"):
                raise snowflake.connector.errors.ProgrammingError("the warehouse refused the insert")
            return original_execute(self, command, *args, **kwargs)

        monkeypatch.setattr(FakeSnowflakeCursor, "execute", execute)
        result = dg.materialize(
            asset, partition_key=days[0].isoformat(), resources=resources, instance=instance, raise_on_error=False
        )
        monkeypatch.setattr(FakeSnowflakeCursor, "execute", original_execute)
        after = dict(connection.cursor().execute(count_by_day).fetchall())
        load_tables = connection.cursor().execute(
            "select table_name from vision_test.information_schema.tables where table_name like '%VISION_LOAD%'"
        ).fetchall()

    assert not result.success
    assert "the warehouse refused the insert" in result.get_step_failure_events()[0].step_failure_data.error.message
    assert before == {day: landed_rows(simulated_landing, table, day) for day in days}
    assert after == before
    assert load_tables == []
