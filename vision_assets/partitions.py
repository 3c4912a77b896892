"""The one daily partitioning every event-like asset shares.

A partition is a UTC day. Its window is half-open, ``[day 00:00, next day 00:00)``, in the IO managers'
delete-then-insert and in the dbt models' ``min_date``/``max_date`` filters alike, so a row belongs to
exactly one day and re-running a day replaces it instead of appending to it.
"""

import os
from datetime import date, timedelta

import dagster as dg

from vision_assets.paths import partitions_start_file

DEFAULT_PARTITIONS_START = date(2025, 1, 1)


def partitions_start() -> date:
    """The first day of the daily partitions: where the data starts, so the UI shows no phantom gaps.

    ``VISION_PARTITIONS_START`` (an ISO day) when set: production sets it to the first day of the
    businesses' history. Otherwise the day a demo recorded in ``<VISION_DATA_DIR>/partitions_start`` when
    it landed its first day (``make run``), so every process sharing the data folder (``make dev``, run
    workers, sensors) agrees. Otherwise 2025-01-01.
    """
    setting = os.environ.get("VISION_PARTITIONS_START", "").strip()
    where = "VISION_PARTITIONS_START"
    if not setting and partitions_start_file().exists():
        setting, where = partitions_start_file().read_text().strip(), str(partitions_start_file())
    if not setting:
        return DEFAULT_PARTITIONS_START
    try:
        return date.fromisoformat(setting)
    except ValueError:
        raise ValueError(f"{where} holds {setting!r}, not a day such as 2025-01-01") from None


def record_partitions_start(first_day: date) -> None:
    """Make ``first_day`` the partitions' start for every process sharing this data folder, unless an
    earlier start is already recorded (a demo continued later keeps its first day)."""
    path = partitions_start_file()
    if path.exists() and date.fromisoformat(path.read_text().strip()) <= first_day:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(first_day.isoformat() + "\n")


daily_partitions = dg.DailyPartitionsDefinition(start_date=partitions_start().isoformat(), timezone="UTC")


def days_in_window(window: dg.TimeWindow) -> list[date]:
    """The UTC days of a partition time window (one day, or a backfill range run at once), in order."""
    first = window.start.date()
    return [first + timedelta(days=offset) for offset in range((window.end - window.start).days)]
