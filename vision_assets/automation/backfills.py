"""The job to backfill days from the UI: one backfill, raw tables through the dashboards.

Dagster plans an *asset* backfill (assets selected in the lineage graph, "Materialize" over a range of
days) from its partitioned roots through partitioned assets only (``AssetBackfillData.from_asset_partitions``):
the raw tables (daily) reach the staging tables and dimensions (rebuilt whole), but not the daily facts
behind them, which the backfill leaves out while it reports success. A *job* backfill has no such gap: the
job's partitions page in the UI ("Launch backfill") launches one run per range of days (every asset has a
single-run backfill policy), and that run builds every asset of the job, as ``make run`` does, the
whole-table ones once after the days they read.
"""

from collections.abc import Sequence

import dagster as dg

from vision_assets.partitions import daily_partitions

WAREHOUSE_DAYS_JOB = "warehouse_days"


def warehouse_days_job(not_in_runs: Sequence[dg.AssetChecksDefinition]):
    """Every asset and check for a range of days, except ``not_in_runs`` (the partition freshness checks,
    which the freshness sensor evaluates at their deadlines, not mid-run)."""
    return dg.define_asset_job(
        name=WAREHOUSE_DAYS_JOB,
        selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*not_in_runs),
        partitions_def=daily_partitions,
        description=(
            "Backfill days from here: Partitions, select the days, Launch backfill. One run builds the raw "
            "tables of those days through the daily facts, demand, recommendations and dashboards."
        ),
    )
