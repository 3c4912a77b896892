"""Raw assets: each business line's daily export, loaded as it landed, one asset per source table.

An asset here reads exactly its partition's landing files, checks them against the table's contract
(:mod:`vision_assets.landing.contracts`), adds load lineage columns and hands the frame to the warehouse
IO manager. The IO manager deletes the partition's day (``partition_expr`` is the table's event-time
column) before it inserts, so loading a day twice leaves the same rows.
"""

from datetime import datetime, timezone

import dagster as dg
import pandas as pd

from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, SOURCE_TABLES, Column, SourceTable
from vision_assets.landing.loader import (
    LOADED_AT_COLUMN,
    SOURCE_FILE_COLUMN,
    LandingError,
    load_landing_days,
)
from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.resources import LandingZone
from vision_assets.warehouse import warehouse_name, warehouse_pool

RAW_SCHEMA = "raw"

_WAREHOUSE_TYPES = {"string": "varchar", "integer": "bigint", "decimal": "double", "timestamp": "timestamp"}

LINEAGE_COLUMN_DESCRIPTIONS = {
    SOURCE_FILE_COLUMN: "Landing file this row was read from, relative to the landing root.",
    LOADED_AT_COLUMN: "When Vision loaded this row into the warehouse (UTC).",
}


def raw_asset_key(table: SourceTable) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, table.name])


def raw_column_schema(table: SourceTable) -> dg.TableSchema:
    """The warehouse columns of a raw table: the contract's, then the load lineage columns."""
    lineage = (
        Column(SOURCE_FILE_COLUMN, "string", LINEAGE_COLUMN_DESCRIPTIONS[SOURCE_FILE_COLUMN]),
        Column(LOADED_AT_COLUMN, "timestamp", LINEAGE_COLUMN_DESCRIPTIONS[LOADED_AT_COLUMN]),
    )
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=_WAREHOUSE_TYPES[column.type],
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable),
            )
            for column in (*table.columns, *lineage)
        ]
    )


def _description(table: SourceTable) -> str:
    key = ", ".join(table.key)
    return (
        f"{table.description}\n\n"
        f"Loaded as landed from `{table.line}/{table.table}/<day>/` in the landing zone, checked against its "
        f"contract (columns, types, required values, allowed values, the day's window). A row is identified by "
        f"({key}); `{table.event_time}` places it in its daily partition. Exact duplicate rows inside a day are "
        f"dropped and counted; anything else that breaks the contract fails the whole day, so a partially "
        f"loaded day never shows up here."
    )


def build_raw_asset(table: SourceTable) -> dg.AssetsDefinition:
    """One daily-partitioned asset for one landed source table."""

    @dg.asset(
        key=raw_asset_key(table),
        description=_description(table),
        group_name=table.line,
        owners=[f"team:{table.line}-data"],
        kinds={"python", "pandas", warehouse_name()},
        tags={"layer": "raw", "business_line": table.line},
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        metadata={
            "partition_expr": table.event_time,
            "business_line": BUSINESS_LINE_NAMES[table.line],
            "dagster/column_schema": raw_column_schema(table),
        },
        code_version="1",
        pool=warehouse_pool(),
    )
    def _raw_table(context: dg.AssetExecutionContext, landing_zone: LandingZone) -> dg.Output[pd.DataFrame]:
        days = days_in_window(context.partition_time_window)
        try:
            loaded = load_landing_days(
                landing_zone.root_path, table, days, datetime.now(timezone.utc).replace(tzinfo=None)
            )
        except LandingError as error:
            raise dg.Failure(
                description=f"{table.name}: the landing data was refused, nothing was written. {error}",
                allow_retries=False,
            ) from error
        if loaded.duplicate_rows_removed:
            context.log.warning(
                f"{table.name}: dropped {loaded.duplicate_rows_removed} exact duplicate row(s) of "
                f"{loaded.rows_landed} landed"
            )
        return dg.Output(
            loaded.frame,
            metadata={
                "rows_loaded": len(loaded.frame),
                "rows_landed": loaded.rows_landed,
                "duplicate_rows_removed": loaded.duplicate_rows_removed,
                "days_loaded": len(days),
                "source_files": dg.MetadataValue.json(loaded.source_files),
            },
        )

    return _raw_table


raw_assets: list[dg.AssetsDefinition] = [build_raw_asset(table) for table in SOURCE_TABLES]
