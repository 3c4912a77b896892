"""``analytics.data_quality`` as a Dagster asset: the ledger of every table-day's landing and load.

A thin wrapper around :func:`vision_assets.quality.ledger.data_quality`. It is partitioned by day like the
raw tables it reports on, and built for a day as soon as any of that day's raw tables loads, without
waiting for the others: a business line whose export is late or stopped is exactly what it must show.
"""

from collections.abc import Iterator

import dagster as dg

from vision_assets.automation.policies import LATE_DAY_LOOKBACK
from vision_assets.automation.upstream_settled import UpstreamSettled
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, SOURCE_TABLES
from vision_assets.landing.zone import LandingZone
from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.quality import ledger
from vision_assets.raw.assets import raw_asset_key
from vision_assets.trust.declared import declared_schema
from vision_assets.trust.status import REPORTS_ON_LANDINGS_TAG
from vision_assets.warehouse import (
    WAREHOUSE_RETRY_POLICY,
    current_warehouse,
    final_unless_transient,
    warehouse_pool,
)

DATA_QUALITY_KEY = dg.AssetKey(["analytics", "data_quality"])
ALL_LOADED_CHECK = "every_table_of_the_day_loaded"
ROWS_ADD_UP_CHECK = "landed_rows_add_up"
_SHOWN = 12


def quality_automation() -> dg.AutomationCondition:
    """Built for a day once any of its raw tables loaded and no load is still running (the four lines' loads
    of a day lead to one rebuild), late days of the last week included, without waiting for a line that has
    not landed: the table must show the lines that did not land."""
    return (
        dg.AutomationCondition.in_latest_time_window(lookback_delta=LATE_DAY_LOOKBACK)
        & dg.AutomationCondition.any_deps_updated().since_last_handled()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
        & UpstreamSettled()
    ).with_label("after the day's raw loads settle, even while a line has not landed")


def _line(frame_row) -> str:
    return f"{BUSINESS_LINE_NAMES[frame_row.business_line]} {frame_row.source_table} {frame_row.day:%d %b %Y}"


@dg.asset(
    key=DATA_QUALITY_KEY,
    deps=[raw_asset_key(table) for table in SOURCE_TABLES],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="analytics",
    owners=["team:data-platform"],
    kinds={"python", "pandas", current_warehouse().name},
    # What it shows of a line that is behind is the point: trust judges its own days, not its inputs'.
    tags={"layer": "analytics", REPORTS_ON_LANDINGS_TAG: "true"},
    metadata={"partition_expr": "day", "dagster/column_schema": declared_schema(ledger.COLUMNS)},
    check_specs=[
        dg.AssetCheckSpec(
            ALL_LOADED_CHECK,
            asset=DATA_QUALITY_KEY,
            description=(
                "Every table of every business line landed and loaded for the day. Fails, as a warning, naming "
                "each table-day that did not land, was refused, or landed and is not loaded yet."
            ),
        ),
        dg.AssetCheckSpec(
            ROWS_ADD_UP_CHECK,
            asset=DATA_QUALITY_KEY,
            description="For every loaded table-day: rows landed = loaded + quarantined + exact duplicates dropped.",
        ),
    ],
    automation_condition=quality_automation(),
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
@final_unless_transient
def data_quality(context: dg.AssetExecutionContext, landing_zone: LandingZone) -> Iterator:
    """Data quality of the landings, per business line, source table and day: rows landed, loaded,
    quarantined (with the reasons, most frequent first) and dropped as exact duplicates; days refused
    (with the file and the problem), landed but not loaded yet, or not landed at all.

    Read it before trusting a day: "3 rows of Mart orders quarantined on 1 Oct: rating is not between 1 and
    5" is here without opening a file. The quarantined rows themselves are in the quarantine folder
    (``quarantine/<line>/<table>/<day>/quarantined.csv``), kept as they landed.
    """
    days = days_in_window(context.partition_time_window)
    frame = ledger.data_quality(landing_zone.root_path, landing_zone.reports_path, list(SOURCE_TABLES), days)
    missing = ledger.not_loaded(frame)
    held_back = frame[frame["rows_quarantined"] > 0]
    yield dg.Output(
        frame,
        metadata={
            "dagster/row_count": len(frame),
            "rows_quarantined": int(frame["rows_quarantined"].sum()),
            "table_days_not_loaded": len(missing),
            "quarantined": dg.MetadataValue.md(
                "\n".join(f"- {row.rows_quarantined} rows of {_line(row)}: {row.quarantine_reasons}"
                          for row in held_back.head(_SHOWN).itertuples()) or "none"
            ),
        },
    )
    yield dg.AssetCheckResult(
        check_name=ALL_LOADED_CHECK,
        passed=missing.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description="\n".join(f"{_line(row)}: {row.status}" + (f" ({row.refusal})" if row.refusal else "")
                              for row in missing.head(_SHOWN).itertuples())
        or "Every table of every business line is loaded for these days.",
        metadata={"table_days_not_loaded": len(missing)},
    )
    errors = ledger.accounting_errors(frame)
    yield dg.AssetCheckResult(
        check_name=ROWS_ADD_UP_CHECK,
        passed=errors.empty,
        description="\n".join(
            f"{_line(row)}: {row.rows_landed} landed, {row.rows_loaded} loaded, {row.rows_quarantined} "
            f"quarantined, {row.duplicate_rows_removed} duplicates" for row in errors.head(_SHOWN).itertuples()
        )
        or "Every landed row is loaded, quarantined or a dropped exact duplicate.",
    )


quality_assets = [data_quality]
