"""A partition's window becomes the half-open [min_date, max_date) the daily dbt models filter on."""

from datetime import datetime, timezone

import dagster as dg

from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.transform.dbt_vars import dbt_vars_for_window


def test_one_day_becomes_that_day_and_the_next():
    window = daily_partitions.time_window_for_partition_key("2026-10-05")
    assert dbt_vars_for_window(window) == {"min_date": "2026-10-05", "max_date": "2026-10-06"}


def test_a_backfill_range_becomes_one_window():
    window = dg.TimeWindow(datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 10, 31, tzinfo=timezone.utc))
    assert dbt_vars_for_window(window) == {"min_date": "2026-10-01", "max_date": "2026-10-31"}
    days = days_in_window(window)
    assert len(days) == 30
    assert days[0].isoformat() == "2026-10-01" and days[-1].isoformat() == "2026-10-30"


def test_the_last_day_of_a_year_ends_on_the_first_of_the_next():
    window = daily_partitions.time_window_for_partition_key("2025-12-31")
    assert dbt_vars_for_window(window) == {"min_date": "2025-12-31", "max_date": "2026-01-01"}
