"""Materialize a range of days through Dagster, the way a backfill from the UI would.

Every partitioned asset here has a single-run backfill policy, so a range of days is ONE run: the raw
assets load all the days' files at once and dbt builds the whole window in one invocation, instead of
paying Dagster's and dbt's start-up once per day.
"""

from datetime import date

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from vision_assets.automation.policies import without_partition_freshness_checks


def materialize_days(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    first_day: date,
    last_day: date,
    selection: dg.AssetSelection | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize the selected assets (all by default) for ``[first_day, last_day]`` in one run.

    Unpartitioned assets in the selection (dimensions, models rebuilt whole) run once, after the
    partitioned assets they depend on.
    """
    selection = without_partition_freshness_checks(selection or dg.AssetSelection.all(), defs.resolve_asset_graph())
    job = dg.define_asset_job("materialize_days", selection=selection)
    resolved = dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("materialize_days")
    return resolved.execute_in_process(
        instance=instance,
        # The console shows INFO and up; every DEBUG event is still in the run's event log in the UI.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        tags={
            ASSET_PARTITION_RANGE_START_TAG: first_day.isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: last_day.isoformat(),
        },
    )
