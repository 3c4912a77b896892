"""Rolling-origin backtests: forecast from several past days as if each were today, and score what happened.

``rolling_origin`` refits every candidate at each origin (statsforecast's and mlforecast's cross-validation)
and returns the forecasts beside the actuals; ``score`` turns them into MASE, sMAPE and interval coverage per series,
origin and model; ``choose`` picks a model per group of series (a level of the hierarchy, or all series) by
mean MASE. ``prequential_choice`` is the honest score of that choosing: at each origin it uses the model
the earlier origins would have chosen, so the chosen model is scored on windows it was not chosen on.

MASE scales each error by the in-sample mean absolute error of the seasonal naive forecast on the history
before the origin: 1.0 means as good as repeating last season. WRMSSE is the M5 competition's measure:
root mean squared error scaled by the in-sample one-step naive error, weighted by each series' share of
the level's last 28 days of sales.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vision_assets.predictions import annual, boosting
from vision_assets.predictions.combinations import with_combinations
from vision_assets.predictions.models import (
    LEVELS,
    candidates,
    model_names,
    non_negative,
    run_statsforecast,
    usable_season,
)
from vision_assets.predictions.shares import with_parent_shares

WINDOWS_FOR_CHOOSING = 3
MIN_SEASONS_BEFORE_FIRST_ORIGIN = 2


@dataclass(frozen=True)
class Plan:
    """Where the origins fall: ``windows`` origins ``step`` apart, each forecasting ``horizon`` points."""

    horizon: int
    windows: int
    step: int
    season: int

    @property
    def test_size(self) -> int:
        return self.horizon + self.step * (self.windows - 1)


def plan(length: int, horizon: int, season: int, windows: int = WINDOWS_FOR_CHOOSING) -> Plan | None:
    """The backtest a history of ``length`` points allows: the requested horizon and origins when it is long
    enough, else a shorter horizon and fewer origins, keeping two seasons of history before the first
    origin. None when not even one origin of one step fits."""
    minimum_train = max(2 * season + 2, 8) if season > 1 else 8
    room = length - minimum_train
    for count in range(windows, 0, -1):
        step_horizon = min(horizon, room // count)
        if step_horizon >= 1:
            return Plan(horizon=step_horizon, windows=count, step=step_horizon, season=season)
    return None


def rolling_origin(
    history: pd.DataFrame,
    freq: str,
    backtest: Plan,
    non_negative_series: bool,
    points: int | None = None,
    parent_of: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every candidate's forecasts from each origin of ``backtest``, with ``y`` and ``cutoff``.

    ``history`` holds unique_id, ds, y for series at least ``backtest.test_size`` + the minimum training
    length long. Point forecasts and bounds are clipped at zero when ``non_negative_series``. Series with a
    parent in ``parent_of`` (a hierarchy's child -> parent) also get the share candidates (``shares.py``).
    """
    models = candidates(backtest.season, len(history))
    windows = {"n_windows": backtest.windows, "step_size": backtest.step}
    output = run_statsforecast("cross_validation", history, freq, models, h=backtest.horizon, **windows)
    shortest_before_first_origin = int(history.groupby("unique_id").size().min()) - backtest.test_size
    if boosting.fits(shortest_before_first_origin, backtest.season, backtest.horizon):
        learned = boosting.run_lightgbm(
            "cross_validation", history, freq, backtest.season, backtest.horizon, **windows
        )
        output = output.merge(
            learned.drop(columns="y"), on=["unique_id", "ds", "cutoff"], how="left", validate="one_to_one"
        )
    if annual.fits(shortest_before_first_origin, freq, non_negative_series):
        yearly = annual.run_annual_ets(
            "cross_validation", history, freq, backtest.horizon, **windows, parent_of=parent_of or None
        )
        output = output.merge(
            yearly.drop(columns="y"), on=["unique_id", "ds", "cutoff"], how="left", validate="one_to_one"
        )
    output = with_parent_shares(with_combinations(output), history, parent_of or {})
    if non_negative_series:
        output = non_negative(
            output, [column for column in output.columns if column not in ("unique_id", "ds", "cutoff", "y")]
        )
    return output


def _scales(history: pd.DataFrame, cutoffs, lag: int) -> pd.DataFrame:
    """Per series and origin: the in-sample MAE of the lag-``lag`` naive forecast and the mean squared
    one-step difference (MASE's and RMSSE's denominators), on the history up to the origin."""
    rows = []
    for cutoff in cutoffs:
        before = history[history["ds"] <= cutoff].sort_values(["unique_id", "ds"])
        grouped = before.groupby("unique_id")["y"]
        seasonal = (before["y"] - grouped.shift(lag)).abs()
        one_step = (before["y"] - grouped.shift(1)) ** 2
        frame = (
            pd.DataFrame(
                {
                    "unique_id": before["unique_id"],
                    "seasonal": seasonal,
                    "one_step": one_step,
                }
            )
            .groupby("unique_id")
            .mean()
        )
        frame["cutoff"] = cutoff
        rows.append(frame.reset_index())
    return pd.concat(rows, ignore_index=True).rename(
        columns={"seasonal": "mase_scale", "one_step": "rmsse_scale"}
    )


def score(forecasts: pd.DataFrame, history: pd.DataFrame, season: int) -> pd.DataFrame:
    """MASE, RMSSE, sMAPE and 80 %/95 % interval coverage per series, origin and model (long format)."""
    scales = _scales(history, sorted(forecasts["cutoff"].unique()), max(season, 1))
    rows = []
    for model in model_names(forecasts):
        error = forecasts["y"] - forecasts[model]
        frame = pd.DataFrame(
            {
                "unique_id": forecasts["unique_id"],
                "cutoff": forecasts["cutoff"],
                "model": model,
                "absolute_error": error.abs(),
                "squared_error": error**2,
                "smape_term": _smape_terms(forecasts["y"], forecasts[model]),
            }
        )
        for level in LEVELS:
            low, high = forecasts.get(f"{model}-lo-{level}"), forecasts.get(f"{model}-hi-{level}")
            inside = (forecasts["y"] >= low) & (forecasts["y"] <= high) if low is not None else np.nan
            frame[f"coverage_{level}"] = inside
        rows.append(frame[forecasts[model].notna()])  # a model offered only to some series (shares.py)
    long = pd.concat(rows, ignore_index=True)
    scores = (
        long.groupby(["unique_id", "cutoff", "model"])
        .agg(
            mae=("absolute_error", "mean"),
            mse=("squared_error", "mean"),
            smape=("smape_term", "mean"),
            **{f"coverage_{level}": (f"coverage_{level}", "mean") for level in LEVELS},
        )
        .reset_index()
    )
    scores = scores.merge(scales, on=["unique_id", "cutoff"], how="left")
    scores["mase"] = scores["mae"] / scores["mase_scale"].where(scores["mase_scale"] > 0)
    scores["rmsse"] = np.sqrt(scores["mse"] / scores["rmsse_scale"].where(scores["rmsse_scale"] > 0))
    return scores


def _smape_terms(actual: pd.Series, predicted: pd.Series) -> pd.Series:
    denominator = actual.abs() + predicted.abs()
    return (2 * (actual - predicted).abs() / denominator.where(denominator > 0)).fillna(0.0)


def choose(scores: pd.DataFrame, groups: pd.Series | None = None) -> dict[str, str]:
    """The model with the lowest mean MASE in each group (``groups`` maps unique_id to group; one group
    "all" when None). Series whose scale is zero (constant history) carry no MASE and do not vote."""
    frame = scores.assign(group=group_of(scores["unique_id"], groups)).dropna(subset=["mase"])
    if frame.empty:
        return {}
    means = frame.groupby(["group", "model"])["mase"].mean().reset_index()
    best = means.sort_values(["group", "mase", "model"]).drop_duplicates("group")
    return dict(zip(best["group"], best["model"]))


def group_of(unique_ids: pd.Series, groups: pd.Series | None) -> pd.Series:
    """Each series' group in ``groups`` (unique_id -> group); "all" where none is given."""
    if groups is None:
        return pd.Series("all", index=unique_ids.index)
    return unique_ids.map(groups).fillna("all")


def prequential_choice(scores: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """Scores of "the chosen model" at every origin but the first: the model :func:`choose` picks on the
    earlier origins only, per group. Rows have model = "Chosen" and ``chosen_model`` naming it."""
    cutoffs = sorted(scores["cutoff"].unique())
    rows = []
    for position, cutoff in enumerate(cutoffs[1:], start=1):
        earlier = scores[scores["cutoff"].isin(cutoffs[:position])]
        picked = choose(earlier, groups)
        now = scores[scores["cutoff"] == cutoff].assign(
            group=lambda frame: group_of(frame["unique_id"], groups)
        )
        now = now[now["model"] == now["group"].map(picked)]
        rows.append(now.assign(chosen_model=now["model"], model="Chosen").drop(columns="group"))
    return pd.concat(rows, ignore_index=True) if rows else scores.iloc[0:0].assign(chosen_model=[])


def summary(
    scores: pd.DataFrame, groups: pd.Series | None = None, weights: pd.Series | None = None
) -> pd.DataFrame:
    """Per group and model: mean MASE, mean sMAPE, coverage, and (given ``weights`` per unique_id) WRMSSE."""
    frame = scores.assign(group=group_of(scores["unique_id"], groups))
    table = (
        frame.groupby(["group", "model"])
        .agg(
            mase=("mase", "mean"),
            smape=("smape", "mean"),
            **{f"coverage_{level}": (f"coverage_{level}", "mean") for level in LEVELS},
            series=("unique_id", "nunique"),
            origins=("cutoff", "nunique"),
        )
        .reset_index()
    )
    if weights is not None:
        frame = frame.assign(weight=frame["unique_id"].map(weights).fillna(0.0))
        frame["weight"] = frame["weight"] / frame.groupby(["group", "model", "cutoff"])["weight"].transform(
            "sum"
        )
        per_origin = (
            (frame["weight"] * frame["rmsse"].fillna(0.0))
            .groupby([frame["group"], frame["model"], frame["cutoff"]])
            .sum()
        )
        table = table.merge(
            per_origin.groupby(level=[0, 1]).mean().rename("wrmsse").reset_index(), on=["group", "model"]
        )
    return table


def season_for(history: pd.DataFrame, season: int) -> int:
    """The season the shortest series in ``history`` can carry."""
    return usable_season(int(history.groupby("unique_id").size().min()), season)
