"""Which warehouse Vision writes to, decided in one place.

``VISION_WAREHOUSE=duckdb`` (the default) is the embedded warehouse in ``data/warehouse/vision.duckdb``:
no account, no network. ``VISION_WAREHOUSE=snowflake`` is production; every connection field comes from
an environment variable through ``dg.EnvVar``, so no credential is ever written into code, config or
the Dagster UI. Key-pair authentication is used when ``SNOWFLAKE_PRIVATE_KEY_PATH`` is set, a password
otherwise.
"""

import functools
import inspect
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster._core.storage.db_io_manager import DbIOManager, DbTypeHandler, TableSlice
from dagster._core.definitions.metadata import TableMetadataSet
from dagster_duckdb.io_manager import DuckDbClient, _get_cleanup_statement
from dagster_duckdb_pandas import DuckDBPandasIOManager, DuckDBPandasTypeHandler

from vision_assets.paths import duckdb_path

if TYPE_CHECKING:
    from vision_assets.snowflake_warehouse import VisionSnowflakePandasIOManager

WAREHOUSES = ("duckdb", "snowflake")

# Schemas, tables and columns reach SQL as text: plain identifiers only. Types are the declared ones.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]+\))?")

WAREHOUSE_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""Retries for steps that write the warehouse: a locked DuckDB file or a dropped Snowflake connection
clears up by itself. Every other error is made non-retryable (:func:`fail_fast_unless_transient`)."""


def warehouse_name() -> str:
    name = os.environ.get("VISION_WAREHOUSE", "duckdb").strip().lower()
    if name not in WAREHOUSES:
        raise ValueError(f"VISION_WAREHOUSE={name!r} is not one of {', '.join(WAREHOUSES)}")
    return name


_TRANSIENT_SNOWFLAKE_ERRORS = {
    "OperationalError",
    "InterfaceError",
    "ServiceUnavailableError",
    "GatewayTimeoutError",
    "BadGatewayError",
    "OtherHTTPRetryableError",
    "RequestTimeoutError",
}


def is_transient(error: BaseException) -> bool:
    """Whether an error, or one it was raised from, is one that waiting and trying again can clear."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, duckdb.IOException) and "lock" in str(seen).lower():
            return True
        if isinstance(seen, (ConnectionError, TimeoutError)):
            return True
        kind = type(seen)
        if kind.__module__.startswith("snowflake.connector") and kind.__name__ in _TRANSIENT_SNOWFLAKE_ERRORS:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def fail_fast_unless_transient(what: str) -> Iterator[None]:
    """Let transient errors through to the retry policy; turn every other one into a non-retryable Failure.

    The message carries the error's type and text, which never hold a credential: connection settings are
    read from the environment by the connector and are not part of any statement or message we build.
    """
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{what} failed with {type(error).__name__}: {error}", allow_retries=False
        ) from error


def final_unless_transient(compute: Callable) -> Callable:
    """An asset's compute function whose errors are final unless transient (see fail_fast_unless_transient).

    With :data:`WAREHOUSE_RETRY_POLICY` on the asset, a warehouse briefly unavailable while its inputs are
    read or its output written (the IO manager lets those errors through) is retried, and a mistake in the
    computation fails the run once instead of four times. Dagster's retry policy has no filter by error,
    hence this wrapper.
    """
    what = f"computing {compute.__name__}"
    if inspect.isgeneratorfunction(compute):

        @functools.wraps(compute)
        def generator(*args, **kwargs):
            with fail_fast_unless_transient(what):
                yield from compute(*args, **kwargs)

        return generator

    @functools.wraps(compute)
    def function(*args, **kwargs):
        with fail_fast_unless_transient(what):
            return compute(*args, **kwargs)

    return function


def checked_identifier(name: str, what: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise dg.Failure(
            f"{what} {name!r} is not a plain SQL identifier; nothing was written", allow_retries=False
        )
    return name


def declared_columns(context: dg.OutputContext) -> list[dg.TableColumn] | None:
    """The asset's declared ``dagster/column_schema`` (a TableSchema or its metadata value), if any."""
    declared = (context.definition_metadata or {}).get("dagster/column_schema")
    if declared is None:
        return None
    columns = list(getattr(declared, "schema", declared).columns)
    for column in columns:
        checked_identifier(column.name, "column")
        if not _TYPE.fullmatch(column.type):
            raise dg.Failure(
                f"column {column.name} has type {column.type!r}, not a SQL type", allow_retries=False
            )
    return columns


def _nullable(column: dg.TableColumn) -> bool:
    return column.constraints is None or column.constraints.nullable


def plan_schema_change(
    table: str,
    declared: list[dg.TableColumn],
    existing: dict[str, str],
    declared_types: dict[str, str],
    partitioned: bool,
) -> tuple[list[dg.TableColumn], bool]:
    """What to do to an existing table before writing a frame of the declared schema into it.

    Returns the columns to add and whether to rebuild the table. A table rebuilt whole on every run (not
    partitioned) takes the declared schema as it is. A partitioned table keeps the history of earlier
    partitions, so it may only grow: a new nullable column is added (empty in earlier rows); a column that
    disappeared, changed type, or is new but required fails the write before anything is changed.
    """
    existing = {name.lower(): kind.upper() for name, kind in existing.items()}
    wanted = {column.name.lower(): declared_types[column.name].upper() for column in declared}
    lost = [name for name in existing if name not in wanted]
    retyped = [
        f"{name} {existing[name]} -> {kind}"
        for name, kind in wanted.items()
        if name in existing and existing[name] != kind
    ]
    new = [column for column in declared if column.name.lower() not in existing]
    if not (lost or retyped or new):
        return [], False
    if not partitioned:
        return [], True
    required = [column.name for column in new if not _nullable(column)]
    if lost or retyped or required:
        raise dg.Failure(
            description=(
                f"{table}: the declared columns no longer extend the warehouse table (lost {lost}, "
                f"retyped {retyped}, new but required {required}); a partitioned table keeps earlier days, "
                "so it can only gain nullable columns. Nothing was written."
            ),
            allow_retries=False,
        )
    return new, False


def check_frame_against_declared(table_slice: TableSlice, declared: list[dg.TableColumn], obj) -> None:
    names = [column.name for column in declared]
    missing = [name for name in names if name not in obj.columns]
    undeclared = [name for name in obj.columns if name not in names]
    if missing or undeclared:
        raise dg.Failure(
            f"{table_slice.schema}.{table_slice.table}: the frame does not match the declared column "
            f"schema (missing {missing}, undeclared {undeclared}); nothing was written",
            allow_retries=False,
        )


class _DeclaredSchemaDuckDbClient(DuckDbClient):
    """The shipped DuckDB client, plus: a write is one transaction, and the table follows its declared schema.

    The shipped client deletes the partition and then inserts, each committed on its own: a failure or a
    killed process between the two would leave the day missing. Here delete and insert commit together.
    Before the delete, the table is created from ``dagster/column_schema`` or evolved to it
    (:func:`plan_schema_change`): the shipped IO managers keep the first schema a table had
    (dagster-io/dagster#13098).
    """

    @staticmethod
    @contextmanager
    def connect(context, table_slice):
        # The shipped client closes its connection only on success; a failed write would keep the file
        # open (and, across processes, locked) until garbage collection.
        with DuckDbClient.connect(context, table_slice) as connection:
            try:
                if not isinstance(context, dg.OutputContext):
                    yield connection
                    return
                connection.begin()
                try:
                    yield connection
                except BaseException:
                    connection.rollback()
                    raise
                connection.commit()
            finally:
                connection.close()

    @staticmethod
    def ensure_schema_exists(context, table_slice: TableSlice, connection) -> None:
        schema = checked_identifier(table_slice.schema, "schema")
        table = checked_identifier(table_slice.table, "table")
        connection.execute(f'create schema if not exists "{schema}"')
        declared = declared_columns(context)
        if declared is None:
            return
        existing = dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        )
        definition = ", ".join(f'"{column.name}" {column.type}' for column in declared)
        if not existing:
            connection.execute(f'create table "{schema}"."{table}" ({definition})')
            return
        types = connection.execute(
            "select " + ", ".join(f"typeof(cast(null as {column.type}))" for column in declared)
        ).fetchone()
        declared_types = {column.name: kind for column, kind in zip(declared, types)}
        new, rebuild = plan_schema_change(
            f"{schema}.{table}", declared, existing, declared_types, bool(table_slice.partition_dimensions)
        )
        if rebuild:
            connection.execute(f'drop table "{schema}"."{table}"')
            connection.execute(f'create table "{schema}"."{table}" ({definition})')
        for column in new:
            connection.execute(f'alter table "{schema}"."{table}" add column "{column.name}" {column.type}')
            context.log.info(f"{schema}.{table}: added nullable column {column.name} {column.type}")

    @staticmethod
    def delete_table_slice(context, table_slice: TableSlice, connection) -> None:
        # Inside a transaction a failed statement aborts it: look the table up instead of trying the delete.
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [table_slice.schema, table_slice.table],
        ).fetchone()[0]
        if exists:
            connection.execute(_get_cleanup_statement(table_slice))


class DeclaredSchemaDuckDBPandasTypeHandler(DuckDBPandasTypeHandler):
    """The shipped pandas handler, for tables that follow a declared column schema.

    The client has already created or evolved the table to ``dagster/column_schema`` (the landing contract,
    for raw assets), so a quiet first day with no rows still leaves a table with its declared types for the
    dbt models that read it. The frame must have exactly the declared columns and is inserted by name, so
    a column added later may sit anywhere in the table.
    """

    def handle_output(self, context: dg.OutputContext, table_slice: TableSlice, obj, connection):
        declared = declared_columns(context)
        if declared is None:
            return super().handle_output(context, table_slice, obj, connection)
        check_frame_against_declared(table_slice, declared, obj)
        if not obj.empty:
            connection.register("vision_output_frame", obj)
            table = f'"{table_slice.schema}"."{table_slice.table}"'
            connection.execute(f"insert into {table} by name select * from vision_output_frame")
            connection.unregister("vision_output_frame")
        return (
            TableMetadataSet(partition_row_count=len(obj))
            if context.has_partition_key
            else TableMetadataSet(row_count=len(obj))
        )


class FailFastIOManager(dg.IOManager):
    """Wraps a database IO manager so that only transient errors are left for the retry policy."""

    def __init__(self, inner: dg.IOManager):
        self._inner = inner

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        with fail_fast_unless_transient(f"writing {context.asset_key.to_user_string()}"):
            self._inner.handle_output(context, obj)

    def load_input(self, context: dg.InputContext):
        with fail_fast_unless_transient(f"reading {context.asset_key.to_user_string()}"):
            return self._inner.load_input(context)


class VisionDuckDBPandasIOManager(DuckDBPandasIOManager):
    """``DuckDBPandasIOManager`` whose writes are atomic and whose tables follow their declared schema."""

    @staticmethod
    def type_handlers() -> list[DbTypeHandler]:
        return [DeclaredSchemaDuckDBPandasTypeHandler()]

    def create_io_manager(self, context) -> dg.IOManager:
        return FailFastIOManager(
            DbIOManager(
                db_client=_DeclaredSchemaDuckDbClient(),
                database=self.database,
                schema=self.schema_,
                type_handlers=self.type_handlers(),
                default_load_type=self.default_load_type(),
                io_manager_name="DuckDBIOManager",
            )
        )


def duckdb_io_manager() -> VisionDuckDBPandasIOManager:
    path = duckdb_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return VisionDuckDBPandasIOManager(database=str(path))


def snowflake_io_manager() -> "VisionSnowflakePandasIOManager":
    # Imported here: the Snowflake connector takes seconds to import, a cost every run worker and code
    # server would pay on the embedded warehouse too.
    from vision_assets.snowflake_warehouse import VisionSnowflakePandasIOManager

    authentication = (
        {
            "private_key_path": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PATH"),
            "private_key_password": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PASSWORD"),
        }
        if os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH")
        else {"password": dg.EnvVar("SNOWFLAKE_PASSWORD")}
    )
    return VisionSnowflakePandasIOManager(
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
