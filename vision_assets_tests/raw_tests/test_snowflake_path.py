"""The production path: a raw asset written through SnowflakePandasIOManager, against the fakesnow emulator."""

from datetime import timedelta

import dagster as dg
import fakesnow
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.raw.assets import raw_assets, raw_column_schema
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
    asset = [a for a in raw_assets if a.key == dg.AssetKey(["raw", table.name])]
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
