"""Which warehouse Vision writes to, decided in one place.

``VISION_WAREHOUSE=duckdb`` (the default) is the embedded warehouse in ``data/warehouse/vision.duckdb``:
no account, no network. ``VISION_WAREHOUSE=snowflake`` is production; every connection field comes from
an environment variable through ``dg.EnvVar``, so no credential is ever written into code, config or
the Dagster UI. Key-pair authentication is used when ``SNOWFLAKE_PRIVATE_KEY_PATH`` is set, a password
otherwise.
"""

import os

import dagster as dg
from dagster_duckdb_pandas import DuckDBPandasIOManager
from dagster_snowflake_pandas import SnowflakePandasIOManager

from vision_assets.paths import duckdb_path

WAREHOUSES = ("duckdb", "snowflake")


def warehouse_name() -> str:
    name = os.environ.get("VISION_WAREHOUSE", "duckdb").strip().lower()
    if name not in WAREHOUSES:
        raise ValueError(f"VISION_WAREHOUSE={name!r} is not one of {', '.join(WAREHOUSES)}")
    return name


def duckdb_io_manager() -> DuckDBPandasIOManager:
    path = duckdb_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBPandasIOManager(database=str(path))


def snowflake_io_manager() -> SnowflakePandasIOManager:
    authentication = (
        {
            "private_key_path": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PATH"),
            "private_key_password": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PASSWORD"),
        }
        if os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH")
        else {"password": dg.EnvVar("SNOWFLAKE_PASSWORD")}
    )
    return SnowflakePandasIOManager(
        account=dg.EnvVar("SNOWFLAKE_ACCOUNT"),
        user=dg.EnvVar("SNOWFLAKE_USER"),
        database=dg.EnvVar("SNOWFLAKE_DATABASE"),
        warehouse=dg.EnvVar("SNOWFLAKE_WAREHOUSE"),
        role=dg.EnvVar("SNOWFLAKE_ROLE"),
        store_timestamps_as_strings=False,
        **authentication,
    )


def warehouse_io_manager() -> dg.ConfigurableIOManagerFactory:
    """The IO manager of the selected warehouse: every table asset is written and read through it."""
    return snowflake_io_manager() if warehouse_name() == "snowflake" else duckdb_io_manager()


DUCKDB_WRITER_POOL = "duckdb_warehouse"


def warehouse_pool() -> str | None:
    """The concurrency pool every step that opens the warehouse takes a slot of.

    DuckDB allows one process at a time to open its file for writing; the pool (limit 1 in
    ``dagster.yaml``) makes Dagster queue such steps across all runs instead of letting them fail with
    "Could not set lock on file". Snowflake has no such limit, so there is no pool to wait for.
    """
    return DUCKDB_WRITER_POOL if warehouse_name() == "duckdb" else None


def warehouse_executor() -> dg.ExecutorDefinition:
    """In-process on DuckDB (its steps cannot run side by side anyway), parallel processes on Snowflake."""
    return dg.in_process_executor if warehouse_name() == "duckdb" else dg.multiprocess_executor
