"""Raw assets: each business line's daily export, loaded as it landed, one asset per source table.

An asset here reads exactly its partition's landing files, checks them against the table's contract
(:mod:`vision_assets.landing.contracts`), adds load lineage columns and hands the frame to the warehouse
IO manager. The IO manager deletes the partition's day (``partition_expr`` is the table's event-time
column) before it inserts, so loading a day twice leaves the same rows.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import dagster as dg

from vision_assets.landing.contracts import (
    BUSINESS_LINE_NAMES,
    BUSINESS_LINES,
    SOURCE_TABLES,
    Column,
    SourceTable,
)
from vision_assets.landing.loader import (
    LOADED_AT_COLUMN,
    SOURCE_FILE_COLUMN,
    LandingError,
    LoadedTable,
    load_landing_days,
    refusal_report,
)
from vision_assets.landing.quarantine import write_load_report, write_quarantine
from vision_assets.landing.zone import LandingZone
from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.raw.names import QUARANTINE_CHECK, RAW_SCHEMA, RECONCILIATION_CHECK
from vision_assets.warehouse import (
    WAREHOUSE_RETRY_POLICY,
    current_warehouse,
    fail_fast_unless_transient,
    warehouse_pool,
)

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
                description=column.documentation,
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
        f"contract (columns, exact types, required values, the rules each column's description states, the "
        f"day's window). Text is trimmed and timestamps written with a UTC offset are converted to UTC; "
        f"nothing else is changed. A row is identified by ({key}); `{table.event_time}` places it in its "
        f"daily partition. Exact duplicate rows inside a day are dropped and counted. A row that breaks the "
        f"contract is held back in quarantine with its reason (the `{QUARANTINE_CHECK}` check shows it, and "
        f"analytics.data_quality counts it); a file that cannot be read as the contract's (missing or "
        f"unexpected columns, a changed column type, an empty or corrupt file) fails the whole day, and "
        f"nothing of it is written."
    )


def _raw_asset_spec(table: SourceTable) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(table),
        description=_description(table),
        group_name=table.line,
        owners=[f"team:{table.line}-data"],
        kinds={"python", "pandas", current_warehouse().name},
        tags={"layer": "raw", "business_line": table.line},
        partitions_def=daily_partitions,
        metadata={
            "partition_expr": table.event_time,
            "business_line": BUSINESS_LINE_NAMES[table.line],
            "dagster/column_schema": raw_column_schema(table),
        },
    )


def build_raw_line_asset(line: str, tables: Sequence[SourceTable]) -> dg.AssetsDefinition:
    """One daily-partitioned asset per landed source table of a business line, all loaded in one step.

    Each table stays its own asset (lineage, checks, freshness, its own materialization), and any subset of
    them can run. One step per line instead of one per table: a day's run pays Dagster's step bookkeeping
    (start and success events, the pool's slot, the step's context) 4 times instead of 26, 0.3-0.5 s of a
    day on 2 cores (benchmarks/README.md, cause 7).

    A table whose landing data is refused writes nothing; the line's other tables are still loaded, and the
    step then fails naming every refused table, so nothing downstream of the line builds on a partial day.
    """

    @dg.multi_asset(
        name=f"raw_{line}",
        description=f"Loads the landed exports of {BUSINESS_LINE_NAMES[line]}, one asset per source table.",
        outs={
            _output_name(table): dg.AssetOut.from_spec(_raw_asset_spec(table), is_required=False)
            for table in tables
        },
        check_specs=[spec for table in tables for spec in _check_specs(table)],
        can_subset=True,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=warehouse_pool(),
        retry_policy=WAREHOUSE_RETRY_POLICY,
    )
    def _raw_line(context: dg.AssetExecutionContext, landing_zone: LandingZone) -> Iterator:
        days = days_in_window(context.partition_time_window)
        failures: list[dg.Failure] = []
        for table in tables:
            if raw_asset_key(table) not in context.selected_asset_keys:
                continue
            try:
                yield from _load_table(context, landing_zone, table, days)
            except dg.Failure as failure:  # refused, or failed for good: the line's other tables still load
                failures.append(failure)
        if failures:
            description = "\n".join(failure.description or "" for failure in failures)
            raise dg.Failure(description=description, allow_retries=False) from failures[0]

    return _raw_line


def raw_selection(keys: Sequence[dg.AssetKey]) -> dg.AssetSelection:
    """Raw tables with their load's own checks, for the runs that load them (not the freshness checks,
    which judge the tables from outside those runs)."""
    checks = [dg.AssetCheckKey(key, name) for key in keys for name in (QUARANTINE_CHECK, RECONCILIATION_CHECK)]
    return dg.AssetSelection.assets(*keys).without_checks() | dg.AssetSelection.checks(*checks)


def _output_name(table: SourceTable) -> str:
    return raw_asset_key(table).to_python_identifier()


def _load_table(
    context: dg.AssetExecutionContext, landing_zone: LandingZone, table: SourceTable, days: list[date]
) -> Iterator:
    """One table's days: the frame for the IO manager, then its checks' results."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with fail_fast_unless_transient(f"{table.name}: loading the landing data"):
        try:
            loaded = load_landing_days(landing_zone.root_path, table, days, loaded_at)
        except LandingError as error:
            write_load_report(landing_zone.reports_path, table, refusal_report(table, error, loaded_at))
            raise dg.Failure(
                description=f"{table.name}: the landing data was refused, nothing was written. {error}",
                allow_retries=False,
            ) from error
        quarantine_files = write_quarantine(landing_zone.quarantine_path, table, days, loaded.quarantined)
    if loaded.rows_quarantined:
        context.log.warning(
            f"{table.name}: {loaded.rows_quarantined} row(s) quarantined in "
            f"{', '.join(quarantine_files)}: "
            + " | ".join(loaded.quarantine_reasons)
        )
    if loaded.duplicate_rows_removed:
        context.log.warning(
            f"{table.name}: dropped {loaded.duplicate_rows_removed} exact duplicate row(s) of "
            f"{loaded.rows_landed} landed"
        )
    yield dg.Output(
        loaded.frame,
        output_name=_output_name(table),
        metadata={
            "rows_loaded": len(loaded.frame),
            "rows_landed": loaded.rows_landed,
            "rows_quarantined": loaded.rows_quarantined,
            "duplicate_rows_removed": loaded.duplicate_rows_removed,
            "rows_by_reason": dg.MetadataValue.json(loaded.rows_by_reason),
            "timestamps_with_offset": loaded.timestamps_with_offset,
            "days_loaded": len(days),
            "source_files": dg.MetadataValue.json(loaded.source_files),
        },
    )
    # After the yield the IO manager has stored the frame: only now is the day's record true.
    for report in loaded.reports:
        write_load_report(landing_zone.reports_path, table, report)
    selected_checks = context.selected_asset_check_keys
    for result in _check_results(table, loaded, quarantine_files):
        if dg.AssetCheckKey(result.asset_key, result.check_name) in selected_checks:
            yield result


def _check_specs(table: SourceTable) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=raw_asset_key(table),
            description=(
                "Every landed row passed its contract. Fails (as a warning: the rest of the day is loaded) "
                "when rows were quarantined; the result names the files, columns and rows, and the "
                "quarantine file keeps the rows as landed with their reason."
            ),
        ),
        dg.AssetCheckSpec(
            RECONCILIATION_CHECK,
            asset=raw_asset_key(table),
            description="Rows landed = rows loaded + rows quarantined + exact duplicate rows dropped.",
        ),
    ]


def _check_results(
    table: SourceTable, loaded: LoadedTable, quarantine_files: list[str]
) -> Iterator[dg.AssetCheckResult]:
    yield dg.AssetCheckResult(
        asset_key=raw_asset_key(table),
        check_name=QUARANTINE_CHECK,
        passed=loaded.rows_quarantined == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description="\n".join(loaded.quarantine_reasons) or "No row was quarantined.",
        metadata={
            "rows_quarantined": loaded.rows_quarantined,
            "rows_by_reason": dg.MetadataValue.json(loaded.rows_by_reason),
            "problems": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in loaded.quarantine_reasons) or "none"
            ),
            "quarantine_files": dg.MetadataValue.json(quarantine_files),
        },
    )
    accounted = len(loaded.frame) + loaded.rows_quarantined + loaded.duplicate_rows_removed
    yield dg.AssetCheckResult(
        asset_key=raw_asset_key(table),
        check_name=RECONCILIATION_CHECK,
        passed=accounted == loaded.rows_landed,
        metadata={
            "rows_landed": loaded.rows_landed,
            "rows_loaded": len(loaded.frame),
            "rows_quarantined": loaded.rows_quarantined,
            "duplicate_rows_removed": loaded.duplicate_rows_removed,
        },
    )


raw_assets: list[dg.AssetsDefinition] = [
    build_raw_line_asset(line, [table for table in SOURCE_TABLES if table.line == line])
    for line in BUSINESS_LINES
]
