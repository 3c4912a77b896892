"""The two ends of a migration: a DuckDB file or a Snowflake database, behind one small interface.

A :class:`Table` is read a partition (a day of its partition column) at a time as Arrow, and written by
:meth:`MigrationTarget.replace`, which deletes the partition, inserts the rows, reads them back, compares
their fingerprint with the source's, records the copy in the target's ``vision_migration.copied`` ledger
and commits, all in one transaction: a partition in the target is either as before or copied, verified and
recorded. Killed at any moment, a migration leaves no partial partition, and the ledger says what is done.

Why no data-moving library (dlt, Airbyte, Sling) does the copy: each moves tables or incremental cursors,
but none replaces a table's day and checks it against the source inside one transaction, which is what makes
a re-run safe here. The heavy lifting is still the libraries': DuckDB's Arrow scans on the DuckDB side, and
the Snowflake connector's ``write_pandas`` (a ``PUT`` of Parquet files and a ``COPY INTO``) for Snowflake.
"""

import os
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from vision_assets.migrate.content import Fingerprint, fingerprint
from vision_assets.warehouse import BACKENDS, checked_identifier

LEDGER_SCHEMA = "vision_migration"
LEDGER_TABLE = f"{LEDGER_SCHEMA}.copied"
WHOLE_TABLE = ""
"""The ledger's partition key of a table copied whole."""
NULL_DAY = "null"
"""The partition key of rows whose partition column is empty (kept, never dropped)."""


class VerificationError(RuntimeError):
    """What was written does not match what was read; the partition's transaction was rolled back."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """As the source database names it (DuckDB's ``data_type``)."""


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    partition_column: str | None = None
    """The column whose day is the partition (the asset's ``partition_expr``), or None: copied whole."""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def with_partition_column(self, column: str | None) -> "Table":
        known = column if column and column.lower() in {c.name.lower() for c in self.columns} else None
        return Table(self.schema, self.name, self.columns, known)


@dataclass(frozen=True)
class LedgerEntry:
    rows: int
    content_hash: str


class DuckDBWarehouse:
    """A DuckDB warehouse file. As a source it is opened read-only (it must not be written meanwhile)."""

    kind = "duckdb"

    def __init__(self, path: Path, read_only: bool):
        self.path = Path(path).resolve()
        if read_only and not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no DuckDB warehouse here (run `make run` first?)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(str(self.path), read_only=read_only)

    @property
    def name(self) -> str:
        return f"duckdb:{self.path}"

    def close(self) -> None:
        self.connection.close()

    # -- as a source -------------------------------------------------------------------------------------
    def tables(self) -> tuple[list[Table], list[str]]:
        """Every base table outside the ledger, and the views (which dbt builds again on the target)."""
        rows = self.connection.execute(
            "select t.table_schema, t.table_name, t.table_type, c.column_name, c.data_type "
            "from information_schema.tables t join information_schema.columns c "
            "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema "
            "and c.table_name = t.table_name "
            "where t.table_catalog = current_database() and t.table_schema not in (?, 'information_schema', "
            "'pg_catalog') order by t.table_schema, t.table_name, c.ordinal_position",
            [LEDGER_SCHEMA],
        ).fetchall()
        tables: dict[tuple[str, str], list[Column]] = {}
        views = set()
        for schema, name, kind, column, data_type in rows:
            if kind == "VIEW":
                views.add(f"{schema}.{name}")
                continue
            tables.setdefault((schema, name), []).append(Column(column, data_type))
        return [Table(schema, name, tuple(columns)) for (schema, name), columns in tables.items()], sorted(
            views
        )

    def partitions(self, table: Table) -> dict[str, int]:
        """Row counts per partition key (``YYYY-MM-DD``, or ``WHOLE_TABLE`` for a table copied whole)."""
        if table.partition_column is None:
            ((count,),) = self.connection.execute(f"select count(*) from {_quoted(table)}").fetchall()
            return {WHOLE_TABLE: count}
        day = f"cast({_column(table.partition_column)} as date)"
        rows = self.connection.execute(
            f"select coalesce(cast({day} as varchar), '{NULL_DAY}'), count(*) from {_quoted(table)} group by 1"
        ).fetchall()
        return dict(sorted(rows))

    def read(self, table: Table, partition: str) -> pa.Table:
        where, parameters = _slice(table, partition, "?")
        return self.connection.sql(
            f"select * from {_quoted(table)} where {where}", params=parameters
        ).to_arrow_table()

    # -- as a target -------------------------------------------------------------------------------------
    def ledger(self) -> dict[tuple[str, str], LedgerEntry]:
        self._ensure_ledger()
        rows = self.connection.execute(
            f"select table_name, partition_key, row_count, content_hash from {LEDGER_TABLE}"
        )
        return {(table, key): LedgerEntry(count, digest) for table, key, count, digest in rows.fetchall()}

    def prepare(self, table: Table) -> None:
        """Create the schema and the table (with the source's column types) unless they exist; an existing
        table must have the same columns."""
        self.connection.execute(f"create schema if not exists {_identifier(table.schema)}")
        existing = self.connection.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [table.schema, table.name],
        ).fetchall()
        if not existing:
            definition = ", ".join(f"{_column(column.name)} {column.type}" for column in table.columns)
            self.connection.execute(f"create table {_quoted(table)} ({definition})")
            return
        _check_same_columns(table, [name for (name,) in existing])

    def replace(
        self, table: Table, partition: str, rows: pa.Table, expected: Fingerprint, source: str
    ) -> None:
        where, parameters = _slice(table, partition, "?")
        connection = self.connection
        connection.execute("begin")
        try:
            connection.execute(f"delete from {_quoted(table)} where {where}", parameters)
            connection.register("vision_migration_rows", rows)
            try:
                connection.execute(
                    f"insert into {_quoted(table)} by name select * from vision_migration_rows"
                )
            finally:
                connection.unregister("vision_migration_rows")
            written = connection.sql(f"select * from {_quoted(table)} where {where}", params=parameters)
            written = written.to_arrow_table().to_pandas()
            _verify(table, partition, expected, fingerprint(written))
            connection.execute(
                f"delete from {LEDGER_TABLE} where table_name = ? and partition_key = ?",
                [table.qualified, partition],
            )
            connection.execute(
                f"insert into {LEDGER_TABLE} values (?, ?, ?, ?, ?, ?)",
                [table.qualified, partition, source, expected.rows, expected.content_hash, _now()],
            )
        except BaseException:
            connection.execute("rollback")
            raise
        connection.execute("commit")

    def _ensure_ledger(self) -> None:
        self.connection.execute(f"create schema if not exists {LEDGER_SCHEMA}")
        self.connection.execute(f"create table if not exists {LEDGER_TABLE} ({_LEDGER_COLUMNS})")


_LEDGER_COLUMNS = "table_name varchar, partition_key varchar, source varchar, row_count bigint, content_hash varchar, copied_at timestamp"

# DuckDB's types as Snowflake spells them; a type not listed is refused by name rather than guessed.
_SNOWFLAKE_TYPES = {
    "VARCHAR": "TEXT",
    "BIGINT": "NUMBER(38, 0)",
    "INTEGER": "NUMBER(38, 0)",
    "SMALLINT": "NUMBER(38, 0)",
    "TINYINT": "NUMBER(38, 0)",
    "HUGEINT": "NUMBER(38, 0)",
    "UBIGINT": "NUMBER(38, 0)",
    "UINTEGER": "NUMBER(38, 0)",
    "DOUBLE": "FLOAT",
    "FLOAT": "FLOAT",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "TIMESTAMP_NS": "TIMESTAMP_NTZ",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP_TZ",
    "BLOB": "BINARY",
}


def snowflake_type(duckdb_type: str) -> str:
    """A DuckDB column type in Snowflake's words (``DECIMAL(18,2)`` keeps its precision and scale)."""
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "NUMBER")
    if upper not in _SNOWFLAKE_TYPES:
        raise ValueError(f"no Snowflake type for DuckDB's {duckdb_type}; add it to _SNOWFLAKE_TYPES")
    return _SNOWFLAKE_TYPES[upper]


class SnowflakeWarehouse:
    """The Snowflake database the ``SNOWFLAKE_*`` variables name (the production backend's settings)."""

    kind = "snowflake"

    def __init__(self):
        from vision_assets.warehouse.snowflake import snowflake_connection

        self._stack = ExitStack()
        self.connection = self._stack.enter_context(snowflake_connection())
        self.database = checked_identifier(os.environ["SNOWFLAKE_DATABASE"], "database").upper()

    @property
    def name(self) -> str:
        return f"snowflake:{os.environ.get('SNOWFLAKE_ACCOUNT', '')}/{self.database}"

    def close(self) -> None:
        self._stack.close()

    def _query(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        frame = self.connection.cursor().execute(sql, parameters).fetch_pandas_all()
        frame.columns = [str(column).lower() for column in frame.columns]
        return frame

    def _target(self, table: Table) -> str:
        return f"{self.database}.{table.schema.upper()}.{table.name.upper()}"

    def ledger(self) -> dict[tuple[str, str], LedgerEntry]:
        cursor = self.connection.cursor()
        cursor.execute(f"create schema if not exists {self.database}.{LEDGER_SCHEMA}")
        cursor.execute(f"create table if not exists {self.database}.{LEDGER_TABLE} ({_LEDGER_COLUMNS})")
        rows = cursor.execute(
            f"select table_name, partition_key, row_count, content_hash from {self.database}.{LEDGER_TABLE}"
        )
        return {
            (table, key): LedgerEntry(int(count), digest) for table, key, count, digest in rows.fetchall()
        }

    def prepare(self, table: Table) -> None:
        cursor = self.connection.cursor()
        schema = checked_identifier(table.schema, "schema").upper()
        cursor.execute(f"create schema if not exists {self.database}.{schema}")
        existing = cursor.execute(
            f"select column_name from {self.database}.information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (schema, checked_identifier(table.name, "table").upper()),
        ).fetchall()
        if not existing:
            definition = ", ".join(f"{_column(c.name)} {snowflake_type(c.type)}" for c in table.columns)
            cursor.execute(f"create table {self._target(table)} ({definition})")
            return
        _check_same_columns(table, [name for (name,) in existing])

    def replace(
        self, table: Table, partition: str, rows: pa.Table, expected: Fingerprint, source: str
    ) -> None:
        from snowflake.connector.pandas_tools import write_pandas

        target = self._target(table)
        load = f"{table.name.upper()}__VISION_MIGRATION"
        # Arrow-backed columns keep each value's exact type (a DECIMAL(18, 2) stays a decimal of that
        # precision, instead of Python Decimal objects whose type the loader would have to guess again).
        frame = rows.to_pandas(types_mapper=pd.ArrowDtype)
        frame.columns = [str(column).upper() for column in frame.columns]
        cursor = self.connection.cursor()
        # write_pandas creates a stage and a file format (DDL, which commits in Snowflake): it loads a
        # temporary table of the session first, and the partition is replaced from it in one transaction.
        cursor.execute(f"use schema {self.database}.{table.schema.upper()}")
        cursor.execute(f"create or replace temporary table {load} like {target}")
        try:
            if not frame.empty:
                write_pandas(self.connection, frame, load, auto_create_table=False, use_logical_type=True)
            where, parameters = _slice(table, partition, "%s")
            columns = ", ".join(f'"{column}"' for column in frame.columns)
            cursor.execute("begin")
            try:
                cursor.execute(f"delete from {target} where {where}", parameters)
                cursor.execute(f"insert into {target} ({columns}) select {columns} from {load}")
                written = self._query(f"select * from {target} where {where}", parameters)
                _verify(table, partition, expected, fingerprint(written))
                cursor.execute(
                    f"delete from {self.database}.{LEDGER_TABLE} where table_name = %s and partition_key = %s",
                    (table.qualified, partition),
                )
                cursor.execute(
                    f"insert into {self.database}.{LEDGER_TABLE} values (%s, %s, %s, %s, %s, %s)",
                    (table.qualified, partition, source, expected.rows, expected.content_hash, _now()),
                )
            except BaseException:
                cursor.execute("rollback")
                raise
            cursor.execute("commit")
        finally:
            cursor.execute(f"drop table if exists {load}")

    def partitions(self, table: Table) -> dict[str, int]:
        target = self._target(table)
        if table.partition_column is None:
            (count,) = self.connection.cursor().execute(f"select count(*) from {target}").fetchone()
            return {WHOLE_TABLE: int(count)}
        day = f"cast({_column(table.partition_column)} as date)"
        rows = self.connection.cursor().execute(
            f"select coalesce(to_varchar({day}, 'YYYY-MM-DD'), '{NULL_DAY}'), count(*) from {target} group by 1"
        )
        return dict(sorted((key, int(count)) for key, count in rows.fetchall()))


def open_warehouse(location: str, *, read_only: bool):
    """``duckdb`` (the configured file), ``duckdb:<path>`` or ``snowflake`` (the ``SNOWFLAKE_*`` account).

    A migration names both of its ends, whichever backend the assets are configured to write to; the
    names are the backends' own (:data:`vision_assets.warehouse.BACKENDS`).
    """
    kind, _, rest = location.partition(":")
    if kind not in BACKENDS or (rest and kind not in _FILE_ENDS):
        raise ValueError(f"{location!r}: expected duckdb, duckdb:<path> or snowflake")
    if kind in _FILE_ENDS:
        return _FILE_ENDS[kind](Path(rest) if rest else None, read_only=read_only)
    if read_only:
        raise ValueError(f"migrating from {kind} is not supported: --from duckdb or duckdb:<path>")
    return _ACCOUNT_ENDS[kind]()


def _configured_duckdb(path: Path | None, read_only: bool) -> "DuckDBWarehouse":
    from vision_assets import paths

    return DuckDBWarehouse(path or paths.duckdb_path(), read_only=read_only)


# The ends by backend name: a file that may be named, or the account the backend's settings name.
_FILE_ENDS = {"duckdb": _configured_duckdb}
_ACCOUNT_ENDS = {"snowflake": SnowflakeWarehouse}


def _verify(table: Table, partition: str, expected: Fingerprint, written: Fingerprint) -> None:
    if written != expected:
        raise VerificationError(
            f"{table.qualified} {_partition_label(partition)}: the target holds {written.rows} rows "
            f"(content hash {written.content_hash}) where the source has {expected.rows} "
            f"({expected.content_hash}); the partition was rolled back"
        )


def _partition_label(partition: str) -> str:
    return "(whole table)" if partition == WHOLE_TABLE else f"partition {partition}"


def _check_same_columns(table: Table, existing: list[str]) -> None:
    if [name.lower() for name in existing] != [column.name.lower() for column in table.columns]:
        raise ValueError(
            f"{table.qualified}: the target's table has columns {existing}, the source's "
            f"{[column.name for column in table.columns]}; not copied (drop or migrate the target's table first)"
        )


def _slice(table: Table, partition: str, placeholder: str) -> tuple[str, list]:
    if partition == WHOLE_TABLE:
        return "true", []
    day = f"cast({_column(table.partition_column)} as date)"
    if partition == NULL_DAY:
        return f"{day} is null", []
    return f"{day} = cast({placeholder} as date)", [partition]


def _identifier(name: str) -> str:
    return checked_identifier(name, "identifier")


def _column(name: str) -> str:
    """Unquoted (so Snowflake upper-cases it, as every Vision table there has it), after checking it."""
    return checked_identifier(name, "column")


def _quoted(table: Table) -> str:
    return f"{_identifier(table.schema)}.{_identifier(table.name)}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
