"""Rules every warehouse backend applies to the tables it writes: plain identifiers only, and a table
that follows the asset's declared column schema (``dagster/column_schema``) and may only grow when it
holds earlier partitions."""

import re

import dagster as dg
from dagster._core.storage.db_io_manager import TableSlice

# Schemas, tables and columns reach SQL as text: plain identifiers only. Types are the declared ones.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]+\))?")


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
