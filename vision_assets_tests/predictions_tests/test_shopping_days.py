"""LightGBM with Black Friday's and Cyber Monday's effects taken out first (shopping_days.ShoppingDays)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vision_assets.calendar import black_friday
from vision_assets.predictions.annual import CYBER_MONDAY_AFTER_BLACK_FRIDAY
from vision_assets.predictions.boosting import LIGHTGBM, forecaster, run_lightgbm
from vision_assets.predictions.shopping_days import ShoppingDays
from vision_assets_tests.predictions_tests.test_annual import HORIZON, annual_demand

BLACK_FRIDAY = pd.Timestamp(black_friday(2026))


def lines(count: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``count`` simulated lines (annual_demand, each its own seed): history to 4 November 2026, and the
    expected rate of the next four weeks, which hold Black Friday."""
    histories, aheads = zip(*(annual_demand(seed=seed) for seed in range(count)))
    histories = [frame.assign(unique_id=f"line{seed}") for seed, frame in enumerate(histories)]
    aheads = [frame.assign(unique_id=f"line{seed}") for seed, frame in enumerate(aheads)]
    return pd.concat(histories, ignore_index=True), pd.concat(aheads, ignore_index=True)


def black_friday_ratio(forecast: pd.DataFrame, ahead: pd.DataFrame) -> pd.Series:
    """Each series' forecast of Black Friday over the expected rate."""
    day = forecast.merge(ahead, on=["unique_id", "ds"]).query("ds == @BLACK_FRIDAY")
    return (day[LIGHTGBM] / day["rate"]).set_axis(day["unique_id"])


def plain_lightgbm(history: pd.DataFrame) -> pd.DataFrame:
    """The same LightGBM without the transformation, as run_lightgbm fits it."""
    from mlforecast.utils import PredictionIntervals

    engine = forecaster("D", 7, non_negative=True, shopping_days=False)
    engine.fit(history, prediction_intervals=PredictionIntervals(n_windows=2, h=HORIZON))
    return engine.predict(h=HORIZON)


def test_black_friday_seen_once_is_forecast_where_plain_lightgbm_misses_it():
    history, ahead = lines()
    with_days = black_friday_ratio(run_lightgbm("forecast", history, "D", 7, HORIZON), ahead)
    plain = black_friday_ratio(plain_lightgbm(history), ahead)
    assert (with_days - 1).abs().max() < 0.2, with_days
    assert (plain - 1).abs().min() > 0.3, plain


def test_the_days_effects_come_back_on_every_forecast_column():
    history, _ = lines(1)
    forecast = run_lightgbm("forecast", history, "D", 7, HORIZON).set_index("ds")
    friday = forecast.loc[BLACK_FRIDAY]
    week_before = forecast.loc[BLACK_FRIDAY - pd.Timedelta(days=7)]
    for column in [LIGHTGBM, f"{LIGHTGBM}-lo-95", f"{LIGHTGBM}-hi-95"]:
        assert friday[column] > 1.8 * week_before[column], column


def frame_of(values: list[float], first_day: str = "2024-11-01") -> tuple[ShoppingDays, pd.DataFrame]:
    """An unfitted transformation and a daily series of ``values`` from ``first_day``."""
    transform = ShoppingDays()
    transform.set_column_names("unique_id", "ds", "y")
    days = pd.date_range(first_day, periods=len(values), freq="D")
    return transform, pd.DataFrame({"unique_id": "s", "ds": days, "y": values})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=0, max_value=12, allow_nan=False), min_size=60, max_size=500))
def test_taking_the_days_out_and_putting_them_back_gives_the_series_again(values):
    transform, frame = frame_of(values)
    taken_out = transform.fit_transform(frame)
    back = transform.inverse_transform(taken_out)
    np.testing.assert_allclose(back["y"].to_numpy(), frame["y"].to_numpy(), atol=1e-8)
    # Only the two days (and nothing when the window holds neither) change.
    days = frame["ds"]
    changed = ~np.isclose(taken_out["y"].to_numpy(), frame["y"].to_numpy(), atol=1e-8)
    fridays = [pd.Timestamp(black_friday(year)) for year in days.dt.year.unique()]
    shopping = days.isin(
        fridays + [friday + pd.Timedelta(days=CYBER_MONDAY_AFTER_BLACK_FRIDAY) for friday in fridays]
    )
    assert not (changed & ~shopping.to_numpy()).any()


def test_a_window_without_the_days_leaves_the_series_as_it_is():
    transform, frame = frame_of(list(np.linspace(1, 5, 90)), first_day="2025-01-01")
    taken_out = transform.fit_transform(frame)
    np.testing.assert_allclose(taken_out["y"].to_numpy(), frame["y"].to_numpy())
