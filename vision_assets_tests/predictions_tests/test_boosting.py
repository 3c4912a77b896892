"""The LightGBM candidate: its calendar, when a history is long enough for it, and that it learns the calendar."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from vision_assets.calendar import black_friday
from vision_assets.predictions import forecast
from vision_assets.predictions.boosting import LIGHTGBM, calendar_features, fits
from vision_assets.predictions.calendar_features import (
    days_from_black_friday,
    days_from_christmas,
    public_holiday,
)
from vision_assets.predictions.forecasting import select_models, validated


@pytest.mark.parametrize(
    ("year", "day"),
    # 2024 and 2030 start November on a Friday: Black Friday is then the fifth Friday, not the fourth.
    [
        (2024, date(2024, 11, 29)),
        (2025, date(2025, 11, 28)),
        (2026, date(2026, 11, 27)),
        (2030, date(2030, 11, 29)),
    ],
)
def test_black_friday_is_the_day_after_thanksgiving(year, day):
    assert black_friday(year) == day


def test_the_calendar_features_name_the_day():
    days = pd.DatetimeIndex(
        ["2026-11-20", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-25", "2027-01-01", "2027-01-15"]
    )
    assert list(days_from_black_friday(days)) == [-7, -1, 0, 3, 7, -7, -7]
    assert list(days_from_christmas(days)) == [-30, -29, -28, -25, 0, 7, -30]
    # Thanksgiving, Christmas and New Year's Day are federal holidays; Black Friday and other days are not.
    assert list(public_holiday(days)) == [0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("freq", "named"), [("W", ["month"]), ("MS", ["month"]), ("QS", ["quarter"]), ("YS", [])]
)
def test_coarser_frequencies_see_the_month_or_quarter_only(freq, named):
    assert calendar_features(freq) == named


def test_daily_and_hourly_data_see_the_days_calendar():
    for freq in ("D", "h"):
        features = calendar_features(freq)
        assert features[:2] == ["dayofweek", "month"] and days_from_black_friday in features


def test_the_candidate_needs_its_lags_the_conformal_windows_and_rows_to_learn_from():
    # Daily, horizon 28: lags up to 28 after differencing by 7, two conformal windows of 28, 14 rows.
    assert fits(28 + 7 + 56 + 14, 7, 28) and not fits(28 + 7 + 56 + 13, 7, 28)


def holiday_demand(days: int = 420, seed: int = 5) -> pd.DataFrame:
    """Three series of daily demand, flat through the week, that fall to a fifth on US federal holidays."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-11-01", periods=days, freq="D")
    holiday = public_holiday(dates)
    frames = []
    for number, level in enumerate((60.0, 90.0, 140.0)):
        rate = level * np.where(holiday == 1.0, 0.2, 1.0)
        frames.append(
            pd.DataFrame({"unique_id": f"s{number}", "ds": dates, "y": rng.poisson(rate).astype(float)})
        )
    return pd.concat(frames, ignore_index=True)


def test_on_demand_that_falls_on_holidays_the_backtest_chooses_lightgbm_and_it_forecasts_the_fall():
    history = holiday_demand()
    history = history[history["ds"] <= "2026-12-18"]
    selection = select_models(validated(history, "D"), 14, "D")
    assert set(selection.model_of.values()) == {LIGHTGBM}
    scores = selection.scores.groupby("model")["mase"].mean()
    assert scores[LIGHTGBM] < scores["SeasonalNaive"] and scores[LIGHTGBM] == scores.min()

    result = forecast(history, 14, "D")
    on_holidays = result["ds"].isin(pd.to_datetime(["2026-12-25", "2027-01-01"]))
    for name, rows in result.groupby("unique_id"):
        ordinary = rows.loc[~on_holidays[rows.index], "yhat"].median()
        assert (rows.loc[on_holidays[rows.index], "yhat"] < 0.5 * ordinary).all(), name
