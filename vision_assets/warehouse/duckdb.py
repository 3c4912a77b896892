"""The embedded warehouse: a DuckDB file (``data/warehouse/vision.duckdb``), no account, no network.

DuckDB allows one process at a time to open its file for writing, which is why this backend runs a run's
steps in one process and gives every step that opens the file a slot of one shared concurrency pool
(:data:`DUCKDB_WRITER_POOL`, limit 1 in ``dagster.yaml``): Dagster queues such steps across runs instead of
letting them fail with "Could not set lock on file".
"""

from contextlib import contextmanager

import dagster as dg
from dagster._core.definitions.metadata import TableMetadataSet
from dagster._core.storage.db_io_manager import DbIOManager, DbTypeHandler, TableSlice
from dagster_duckdb.io_manager import DuckDbClient, _get_cleanup_statement
from dagster_duckdb_pandas import DuckDBPandasIOManager, DuckDBPandasTypeHandler

from vision_assets.paths import duckdb_path
from vision_assets.warehouse.errors import FailFastIOManager, LiveLaneNotStarted
from vision_assets.warehouse.schema import (
    check_frame_against_declared,
    checked_identifier,
    declared_columns,
    plan_schema_change,
)

DUCKDB_WRITER_POOL = "duckdb_warehouse"


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


class DuckDBLiveConnection:
    """The live lane's tables on the embedded backend: their own DuckDB file, ``vision_live.duckdb``.

    DuckDB lets one process at a time open a file for writing, and the daily runs hold ``vision.duckdb`` for
    minutes. The live consumer therefore never opens the warehouse file: it writes its own, opening it for one
    micro-batch at a time and closing it after, so a reader (the reconciliation check, the live page,
    ``vision trust``) gets in between two batches. Opening waits out the other side's lock. (Not
    ``live.duckdb``: a file named after a schema it holds makes ``live.events`` ambiguous to DuckDB.)
    """

    exclusive = True
    """Holding the connection locks the file for every other process: close it after each batch."""

    def __init__(self, read_only: bool = False, wait_s: float = 120.0):
        import time

        import duckdb

        from vision_assets.paths import live_duckdb_path

        path = live_duckdb_path()
        if read_only and not path.exists():
            raise LiveLaneNotStarted(f"{path}: the live lane has not written anything yet")
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.connection = duckdb.connect(str(path), read_only=read_only)
                break
            except (duckdb.IOException, duckdb.ConnectionException) as error:
                # Another process holds the file ("Could not set lock"), or, in this process, a connection
                # opened the other way (read-only against read-write) is still open: both pass in a moment.
                message = str(error).lower()
                busy = "lock" in message or "different configuration" in message
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def execute(self, sql: str, parameters: list | None = None) -> None:
        self.connection.execute(sql, parameters or [])

    def query(self, sql: str, parameters: list | None = None):
        return self.connection.execute(sql, parameters or []).df()

    def stage(self, name: str, frame) -> None:
        """``frame`` as the temporary table ``name`` of this connection."""
        self.connection.register("vision_live_frame", frame)
        self.connection.execute(f"create or replace temp table {name} as select * from vision_live_frame")
        self.connection.unregister("vision_live_frame")

    def begin(self) -> None:
        self.connection.begin()

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()
