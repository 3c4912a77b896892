"""The forecast reads enough history to have seen the calendar it forecasts: the same weeks a year earlier."""

from datetime import datetime, timedelta

import dagster as dg

from vision_assets.predictions.assets.common import HISTORY_DAYS, HORIZON_DAYS, recent_demand_input
from vision_assets.predictions.backtest import plan
from vision_assets.predictions.demand import BACKTEST_WINDOWS

YEAR_IN_WHOLE_WEEKS = 364


def test_every_backtest_window_has_the_same_weeks_a_year_earlier_in_its_training_history():
    backtest = plan(HISTORY_DAYS, HORIZON_DAYS, 7, BACKTEST_WINDOWS)
    assert backtest.windows == BACKTEST_WINDOWS and backtest.horizon == HORIZON_DAYS
    trained_on_before_first_origin = HISTORY_DAYS - backtest.test_size
    # The first window's days, a year back, lie inside what its models were fitted on; the later windows
    # are fitted on more, and the forecast itself on all of it.
    assert trained_on_before_first_origin >= YEAR_IN_WHOLE_WEEKS + HORIZON_DAYS


def test_the_forecast_asset_reads_the_whole_history_window_of_daily_partitions():
    partitions = dg.DailyPartitionsDefinition(start_date="2020-01-01", timezone="UTC")
    made_on = "2024-06-30"
    upstream = recent_demand_input().partition_mapping.get_upstream_mapped_partitions_result_for_partitions(
        partitions.subset_with_partition_keys([made_on]),
        partitions,
        partitions,
        current_time=datetime(2025, 1, 1),
    )
    keys = sorted(upstream.partitions_subset.get_partition_keys())
    assert len(keys) == HISTORY_DAYS
    assert keys[-1] == made_on
    first = datetime.fromisoformat(made_on) - timedelta(days=HISTORY_DAYS - 1)
    assert keys[0] == first.date().isoformat()
