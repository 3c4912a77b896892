"""Materialize a range of days through Dagster, the way a backfill from the UI would.

Every partitioned asset here has a single-run backfill policy, so a range of days is ONE run: the raw
assets load all the days' files at once and dbt builds the whole window in one invocation, instead of
paying Dagster's and dbt's start-up once per day.
"""

from datetime import date

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from vision_assets.automation.policies import without_partition_freshness_checks


def _days_job(defs: dg.Definitions, selection: dg.AssetSelection | None, logger: dg.LoggerDefinition | None):
    selection = without_partition_freshness_checks(
        selection or dg.AssetSelection.all(), defs.resolve_asset_graph()
    )
    job = dg.define_asset_job("materialize_days", selection=selection)
    extra = dg.Definitions(jobs=[job], loggers={"vision": logger} if logger is not None else None)
    return dg.Definitions.merge(defs, extra).resolve_job_def("materialize_days")


def materialize_days_steps(defs: dg.Definitions, selection: dg.AssetSelection | None = None) -> int:
    """How many steps :func:`materialize_days` runs (what a progress bar counts)."""
    return len(_days_job(defs, selection, None).graph.nodes)


def materialize_days(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    first_day: date,
    last_day: date,
    selection: dg.AssetSelection | None = None,
    logger: dg.LoggerDefinition | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialize the selected assets (all by default) for ``[first_day, last_day]`` in one run.

    Unpartitioned assets in the selection (dimensions, models rebuilt whole) run once, after the
    partitioned assets they depend on. The run's events go to the console at INFO and up, or, given a
    ``logger``, only to it (every event is in the run's event log in the UI either way). With
    ``raise_on_error=False`` a failed step does not raise: the result says which failed.
    """
    job = _days_job(defs, selection, logger)
    loggers = {"vision": {}} if logger is not None else {"console": {"config": {"log_level": "INFO"}}}
    return job.execute_in_process(
        instance=instance,
        run_config={"loggers": loggers},
        raise_on_error=raise_on_error,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: first_day.isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: last_day.isoformat(),
        },
    )


def check_outcome(evaluation: dg.AssetCheckEvaluation) -> str:
    """``passed``, ``warned`` (failed at WARN severity) or ``failed``: how `make run` counts a check."""
    if evaluation.passed:
        return "passed"
    return "warned" if evaluation.severity == dg.AssetCheckSeverity.WARN else "failed"
