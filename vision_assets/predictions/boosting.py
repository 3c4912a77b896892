"""The machine-learning candidate: one LightGBM model over all the series, on lags and the calendar.

The statistical candidates (``models.py``) fit each series alone and know nothing of the calendar beyond its
season. This one (Nixtla's mlforecast around LightGBM) learns across series at once and sees what day each
step falls on: the weekday and month, public holidays (the ``holidays`` library's US calendar), the distance
to Black Friday and to Christmas (``calendar_features.py``). Coarser frequencies see the month or quarter.

Each series is modelled as log(1 + y) (when it never goes below zero, so a line ten times another's size
shares its pattern) differenced at the season, from lags of one, two and four seasons and the mean of the
last season: the model learns how this week moves from the last, not each series' level. These settings
were chosen on the simulated year's backtest in ``benchmarks/forecast.py`` (the validation data of this
project; log and seasonal differencing cut the line level's MASE by a third against first differences).

On daily series of more than a year (``annual.fits``), Black Friday's and Cyber Monday's effects are
taken out before the model sees the series and put back on its forecast (``shopping_days.py``): seen
once per series, the trees did not learn them.

Intervals are conformal (``PredictionIntervals``): the errors of two earlier windows of the horizon, so the
candidate needs that much more history; ``fits`` says whether a history is long enough.
"""

import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from vision_assets.predictions import annual
from vision_assets.predictions.calendar_features import (
    days_from_black_friday,
    days_from_christmas,
    public_holiday,
)
from vision_assets.predictions.models import LEVELS

LIGHTGBM = "LightGBM"
CONFORMAL_WINDOWS = 2
# Rows of features the model needs to learn from, per series, beyond the lags and the conformal windows.
MIN_TRAINING_ROWS = 14


def lag_settings(season: int) -> tuple[list[int], int]:
    """The lags and the differencing step for a season (1 for series without one)."""
    if season > 1:
        return [season, 2 * season, 4 * season], season
    return [1, 2, 3, 4], 1


def fits(shortest: int, season: int, horizon: int) -> bool:
    """Whether series of at least ``shortest`` points are long enough: the longest lag after differencing,
    the conformal windows and a few weeks of rows to learn from."""
    lags, step = lag_settings(season)
    return shortest >= max(lags) + step + CONFORMAL_WINDOWS * horizon + max(MIN_TRAINING_ROWS, 2 * season)


def calendar_features(freq: str) -> list:
    """mlforecast date features for a frequency: the day's calendar for daily or finer data, the month for
    weekly and monthly data, the quarter for quarterly, none for yearly."""
    offset = to_offset(freq)
    if pd.Timedelta(days=1) >= _nominal_step(offset):
        return ["dayofweek", "month", public_holiday, days_from_black_friday, days_from_christmas]
    rule = offset.name.split("-")[0].lstrip("0123456789")
    if rule.startswith(("Q", "BQ")):
        return ["quarter"]
    if rule.startswith(("Y", "A", "BY")):
        return []
    return ["month"]


def _nominal_step(offset) -> pd.Timedelta:
    start = pd.Timestamp("2026-01-05")
    return (start + offset) - start


def forecaster(freq: str, season: int, non_negative: bool, shopping_days: bool = False):
    """An unfitted MLForecast with the module's settings for this frequency and season; with
    ``shopping_days``, Black Friday's and Cyber Monday's effects are taken out first
    (``shopping_days.ShoppingDays``)."""
    import lightgbm
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import Differences, GlobalSklearnTransformer
    from sklearn.preprocessing import FunctionTransformer

    lags, step = lag_settings(season)
    transforms = [Differences([step])]
    if non_negative:
        log = FunctionTransformer(np.log1p, np.expm1)
        transforms.insert(0, GlobalSklearnTransformer(log))
    if shopping_days:
        from vision_assets.predictions.shopping_days import ShoppingDays

        transforms.insert(-1, ShoppingDays())
    model = lightgbm.LGBMRegressor(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=10,
        n_jobs=1,
        random_state=0,
        verbose=-1,
    )
    return MLForecast(
        models={LIGHTGBM: model},
        freq=freq,
        lags=lags,
        lag_transforms={step: [RollingMean(window_size=max(season, 4))]},
        date_features=calendar_features(freq),
        target_transforms=transforms,
    )


def run_lightgbm(
    method: str, history: pd.DataFrame, freq: str, season: int, horizon: int, **arguments
) -> pd.DataFrame:
    """``cross_validation`` (with n_windows, step_size) or ``forecast`` of the LightGBM candidate, in
    statsforecast's output shape: unique_id, ds (and cutoff, y), LightGBM, LightGBM-lo-80, ... ."""
    from mlforecast.utils import PredictionIntervals

    non_negative = bool((history["y"] >= 0).all())
    # The two days' effects are fitted where AnnualETS fits its year: daily, never negative, over a year.
    shopping_days = annual.fits(int(history.groupby("unique_id").size().min()), freq, non_negative)
    engine = forecaster(freq, season, non_negative=non_negative, shopping_days=shopping_days)
    intervals = PredictionIntervals(n_windows=CONFORMAL_WINDOWS, h=horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "cross_validation":
            output = engine.cross_validation(
                df=history, h=horizon, prediction_intervals=intervals, level=list(LEVELS), **arguments
            )
        else:
            engine.fit(history, prediction_intervals=intervals)
            output = engine.predict(h=horizon, level=list(LEVELS))
    return output
