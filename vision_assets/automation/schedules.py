"""The daily schedule that catches a landing day even when the sensors are switched off."""

from datetime import timedelta

import dagster as dg

from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.partitions import daily_partitions
from vision_assets.raw.assets import raw_asset_key, raw_selection

RAW_KEYS = [raw_asset_key(table) for table in SOURCE_TABLES]

daily_landing_job = dg.define_asset_job(
    name="daily_landing_job",
    selection=raw_selection(RAW_KEYS),
    partitions_def=daily_partitions,
    description="Loads one landing day of all four business lines into the raw schema.",
)


@dg.schedule(
    job=daily_landing_job,
    cron_schedule="0 7 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "At 07:00 UTC, loads yesterday's landing for every raw table the sensors have not already loaded. "
        "Downstream models follow by their automation conditions."
    ),
)
def daily_landing_schedule(context: dg.ScheduleEvaluationContext):
    day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    not_loaded = [key for key in RAW_KEYS if day not in context.instance.get_materialized_partitions(key)]
    if not not_loaded:
        return dg.SkipReason(f"Every raw table already has {day}: the landing sensors loaded it.")
    return dg.RunRequest(
        partition_key=day,
        run_key=f"daily_landing_schedule:{day}",
        asset_selection=not_loaded,
        tags={"vision/trigger": "daily_landing_schedule"},
    )
