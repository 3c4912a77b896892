"""Which warehouse Vision writes to, decided in one place.

``VISION_WAREHOUSE=duckdb`` (the default) is the embedded warehouse in ``data/warehouse/vision.duckdb``:
no account, no network. ``VISION_WAREHOUSE=snowflake`` is production; every connection field comes from
an environment variable through ``dg.EnvVar``, so no credential is ever written into code, config or
the Dagster UI. Key-pair authentication is used when ``SNOWFLAKE_PRIVATE_KEY_PATH`` is set, a password
otherwise.
"""

import os
from typing import TYPE_CHECKING

import dagster as dg
from dagster._core.storage.db_io_manager import DbTypeHandler, TableSlice
from dagster_duckdb_pandas import DuckDBPandasIOManager, DuckDBPandasTypeHandler

from vision_assets.paths import duckdb_path

if TYPE_CHECKING:
    from dagster_snowflake_pandas import SnowflakePandasIOManager

WAREHOUSES = ("duckdb", "snowflake")


def warehouse_name() -> str:
    name = os.environ.get("VISION_WAREHOUSE", "duckdb").strip().lower()
    if name not in WAREHOUSES:
        raise ValueError(f"VISION_WAREHOUSE={name!r} is not one of {', '.join(WAREHOUSES)}")
    return name


class DeclaredSchemaDuckDBPandasTypeHandler(DuckDBPandasTypeHandler):
    """The shipped pandas handler, plus: a table is created from the asset's declared column schema.

    The shipped handler creates a table from the first frame it writes and skips an empty frame without
    creating anything. A business line that exported no rows of a table on the first day loaded (a quiet
    day for reviews) would then leave no table at all, and every dbt model reading it would fail. Creating
    the table from ``dagster/column_schema`` (the landing contract, for raw assets) before the write gives
    it its declared types whatever the first day held.
    """

    def handle_output(self, context: dg.OutputContext, table_slice: TableSlice, obj, connection):
        declared = (context.definition_metadata or {}).get("dagster/column_schema")
        if declared is not None:
            names = [column.name for column in declared.columns]
            missing = [name for name in names if name not in obj.columns]
            undeclared = [name for name in obj.columns if name not in names]
            if missing or undeclared:
                raise dg.Failure(
                    f"{table_slice.schema}.{table_slice.table}: the frame does not match the declared column "
                    f"schema (missing {missing}, undeclared {undeclared}); nothing was written"
                )
            # The shipped handler inserts by position: put the columns in the table's declared order.
            obj = obj[names]
            columns = ", ".join(f'"{column.name}" {column.type}' for column in declared.columns)
            connection.execute(f"create table if not exists {table_slice.schema}.{table_slice.table} ({columns})")
            if obj.empty:
                count_key = "dagster/partition_row_count" if context.has_partition_key else "dagster/row_count"
                context.add_output_metadata({count_key: 0})
                return
        super().handle_output(context, table_slice, obj, connection)


class VisionDuckDBPandasIOManager(DuckDBPandasIOManager):
    """``DuckDBPandasIOManager`` whose tables take their declared column schema (see the handler)."""

    @staticmethod
    def type_handlers() -> list[DbTypeHandler]:
        return [DeclaredSchemaDuckDBPandasTypeHandler()]


def duckdb_io_manager() -> VisionDuckDBPandasIOManager:
    path = duckdb_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return VisionDuckDBPandasIOManager(database=str(path))


def snowflake_io_manager() -> "SnowflakePandasIOManager":
    # Imported here: the Snowflake connector takes seconds to import, a cost every run worker and code
    # server would pay on the embedded warehouse too.
    from dagster_snowflake_pandas import SnowflakePandasIOManager

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
