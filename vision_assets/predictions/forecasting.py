"""The forecast of any set of series: models chosen on the history alone by a rolling-origin backtest.

``forecast(history, horizon, freq)`` is the pure entry point (no Dagster, no warehouse): give it Nixtla's
long format and a pandas frequency, get every series' point forecast and 80 % / 95 % intervals. Inside:

1. the season follows the frequency (``models.season_length``); series too short for two seasons are
   fitted without one;
2. a backtest over the last origins of the history (``backtest.plan``: three origins of the horizon when the
   history allows, shorter ones when it does not) scores every candidate by MASE: the statistical ones of
   ``models.py``; LightGBM on lags and the calendar (``boosting.py``) once the history is long enough for
   it; and, on daily series of more than a year, AutoETS with the annual calendar taken out
   (``annual.py``). The best model on average is chosen, per group when ``groups`` says which series
   belong together (the demand asset passes the hierarchy's levels), else one model for all the series;
3. the chosen models are refitted on the whole history and forecast ``horizon`` steps.

Missing timestamps are refused, not filled: only the caller knows whether a gap means zero or unknown.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vision_assets.predictions import annual, boosting
from vision_assets.predictions.annual import ANNUAL_ETS, PARENT_ANNUAL_ETS
from vision_assets.predictions.backtest import choose, group_of, plan, rolling_origin, score
from vision_assets.predictions.boosting import LIGHTGBM
from vision_assets.predictions.combinations import unfit_with, with_combinations, with_members
from vision_assets.predictions.models import (
    ENSEMBLE,
    LEVELS,
    candidates,
    ensemble_members,
    non_negative,
    run_statsforecast,
    season_length,
    usable_season,
)
from vision_assets.predictions.shares import base_model, with_parent_shares

OUTPUT_COLUMNS = ["unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
DEFAULT_MODEL = "AutoETS"


@dataclass
class Selection:
    """The model chosen for each series, the season it is fitted with, and the backtest behind the choice."""

    model_of: dict[str, str]
    season_of: dict[str, int]
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def forecast(history: pd.DataFrame, horizon: int, freq: str, groups: pd.Series | None = None) -> pd.DataFrame:
    """Forecast every series in ``history`` ``horizon`` steps ahead.

    ``history``: columns ``unique_id``, ``ds`` (timestamps on ``freq``, no gaps within a series), ``y``.
    ``freq``: a pandas frequency (``D``, ``W``, ``MS``, ``QS``, ...). ``groups`` (optional): a Series mapping
    unique_id to a group; one model is chosen per group. Returns ``unique_id``, ``ds``, ``yhat``,
    ``yhat_lo_80``, ``yhat_hi_80``, ``yhat_lo_95``, ``yhat_hi_95``: one row per series and future step.
    Forecasts are clipped at zero for series that never go below it.
    """
    history = validated(history, freq)
    selection = select_models(history, horizon, freq, groups)
    return predict(history, horizon, freq, selection)


def validated(history: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The history sorted, with ``ds`` as timestamps; a ValueError naming the series for anything else."""
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns unique_id, ds, y; missing {sorted(missing)}")
    if history.empty:
        raise ValueError("history is empty: nothing to forecast")
    frame = history[["unique_id", "ds", "y"]].copy()
    frame["ds"] = pd.to_datetime(frame["ds"])
    if not pd.api.types.is_numeric_dtype(frame["y"]):
        raise ValueError(f"y must be numeric, got {frame['y'].dtype}")
    frame["y"] = frame["y"].astype(float)
    bad = frame[~np.isfinite(frame["y"])]
    if not bad.empty:
        first = bad.iloc[0]
        raise ValueError(
            f"y is missing or infinite in {len(bad)} rows, first in series {first['unique_id']!r} at {first['ds']}"
        )
    duplicated = frame[frame.duplicated(["unique_id", "ds"], keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise ValueError(
            f"{len(duplicated)} rows share a (unique_id, ds), first {first['unique_id']!r} at {first['ds']}"
        )
    frame = frame.sort_values(["unique_id", "ds"], ignore_index=True)
    for unique_id, series in frame.groupby("unique_id", sort=False)["ds"]:
        expected = pd.date_range(series.iloc[0], series.iloc[-1], freq=freq)
        if len(expected) != len(series) or not (expected == series.to_numpy()).all():
            gaps = expected.difference(pd.DatetimeIndex(series))
            where = f"first missing {gaps[0]}" if len(gaps) else "timestamps off the frequency"
            raise ValueError(f"series {unique_id!r} is not regular on freq {freq!r}: {where}")
    return frame


def _seasons(history: pd.DataFrame, freq: str) -> pd.Series:
    season = season_length(freq)
    return history.groupby("unique_id").size().map(lambda length: usable_season(int(length), season))


def select_models(
    history: pd.DataFrame,
    horizon: int,
    freq: str,
    groups: pd.Series | None = None,
    parent_of: dict[str, str] | None = None,
) -> Selection:
    """Choose a model per group by backtesting every candidate on the history (see the module's steps);
    with ``parent_of`` (child -> parent in a hierarchy), the children's share candidates too."""
    seasons = _seasons(history, freq)
    lengths = history.groupby("unique_id").size()
    selection = Selection(model_of={}, season_of=seasons.to_dict())
    scored = []
    for season, ids in seasons.groupby(seasons).groups.items():
        bucket_lengths = lengths[ids]
        backtest = plan(int(bucket_lengths.quantile(0.25)), horizon, int(season))
        chosen: dict[str, str] = {}
        if backtest is not None:
            enough = bucket_lengths[bucket_lengths >= backtest.test_size + max(2 * season + 2, 8)].index
            bucket = history[history["unique_id"].isin(enough)]
            if not bucket.empty:
                forecasts = rolling_origin(
                    bucket,
                    freq,
                    backtest,
                    non_negative_series=bool((bucket["y"] >= 0).all()),
                    points=int(bucket_lengths.sum()),
                    parent_of=parent_of,
                )
                scores = score(forecasts, bucket, int(season))
                scored.append(scores.assign(season=int(season)))
                chosen = choose(scores, groups)
        else:
            selection.notes.append(
                f"{len(ids)} series of season {season} too short to backtest: {DEFAULT_MODEL}"
            )
        fallback = chosen.get("all", DEFAULT_MODEL)
        for unique_id, group in group_of(pd.Series(ids, index=ids), groups).items():
            selection.model_of[unique_id] = chosen.get(group, fallback)
    if scored:
        selection.scores = pd.concat(scored, ignore_index=True)
    return selection


def predict(
    history: pd.DataFrame,
    horizon: int,
    freq: str,
    selection: Selection,
    parent_of: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Fit each series' chosen model on its whole history and forecast ``horizon`` steps, with intervals.

    A LightGBM or AnnualETS choice (or a combination or share candidate built on one) reused on a history it
    cannot fit (``boosting.fits``, ``annual.fits``) falls back to the default model, and
    ``selection.model_of`` is updated to say so. A share candidate needs ``parent_of``: its model is fitted
    for the whole batch, parents included."""
    outputs = []
    seasons = pd.Series(selection.season_of)
    for season, ids in seasons.groupby(seasons).groups.items():
        bucket = history[history["unique_id"].isin(ids)]
        shortest = int(bucket.groupby("unique_id").size().min())
        unfit = set()  # models a choice reused on this history cannot fit (too short, or negative values)
        if not boosting.fits(shortest, int(season), horizon):
            unfit.add(LIGHTGBM)
        if not annual.fits(shortest, freq, bool((bucket["y"] >= 0).all())):
            unfit |= {ANNUAL_ETS, PARENT_ANNUAL_ETS}
        unfit = unfit_with(unfit)
        for unique_id in ids:
            if base_model(selection.model_of[unique_id]) in unfit:
                selection.model_of[unique_id] = DEFAULT_MODEL
        models = candidates(int(season), len(bucket))
        wanted = with_members({base_model(selection.model_of[unique_id]) for unique_id in ids})
        if ENSEMBLE in wanted:
            wanted |= set(ensemble_members([model.alias for model in models]))
        models = [model for model in models if model.alias in wanted or model is models[0]]
        output = run_statsforecast("forecast", bucket, freq, models, h=horizon)
        if LIGHTGBM in wanted:
            learned = boosting.run_lightgbm("forecast", bucket, freq, int(season), horizon)
            output = output.merge(learned, on=["unique_id", "ds"], how="left", validate="one_to_one")
        if wanted & {ANNUAL_ETS, PARENT_ANNUAL_ETS}:
            parents = (parent_of or {}) if PARENT_ANNUAL_ETS in wanted else None  # {}: each its own season
            yearly = annual.run_annual_ets(
                "forecast", bucket, freq, horizon, parent_of=parents, own=ANNUAL_ETS in wanted
            )
            output = output.merge(yearly, on=["unique_id", "ds"], how="left", validate="one_to_one")
        output = with_parent_shares(with_combinations(output), bucket, parent_of or {})
        for unique_id in ids:  # a share choice reused where no share can be formed: the model it builds on
            if selection.model_of[unique_id] not in output.columns:
                selection.model_of[unique_id] = base_model(selection.model_of[unique_id])
        outputs.append(_pick(output, selection.model_of))
    result = _random_walk_bounds_where_missing(pd.concat(outputs, ignore_index=True), history)
    never_negative = history.groupby("unique_id")["y"].min() >= 0
    clip = result["unique_id"].map(never_negative).fillna(False).to_numpy()
    clipped = non_negative(result, OUTPUT_COLUMNS[2:])
    result.loc[clip, OUTPUT_COLUMNS[2:]] = clipped.loc[clip, OUTPUT_COLUMNS[2:]]
    return result.sort_values(["unique_id", "ds"], ignore_index=True)[OUTPUT_COLUMNS]


# Two-sided normal quantiles of the interval levels.
_Z = {80: 1.2815515655446004, 95: 1.959963984540054}


def _random_walk_bounds_where_missing(result: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Bounds for the steps a model left without (a history of a few points): a random walk's, the spread
    of the series' day-to-day changes (or of its values, with fewer than three points) growing with the
    square root of the steps ahead. Wide, as they should be on so little history."""
    changes = history.groupby("unique_id")["y"].agg(
        lambda y: np.std(np.diff(y.to_numpy()), ddof=1) if len(y) >= 3 else max(float(np.abs(y).mean()), 1.0)
    )
    too_short = result["unique_id"].map(history.groupby("unique_id").size() < 3).to_numpy()
    step = result.groupby("unique_id").cumcount() + 1
    spread = result["unique_id"].map(changes).fillna(0.0) * np.sqrt(step)
    for level in LEVELS:
        for side, sign in (("lo", -1.0), ("hi", 1.0)):
            column = f"yhat_{side}_{level}"
            result.loc[too_short, column] = np.nan  # a model's interval on one or two points is no interval
            result[column] = result[column].fillna(result["yhat"] + sign * _Z[level] * spread)
    return result


def _pick(output: pd.DataFrame, model_of: dict[str, str]) -> pd.DataFrame:
    """One row per series and step with the chosen model's forecast and bounds under the output names."""
    model = output["unique_id"].map(model_of)
    result = output[["unique_id", "ds"]].copy()
    result["yhat"] = _column_by_model(output, model, "{}")
    for level in LEVELS:
        result[f"yhat_lo_{level}"] = _column_by_model(output, model, "{}-lo-" + str(level))
        result[f"yhat_hi_{level}"] = _column_by_model(output, model, "{}-hi-" + str(level))
    return result


def _column_by_model(output: pd.DataFrame, model: pd.Series, pattern: str) -> np.ndarray:
    values = np.full(len(output), np.nan)
    for name in model.unique():
        rows = (model == name).to_numpy()
        values[rows] = output[pattern.format(name)].to_numpy(dtype=float)[rows]
    return values
