"""Vision's Snowflake connections over the wire, against fakesnow's server on loopback (:mod:`.snowflake_server`):
the endpoint settings reach both dbt and the IO manager, a table reads back as the embedded warehouse reads it,
and a reader of the live lane on a warehouse it never wrote to is told so. The whole pipeline on this endpoint
is ``test_pipeline_on_snowflake`` (``make test-long``).
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from vision_assets.paths import DBT_PROJECT_DIR, REPO_ROOT
from vision_assets.warehouse import LiveLaneNotStarted, VisionDuckDBPandasIOManager, snowflake_io_manager
from vision_assets.warehouse.snowflake import SnowflakeLiveConnection
from vision_assets_tests.warehouse_tests.snowflake_server import (
    emulator_differences,
    rewritten,
    snowflake_server,
)

DAYS = [date(2026, 6, 1), date(2026, 6, 2)]
PARTITIONS = dg.StaticPartitionsDefinition([day.isoformat() for day in DAYS])
COLUMN_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("sale_date", "date"),
        dg.TableColumn("sold_at", "timestamp"),
        dg.TableColumn("net_amount_usd", "decimal(18, 2)"),
        dg.TableColumn("quantity", "bigint"),
        dg.TableColumn("returned_quantity", "bigint"),
        dg.TableColumn("currency", "varchar"),
    ]
)


@pytest.fixture(scope="module")
def endpoint():
    with snowflake_server() as server:
        yield server


@pytest.fixture
def on_endpoint(endpoint, monkeypatch):
    for name, value in endpoint.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PRIVATE_KEY_PATH", raising=False)
    return endpoint


def _sales(day: date) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sale_date": [pd.Timestamp(day)] * 3,
            "sold_at": [pd.Timestamp(day) + pd.Timedelta(hours=hour) for hour in (9, 12, 23)],
            "net_amount_usd": [0.10, 0.20, 1234567.89],
            "quantity": [1, 2, 3],
            "returned_quantity": [None, 1.0, None],
            "currency": ["USD", "EUR", None],
        }
    )


def _read_back(io_manager) -> dict[str, pd.DataFrame]:
    """Two days of ``marts.sales_sample`` written, one rewritten, and both read by a downstream asset."""

    @dg.asset(
        key=["marts", "sales_sample"],
        partitions_def=PARTITIONS,
        metadata={"partition_expr": "sale_date", "dagster/column_schema": COLUMN_SCHEMA},
    )
    def sales_sample(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return _sales(date.fromisoformat(context.partition_key))

    read = {}

    @dg.asset(partitions_def=PARTITIONS, ins={"sales": dg.AssetIn(key=["marts", "sales_sample"])})
    def reader(context: dg.AssetExecutionContext, sales: pd.DataFrame) -> None:
        read[context.partition_key] = sales

    instance = dg.DagsterInstance.ephemeral()
    for day in [*DAYS, DAYS[0]]:
        result = dg.materialize(
            [sales_sample, reader],
            partition_key=day.isoformat(),
            resources={"io_manager": io_manager},
            instance=instance,
        )
        assert result.success
    return read


def test_a_table_reads_back_from_snowflake_as_from_the_embedded_warehouse(on_endpoint, tmp_path):
    on_snowflake = _read_back(snowflake_io_manager())
    embedded = _read_back(VisionDuckDBPandasIOManager(database=str(tmp_path / "vision.duckdb")))
    assert set(on_snowflake) == {day.isoformat() for day in DAYS}
    for day, frame in embedded.items():
        snowflake_frame = on_snowflake[day].sort_values("sold_at", ignore_index=True)
        frame = frame.sort_values("sold_at", ignore_index=True)
        assert list(snowflake_frame.columns) == list(frame.columns)
        assert snowflake_frame.dtypes.to_dict() == frame.dtypes.to_dict()
        pd.testing.assert_frame_equal(snowflake_frame, frame)
    # Money keeps its cents and a date is a date: nothing was coerced on the way.
    assert on_snowflake[DAYS[0].isoformat()]["net_amount_usd"].sum() == pytest.approx(1234568.19, abs=1e-9)


def test_the_dbt_profile_reaches_the_endpoint_from_the_same_settings(on_endpoint):
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "--no-use-colors", "debug", "--target", "snowflake"],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "Connection test: [OK connection ok]" in completed.stdout


def test_a_reader_of_the_live_lane_is_told_when_the_lane_never_wrote(on_endpoint, monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "NEVER_STREAMED")
    with pytest.raises(LiveLaneNotStarted, match="NEVER_STREAMED.LIVE"):
        SnowflakeLiveConnection(read_only=True)
    writer = SnowflakeLiveConnection()
    writer.execute("create table if not exists live.events (event_key varchar)")
    writer.close()
    reader = SnowflakeLiveConnection(read_only=True)
    try:
        assert reader.query("select count(*) as events from live.events")["events"].tolist() == [0]
    finally:
        reader.close()


def test_each_emulator_difference_is_listed_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text()
    differences = emulator_differences()
    assert differences
    for difference in differences:
        assert difference in " ".join(readme.split()), difference


def test_the_stage_rewrite_changes_only_a_quoted_stage_location():
    copy = """COPY INTO identifier(?) ("A") FROM (SELECT $1:A FROM '@"SNOWPARK_TEMP_STAGE_X1"') PURGE=TRUE"""
    assert (
        rewritten(copy)
        == """COPY INTO identifier(?) ("A") FROM (SELECT $1:A FROM @SNOWPARK_TEMP_STAGE_X1) PURGE=TRUE"""
    )
    unchanged = "select 'FROM ''@\"x\"''' as text from marts.fct_sales"
    assert rewritten(unchanged) == unchanged
