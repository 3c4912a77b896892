"""The one daily partitioning every event-like asset shares.

A partition is a UTC day. Its window is half-open, ``[day 00:00, next day 00:00)``, in the IO managers'
delete-then-insert and in the dbt models' ``min_date``/``max_date`` filters alike, so a row belongs to
exactly one day and re-running a day replaces it instead of appending to it.
"""

from datetime import date, timedelta

import dagster as dg

PARTITIONS_START_DATE = "2025-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START_DATE, timezone="UTC")


def days_in_window(window: dg.TimeWindow) -> list[date]:
    """The UTC days of a partition time window (one day, or a backfill range run at once), in order."""
    first = window.start.date()
    return [first + timedelta(days=offset) for offset in range((window.end - window.start).days)]
