"""The production warehouse: Snowflake, with the same schema rules as the embedded warehouse.

Imported only when Snowflake is the chosen backend (:mod:`vision_assets.warehouse`): the Snowflake connector
takes seconds to import, a cost the embedded warehouse should not pay. The shipped ``SnowflakePandasIOManager`` creates a table
from the first frame it writes and keeps that schema (dagster-io/dagster#13098); here the table is
created from the asset's declared ``dagster/column_schema`` and evolved by the same rule as on DuckDB
(:func:`vision_assets.warehouse.schema.plan_schema_change`), before the partition is deleted.

A write is all or nothing, as on DuckDB. The shipped IO manager deletes the partition, then calls
``write_pandas``, each committed on its own: a failure or a killed process between the two would leave the
day missing. ``write_pandas`` cannot run inside a transaction (it creates a stage and a file format, and
DDL commits any open transaction in Snowflake), so the frame is first written to a load table beside the
target (a temporary table of the session), and only then are the delete and an ``insert … select`` from
the load table committed together.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pandas as pd
from dagster._core.definitions.metadata import TableMetadataSet
from dagster._core.storage.db_io_manager import DbIOManager, DbTypeHandler, TableSlice
from dagster_snowflake.snowflake_io_manager import SnowflakeDbClient, _get_cleanup_statement
from dagster_snowflake_pandas import SnowflakePandasIOManager, SnowflakePandasTypeHandler
from dagster_snowflake_pandas import snowflake_pandas_type_handler as shipped_handler

from vision_assets.warehouse.errors import FailFastIOManager, LiveLaneNotStarted
from vision_assets.warehouse.schema import (
    check_frame_against_declared,
    checked_identifier,
    declared_columns,
    plan_schema_change,
)

# How Snowflake reports the types the raw contracts declare (information_schema.columns.data_type).
_SNOWFLAKE_TYPES = {"varchar": "TEXT", "bigint": "NUMBER", "double": "FLOAT", "timestamp": "TIMESTAMP_NTZ"}


class _DeclaredSchemaSnowflakeDbClient(SnowflakeDbClient):
    @staticmethod
    def ensure_schema_exists(context, table_slice: TableSlice, connection) -> None:
        database = checked_identifier(table_slice.database, "database").upper()
        schema = checked_identifier(table_slice.schema, "schema").upper()
        table = checked_identifier(table_slice.table, "table").upper()
        SnowflakeDbClient.ensure_schema_exists(context, table_slice, connection)
        declared = declared_columns(context)
        if declared is None:
            return
        name = f"{database}.{schema}.{table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"select column_name, data_type from {database}.information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, table),
            )
            existing = dict(cursor.fetchall())
            definition = ", ".join(f"{column.name} {column.type}" for column in declared)
            if not existing:
                cursor.execute(f"create table if not exists {name} ({definition})")
                return
            # A type without a known Snowflake spelling is taken as it is: only its presence is compared.
            declared_types = {
                column.name: _SNOWFLAKE_TYPES.get(
                    column.type.lower(), existing.get(column.name.upper(), column.type)
                )
                for column in declared
            }
            new, rebuild = plan_schema_change(
                name, declared, existing, declared_types, bool(table_slice.partition_dimensions)
            )
            if rebuild:
                cursor.execute(f"create or replace table {name} ({definition})")
            for column in new:
                cursor.execute(f"alter table {name} add column {column.name} {column.type}")
                context.log.info(f"{name}: added nullable column {column.name} {column.type}")

    @staticmethod
    def delete_table_slice(context, table_slice: TableSlice, connection) -> None:
        # The type handler deletes the slice in the same transaction as the insert that replaces it.
        return


def _table_exists(connection, database: str, schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"select count(*) from {database}.information_schema.tables "
            "where table_schema = %s and table_name = %s",
            (schema, table),
        )
        return cursor.fetchone()[0] > 0


class AtomicSnowflakePandasTypeHandler(SnowflakePandasTypeHandler):
    """Replaces a table slice (a day, a backfill's window, or a whole table) in one transaction.

    The frame is loaded with ``write_pandas`` into ``<table>__VISION_LOAD``, a temporary table shaped like
    the target; then ``begin; delete the slice; insert … select from the load table; commit``. A failure
    at any point leaves the target as it was. Temporary tables belong to their session, so runs writing
    other days of the same table at the same time each have their own, and a killed process leaves none. A frame for a table that does not exist yet (an asset with no
    declared column schema, on its first write) is written directly, creating the table: there is nothing
    to replace.
    """

    def handle_output(self, context, table_slice: TableSlice, obj, connection):
        declared = declared_columns(context)
        if declared is not None:
            check_frame_against_declared(table_slice, declared, obj)
        database = checked_identifier(table_slice.database, "database").upper()
        schema = checked_identifier(table_slice.schema, "schema").upper()
        table = checked_identifier(table_slice.table, "table").upper()
        if not _table_exists(connection, database, schema, table):
            return super().handle_output(context, table_slice, obj, connection)

        target, load = f"{database}.{schema}.{table}", f"{table}__VISION_LOAD"
        frame = obj.rename(columns=str.upper)
        columns = ", ".join(f'"{column}"' for column in frame.columns)
        with connection.cursor() as cursor:
            if not frame.empty:
                # A temporary table lives in the session's schema: unqualified, in the target's schema.
                cursor.execute(f"use schema {database}.{schema}")
                cursor.execute(f"create or replace temporary table {load} like {target}")
                # Looked up at call time, so that the module's own name (which fakesnow patches) is used.
                shipped_handler.write_pandas(
                    conn=connection,
                    df=frame,
                    table_name=load,
                    auto_create_table=False,
                    use_logical_type=True,
                    quote_identifiers=True,
                )
            try:
                cursor.execute("begin")
                try:
                    cursor.execute(_get_cleanup_statement(table_slice))
                    if not frame.empty:
                        cursor.execute(f"insert into {target} ({columns}) select {columns} from {load}")
                except BaseException:
                    cursor.execute("rollback")
                    raise
                cursor.execute("commit")
            finally:
                if not frame.empty:
                    cursor.execute(f"drop table if exists {load}")
        return {
            **(
                TableMetadataSet(partition_row_count=len(obj), storage_kind="snowflake")
                if context.has_partition_key
                else TableMetadataSet(row_count=len(obj), storage_kind="snowflake")
            ),
        }

    def load_input(self, context, table_slice: TableSlice, connection):
        """The table as the embedded warehouse's IO manager reads it, so an asset computes the same on either.

        The shipped handler reads through ``pd.read_sql``, row by row: a DATE arrives as ``datetime.date``
        objects and a NUMBER(18,2) as ``Decimal`` objects, where DuckDB gives ``datetime64`` and ``float64``
        (charts then fail to serialise a date, and money mixes Decimal with float). Here the rows come
        through Arrow (``fetch_pandas_all``) and each column takes the type DuckDB would give it."""
        if table_slice.partition_dimensions and len(context.asset_partition_keys) == 0:
            return pd.DataFrame()
        with connection.cursor() as cursor:
            cursor.execute(SnowflakeDbClient.get_select_statement(table_slice))
            frame = cursor.fetch_pandas_all()
            described = cursor.description
        return frame_like_duckdb(frame, described)


def frame_like_duckdb(frame: pd.DataFrame, described) -> pd.DataFrame:
    """``frame`` (read through Arrow from Snowflake, its columns ``described`` by the cursor) with lower-case
    names and DuckDB's pandas types: dates and timestamps as ``datetime64[us]``, NUMBER with a scale as
    ``float64``, NUMBER without one as ``int64`` (pandas' nullable ``Int64`` when it holds a null, as DuckDB 2
    gives it)."""
    from snowflake.connector.constants import FIELD_ID_TO_NAME

    if frame.columns.empty and described:
        frame = pd.DataFrame({column.name: pd.Series(dtype=object) for column in described})
    columns = {}
    for column in described:
        values, kind = frame[column.name], FIELD_ID_TO_NAME[column.type_code]
        if kind in ("DATE", "TIMESTAMP_NTZ"):
            values = pd.to_datetime(values).astype("datetime64[us]")
        elif kind == "FIXED" and column.scale:
            values = values.astype("float64")
        elif kind == "FIXED":
            values = values.astype("Int64" if values.isna().any() else "int64")
        columns[column.name.lower()] = values
    return pd.DataFrame(columns, index=frame.index)


class VisionSnowflakePandasIOManager(SnowflakePandasIOManager):
    """``SnowflakePandasIOManager`` whose writes are atomic, whose tables follow their declared schema, and
    whose errors fail fast unless a retry can clear them."""

    @staticmethod
    def type_handlers() -> list[DbTypeHandler]:
        return [AtomicSnowflakePandasTypeHandler()]

    def create_io_manager(self, context) -> FailFastIOManager:
        return FailFastIOManager(
            DbIOManager(
                db_client=_DeclaredSchemaSnowflakeDbClient(),
                io_manager_name="SnowflakeIOManager",
                database=self.database,
                schema=self.schema_,
                type_handlers=self.type_handlers(),
                default_load_type=self.default_load_type(),
            )
        )


def _connection_fields() -> dict:
    """The connection settings of the account the ``SNOWFLAKE_*`` variables name (the backend's ``settings``
    in :mod:`vision_assets.warehouse`), for the IO manager and the live lane alike.

    Every field is a ``dg.EnvVar``: read when a run starts, never written into code, config or the UI.
    Key-pair authentication when ``SNOWFLAKE_PRIVATE_KEY_PATH`` is set, a password otherwise.
    """
    authentication = (
        {
            "private_key_path": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PATH"),
            "private_key_password": dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PASSWORD"),
        }
        if os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH")
        else {"password": dg.EnvVar("SNOWFLAKE_PASSWORD")}
    )
    return {
        "account": dg.EnvVar("SNOWFLAKE_ACCOUNT"),
        "user": dg.EnvVar("SNOWFLAKE_USER"),
        "database": dg.EnvVar("SNOWFLAKE_DATABASE"),
        "warehouse": dg.EnvVar("SNOWFLAKE_WAREHOUSE"),
        "role": dg.EnvVar("SNOWFLAKE_ROLE"),
        **authentication,
        **_endpoint(),
    }


def _endpoint() -> dict:
    """An endpoint other than the account's own, when ``SNOWFLAKE_HOST`` names one (a private link, or the
    Snowflake emulator the tests run on loopback), with ``SNOWFLAKE_PORT`` and ``SNOWFLAKE_PROTOCOL``; the
    same variables the dbt profile reads. Unset, the connector derives the host from the account."""
    endpoint = {
        "host": os.environ.get("SNOWFLAKE_HOST", ""),
        "port": int(os.environ.get("SNOWFLAKE_PORT") or 0),
        "protocol": os.environ.get("SNOWFLAKE_PROTOCOL", ""),
    }
    endpoint = {name: value for name, value in endpoint.items() if value}
    return {"additional_snowflake_connection_args": endpoint} if endpoint else {}


@contextmanager
def snowflake_connection() -> Iterator:
    """A connection to the account the ``SNOWFLAKE_*`` variables name (:func:`_connection_fields`), closed
    on leaving (``vision migrate`` writes through it)."""
    from dagster_snowflake import SnowflakeResource

    resource = SnowflakeResource(**_connection_fields()).process_config_and_initialize()
    with resource.get_connection() as connection:
        yield connection


def snowflake_io_manager() -> VisionSnowflakePandasIOManager:
    """The IO manager on the account the ``SNOWFLAKE_*`` variables name (:func:`_connection_fields`)."""
    return VisionSnowflakePandasIOManager(store_timestamps_as_strings=False, **_connection_fields())


class SnowflakeLiveConnection:
    """The live lane's tables on Snowflake: the ``LIVE`` schema of the warehouse's database.

    Snowflake has no single-writer limit, so the consumer keeps one session. ``write_pandas`` stages a batch
    into a temporary table (it cannot run inside a transaction: it creates a stage), and the statements that
    make the batch visible then commit together.
    """

    exclusive = False
    """Snowflake has no single-writer limit: the consumer keeps its session."""

    def __init__(self, read_only: bool = False):
        from dagster_snowflake import SnowflakeResource

        resource = SnowflakeResource(**_connection_fields()).process_config_and_initialize()
        self._context = resource.get_connection()
        self.connection = self._context.__enter__()
        if read_only:
            found = (
                self.connection.cursor()
                .execute(
                    "select count(*) from information_schema.tables where table_schema = 'LIVE' "
                    "and table_name = 'EVENTS'"
                )
                .fetchall()
            )
            if not found[0][0]:
                self.close()
                raise LiveLaneNotStarted(
                    f"{os.environ.get('SNOWFLAKE_DATABASE')}.LIVE: the live lane has not written anything yet"
                )
        else:
            self.connection.cursor().execute("create schema if not exists live")
        # Staged batches are temporary tables of the session, in the live schema.
        self.connection.cursor().execute("use schema live")

    def execute(self, sql: str, parameters: list | None = None) -> None:
        self.connection.cursor().execute(*_pyformat(sql, parameters))

    def query(self, sql: str, parameters: list | None = None):
        frame = self.connection.cursor().execute(*_pyformat(sql, parameters)).fetch_pandas_all()
        frame.columns = [column.lower() for column in frame.columns]
        return frame

    def stage(self, name: str, frame) -> None:
        from snowflake.connector.pandas_tools import write_pandas

        write_pandas(
            self.connection,
            frame,
            name.upper(),
            auto_create_table=True,
            table_type="temporary",
            overwrite=True,
            use_logical_type=True,
        )

    def begin(self) -> None:
        self.connection.cursor().execute("begin")

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def close(self) -> None:
        self._context.__exit__(None, None, None)


def _pyformat(sql: str, parameters: list | None) -> tuple[str, list | None]:
    """The live store writes ``?`` placeholders (DuckDB's); the Snowflake connector's default style is
    ``%s``, bound and escaped by the connector. (The live SQL holds no literal ``?`` or ``%``.)"""
    return (sql.replace("?", "%s"), parameters) if parameters else (sql, None)
