"""Sensors that turn a business line's finished landing day into a run for that day's raw partition.

One sensor per business line. A day is complete when every table of the line has its ``_SUCCESS``
marker. The cursor is the finish time of the newest day already handled, so each tick looks only at days
that finished since: a day that lands late (after later days) or lands again with corrected files
finishes later than the cursor and is picked up; everything already handled costs nothing. A day whose
files could never load (no data file, a header that is not the contract's) is reported in the tick's log
and skip reason once, instead of launching a run that must fail.
"""

from datetime import datetime, timezone

import dagster as dg

from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, BUSINESS_LINES, tables_of
from vision_assets.landing.layout import landed_days, structural_problems
from vision_assets.landing.zone import LandingZone
from vision_assets.partitions import daily_partitions
from vision_assets.raw.assets import raw_asset_key, raw_selection


def landing_sensor_name(line: str) -> str:
    return f"{line}_landing_sensor"


def build_landing_sensor(line: str) -> dg.SensorDefinition:
    tables = tables_of(line)

    @dg.sensor(
        name=landing_sensor_name(line),
        description=(
            f"Watches the {BUSINESS_LINE_NAMES[line]} landing zone and requests a run of its raw tables for "
            "each day whose export has finished (every table's _SUCCESS marker present)."
        ),
        asset_selection=raw_selection([raw_asset_key(table) for table in tables]),
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def _landing_sensor(context: dg.SensorEvaluationContext, landing_zone: LandingZone) -> dg.SensorResult:
        handled_until = float(context.cursor) if context.cursor else 0.0
        newly_finished = {
            day: finished_at
            for day, finished_at in landed_days(landing_zone.root_path, tables).items()
            if finished_at > handled_until
        }
        if not newly_finished:
            return dg.SensorResult(skip_reason="No landing day has finished since the last tick.")

        existing_partitions = _partition_keys_until_now()
        run_requests, reports, not_yet_partitions = [], [], []
        for day, finished_at in newly_finished.items():
            key = day.isoformat()
            if key not in existing_partitions:
                reports.append(f"{key}: landed, but is not a partition yet (the day has not ended in UTC)")
                not_yet_partitions.append(finished_at)
                continue
            problems = [
                problem for table in tables for problem in structural_problems(landing_zone.root_path, table, day)
            ]
            if problems:
                reports.append(f"{key}: landed but cannot load, not requested: " + "; ".join(problems))
                continue
            run_requests.append(
                dg.RunRequest(
                    partition_key=key,
                    run_key=f"{line}:{key}:{finished_at:.6f}",
                    tags={"vision/trigger": landing_sensor_name(line)},
                )
            )
        for report in reports:
            context.log.warning(report)
        handled = max(newly_finished.values())
        if not_yet_partitions:
            # Keep days that are not partitions yet ahead of the cursor so a later tick requests them.
            handled = min(handled, min(not_yet_partitions) - 1e-6)
        return dg.SensorResult(
            run_requests=run_requests,
            cursor=f"{handled:.6f}",
            skip_reason=None if run_requests else " | ".join(reports),
        )

    return _landing_sensor


def _partition_keys_until_now() -> set[str]:
    return set(daily_partitions.get_partition_keys(current_time=datetime.now(timezone.utc)))


landing_sensors: list[dg.SensorDefinition] = [build_landing_sensor(line) for line in BUSINESS_LINES]

