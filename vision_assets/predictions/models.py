"""The candidate forecasting models and how each is fitted, scored and combined.

Candidates are statsforecast's: seasonal naive (the benchmark every other must beat), AutoETS, AutoTheta,
AutoARIMA, and their mean (an ensemble of ETS, Theta and ARIMA, the combination that won the M4
competition's statistical track). AutoARIMA costs about a hundred times AutoETS on daily data, so it is a
candidate only while the history is small enough (``ARIMA_POINT_BUDGET``); the ensemble then averages ETS
and Theta. The ensemble's interval bounds are the mean of its members' bounds.

The season length follows the pandas frequency (weekly rhythm for daily data, a year for weekly, monthly
and quarterly data); a series shorter than two seasons plus a little is fitted without the season.
"""

import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

LEVELS = (80, 95)
SEASONAL_NAIVE = "SeasonalNaive"
ENSEMBLE = "Ensemble"
# AutoARIMA is a candidate while the history holds at most this many points (all series together): it costs
# one to two seconds per daily series and fit, against a few hundredths for AutoETS and AutoTheta.
ARIMA_POINT_BUDGET = 1_000
_SEASON_BY_RULE = {
    "D": 7,
    "B": 5,
    "C": 5,
    "h": 24,
    "H": 24,
    "bh": 8,
    "BH": 8,
    "W": 52,
    "MS": 12,
    "ME": 12,
    "M": 12,
    "SMS": 24,
    "SM": 24,
    "BMS": 12,
    "BME": 12,
    "BM": 12,
    "QS": 4,
    "QE": 4,
    "Q": 4,
    "BQS": 4,
    "BQE": 4,
    "BQ": 4,
    "YS": 1,
    "YE": 1,
    "Y": 1,
    "A": 1,
    "AS": 1,
    "BYS": 1,
    "BYE": 1,
}


def season_length(freq: str) -> int:
    """The seasonal period of a pandas frequency: 7 for daily, 52 for weekly, 12 monthly, 4 quarterly.

    A multiple such as ``2D`` or a frequency without a natural season gives 1 (no season).
    """
    offset = to_offset(freq)
    rule = offset.name.split("-")[0].lstrip("0123456789")
    if offset.n != 1:
        return 1
    return _SEASON_BY_RULE.get(rule, 1)


def usable_season(length: int, season: int) -> int:
    """The season a series of ``length`` points can be fitted with: none until it holds two full seasons."""
    return season if season > 1 and length >= 2 * season + 2 else 1


def candidates(season: int, points: int) -> list:
    """statsforecast models to try for series with this season, given the history's total points (the same
    set when backtesting and when forecasting, so the ensemble means the same thing in both)."""
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, Naive, SeasonalNaive

    # Additive seasonality only: demand counts hit zero, where multiplicative seasons are undefined.
    models = [
        SeasonalNaive(season_length=season, alias=SEASONAL_NAIVE)
        if season > 1
        else Naive(alias=SEASONAL_NAIVE),
        AutoETS(season_length=season, model="ZZA" if season > 1 else "ZZN"),
        AutoTheta(season_length=season),
    ]
    if points <= ARIMA_POINT_BUDGET:
        models.append(AutoARIMA(season_length=season, max_p=2, max_q=2, max_P=1, max_Q=1))
    return models


def ensemble_members(columns) -> list[str]:
    return [name for name in ("AutoETS", "AutoTheta", "AutoARIMA") if name in columns]


def with_ensemble(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the ensemble's point forecast and bounds (means of its members') to a statsforecast output."""
    return with_mean_forecast(frame, ENSEMBLE, ensemble_members(frame.columns))


def with_mean_forecast(frame: pd.DataFrame, name: str, members) -> pd.DataFrame:
    """Add ``name``: the mean of the ``members``' point forecasts, and of their bounds where all have them."""
    members = list(members)
    frame = frame.copy()
    frame[name] = frame[members].mean(axis=1)
    for level in LEVELS:
        for side in ("lo", "hi"):
            columns = [f"{member}-{side}-{level}" for member in members]
            if all(column in frame.columns for column in columns):
                frame[f"{name}-{side}-{level}"] = frame[columns].mean(axis=1)
    return frame


def model_names(frame: pd.DataFrame) -> list[str]:
    """The models in a statsforecast output (columns without an interval suffix)."""
    fixed = {"unique_id", "ds", "cutoff", "y"}
    return [
        column
        for column in frame.columns
        if column not in fixed and "-lo-" not in column and "-hi-" not in column
    ]


def run_statsforecast(
    method: str, history: pd.DataFrame, freq: str, models: list, **arguments
) -> pd.DataFrame:
    """Call StatsForecast.<method> quietly (ARIMA's convergence warnings say nothing a user can act on)."""
    from statsforecast import StatsForecast

    engine = StatsForecast(models=models, freq=freq, n_jobs=1, fallback_model=models[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = getattr(engine, method)(df=history, level=list(LEVELS), **arguments)
    output = output.reset_index() if "unique_id" not in output.columns else output
    return with_ensemble(output)


def non_negative(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Clip forecasts of a quantity that is never negative (demand) at zero."""
    frame = frame.copy()
    for column in columns:
        frame[column] = np.maximum(frame[column].to_numpy(dtype=float), 0.0)
    return frame
