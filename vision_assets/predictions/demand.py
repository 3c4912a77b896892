"""The demand forecast of the whole hierarchy: base forecasts per series, made coherent by reconciliation.

Each level's model is chosen by the backtest on the history (``forecasting.select_models`` with the levels
as groups). Below the company, the candidates include each series as its share of its parent over the last
four weeks times the parent's forecast (``shares.py``); the categories choose it.

The base forecasts of the 133 series do not add up on their own; MinTrace reconciliation
(Wickramasuriya, Athanasopoulos and Hyndman 2019; hierarchicalforecast) adjusts them as little as
possible, in the least-squares sense (``ols``), so every parent equals the sum of its children at every step,
intervals included (the normal approximation around the reconciled mean). Structural scaling
(``wls_struct``), which trusts the company's own forecast least, cost the company level 70 % in MASE on a
simulated half-year backtest (0.91 to 1.57), where least squares kept it within 10 % and matched the base
forecasts below; hence ``ols``.

Reconciliation can push a small leaf below zero, which demand never is. Negative leaves are set to zero and
every parent re-summed from its leaves (the "set negative to zero" heuristic, which Kourentzes and
Athanasopoulos 2021 found as accurate as constrained optimisation), so the forecast stays coherent; each
series' intervals move with its mean and are clipped at zero.
"""

from dataclasses import dataclass

import pandas as pd

from vision_assets.predictions.backtest import Plan, plan, prequential_choice, rolling_origin, score, summary
from vision_assets.predictions.forecasting import (
    DEFAULT_MODEL,
    OUTPUT_COLUMNS,
    Selection,
    predict,
    select_models,
)
from vision_assets.predictions.models import LEVELS, season_length, usable_season
from vision_assets.predictions.series import (
    COMPANY,
    MEASURES,
    OTHER_PRODUCTS,
    bottom_series,
    hierarchy,
    level_of,
    parent_of,
    split_id,
    top_products,
)

RECONCILIATION = "MinTrace(ols)"
FREQ = "D"
# The levels offered share candidates (shares.py): a series as its recent share of its parent's forecast.
SHARE_LEVELS = ("business_line", "category", "product")


@dataclass
class HierarchicalForecast:
    forecast: pd.DataFrame  # OUTPUT_COLUMNS + level, base_yhat, model
    selection: Selection
    history: pd.DataFrame
    levels: pd.Series


def forecast_hierarchy(
    leaves: pd.DataFrame, measure: str, horizon: int, chosen_by_level: dict[str, str] | None = None
) -> HierarchicalForecast:
    """Forecast ``measure`` for every series of the hierarchy over ``horizon`` days, coherently.

    The model of each level is chosen by backtest on these leaves, unless ``chosen_by_level`` (an earlier
    choice, made on an earlier history) is given."""
    history, summing, tags = hierarchy(leaves, measure)
    levels = level_of(tags)
    parents = parent_of(levels, SHARE_LEVELS)
    if chosen_by_level is None:
        selection = select_models(history, horizon, FREQ, levels, parents)
    else:
        selection = chosen_selection(history, levels, chosen_by_level)
    base = predict(history, horizon, FREQ, selection, parents)
    reconciled = non_negative_coherent(reconcile(base, summing, tags), summing)
    reconciled["level"] = reconciled["unique_id"].map(levels)
    reconciled["model"] = reconciled["unique_id"].map(selection.model_of)
    return HierarchicalForecast(reconciled, selection, history, levels)


def chosen_by_level(selection: Selection, levels: pd.Series) -> dict[str, str]:
    """The model chosen for each level (every series of a level shares it)."""
    return {levels[unique_id]: model for unique_id, model in selection.model_of.items()}


def chosen_selection(history: pd.DataFrame, levels: pd.Series, by_level: dict[str, str]) -> Selection:
    season = season_length(FREQ)
    lengths = history.groupby("unique_id").size()
    return Selection(
        model_of={unique_id: by_level.get(levels[unique_id], DEFAULT_MODEL) for unique_id in lengths.index},
        season_of={unique_id: usable_season(int(length), season) for unique_id, length in lengths.items()},
    )


def reconcile(base: pd.DataFrame, summing: pd.DataFrame, tags: dict) -> pd.DataFrame:
    """Coherent forecasts from base forecasts (OUTPUT_COLUMNS), keeping the base point forecast beside."""
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import MinTrace

    renamed = base.rename(
        columns={
            "yhat": "base",
            **{f"yhat_{side}_{level}": f"base-{side}-{level}" for level in LEVELS for side in ("lo", "hi")},
        }
    )
    result = HierarchicalReconciliation([MinTrace(method="ols")]).reconcile(
        Y_hat_df=renamed, tags=tags, S_df=summing, level=list(LEVELS), intervals_method="normality"
    )
    name = "base/MinTrace_method-ols"
    out = pd.DataFrame(
        {
            "unique_id": result["unique_id"],
            "ds": result["ds"],
            "yhat": result[name],
            "base_yhat": result["base"],
        }
    )
    for level in LEVELS:
        out[f"yhat_lo_{level}"] = result[f"{name}-lo-{level}"]
        out[f"yhat_hi_{level}"] = result[f"{name}-hi-{level}"]
    return out[[*OUTPUT_COLUMNS, "base_yhat"]]


def non_negative_coherent(forecast: pd.DataFrame, summing: pd.DataFrame) -> pd.DataFrame:
    """Leaves clipped at zero and every series re-summed from its leaves; intervals shifted with the mean."""
    leaves = [column for column in summing.columns if column != "unique_id"]
    wide = forecast.pivot(index="ds", columns="unique_id", values="yhat")
    clipped = wide[leaves].clip(lower=0.0)
    matrix = summing.set_index("unique_id")[leaves]
    summed = clipped.to_numpy() @ matrix.to_numpy().T
    coherent = (
        pd.DataFrame(summed, index=wide.index, columns=matrix.index).stack().rename("coherent").reset_index()
    )
    result = forecast.merge(coherent, on=["ds", "unique_id"], how="left", validate="one_to_one")
    shift = result["coherent"] - result["yhat"]
    for level in LEVELS:
        for side in ("lo", "hi"):
            result[f"yhat_{side}_{level}"] = (result[f"yhat_{side}_{level}"] + shift).clip(lower=0.0)
    result["yhat"] = result["coherent"]
    return result.drop(columns="coherent")


BACKTEST_WINDOWS = 4
CHOSEN = "Chosen"
EXPECTED_RATE = "ExpectedRate"


@dataclass
class Backtest:
    scores: pd.DataFrame  # per series, origin and model (backtest.score), with level
    table: pd.DataFrame  # per level and model: mase, smape, coverage, wrmsse, series, origins
    plan: Plan | None
    notes: list


def backtest_hierarchy(
    leaves: pd.DataFrame,
    measure: str,
    horizon: int,
    expected: pd.DataFrame | None = None,
    windows: int = BACKTEST_WINDOWS,
) -> Backtest:
    """A rolling-origin backtest of every candidate at every level, the prequentially chosen model
    ("Chosen": at each origin, the model the earlier origins chose for that level), and, given the
    simulator's ``expected`` rate (unique_id, ds, expected), the rate itself scored as the noise floor."""
    history, _, tags = hierarchy(leaves, measure)
    levels = level_of(tags)
    length = int(history.groupby("unique_id").size().min())
    season = usable_season(length, season_length(FREQ))
    backtest = plan(length, horizon, season, windows)
    if backtest is None or backtest.windows < 2:
        return Backtest(
            pd.DataFrame(), pd.DataFrame(), backtest, [f"{length} days of history are too few for a backtest"]
        )
    forecasts = rolling_origin(
        history,
        FREQ,
        backtest,
        non_negative_series=bool((history["y"] >= 0).all()),
        parent_of=parent_of(levels, SHARE_LEVELS),
    )
    scores = score(forecasts, history, season)
    scored = [scores, prequential_choice(scores, levels)]
    if expected is not None and not expected.empty:
        truth = forecasts[["unique_id", "ds", "cutoff", "y"]].merge(
            expected, on=["unique_id", "ds"], how="inner"
        )
        scored.append(score(truth.rename(columns={"expected": EXPECTED_RATE}), history, season))
    all_scores = pd.concat(scored, ignore_index=True)
    all_scores["level"] = all_scores["unique_id"].map(levels)
    table = summary(all_scores, levels, weights=_recent_share(history, backtest))
    return Backtest(all_scores, table.rename(columns={"group": "level"}), backtest, [])


def _recent_share(history: pd.DataFrame, backtest: Plan) -> pd.Series:
    """Each series' total over the 28 days before the first origin: the M5 weights (normalised per level)."""
    first_origin = history["ds"].max() - pd.Timedelta(days=backtest.test_size)
    recent = history[(history["ds"] <= first_origin) & (history["ds"] > first_origin - pd.Timedelta(days=28))]
    return recent.groupby("unique_id")["y"].sum()


def expected_series(expected: pd.DataFrame) -> pd.DataFrame:
    """The simulator's expected units (demand_date, business_line, category, expected_units) as series of
    the hierarchy: company, business line and category ids, with ``expected``."""
    frame = expected.assign(ds=pd.to_datetime(expected["demand_date"]))
    category = frame.assign(unique_id=COMPANY + "/" + frame["business_line"] + "/" + frame["category"])
    line = frame.groupby(["business_line", "ds"], as_index=False)["expected_units"].sum()
    line["unique_id"] = COMPANY + "/" + line["business_line"]
    company = frame.groupby("ds", as_index=False)["expected_units"].sum().assign(unique_id=COMPANY)
    parts = [part[["unique_id", "ds", "expected_units"]] for part in (category, line, company)]
    return pd.concat(parts, ignore_index=True).rename(columns={"expected_units": "expected"})


def forecast_demand(
    cells: pd.DataFrame, horizon: int, chosen: dict[str, dict[str, str]] | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """The coherent forecast of every measure from demand cells (series.demand_cells) through their last
    day: one row per measure, series and future day, with the series' line, category and product. Returns
    it and the models chosen per measure and level (pass them back as ``chosen`` to reuse the choice)."""
    top = top_products(cells)
    leaves = bottom_series(cells, top)
    frames, used = [], {}
    for measure in MEASURES:
        result = forecast_hierarchy(leaves, measure, horizon, (chosen or {}).get(measure))
        used[measure] = chosen_by_level(result.selection, result.levels)
        frames.append(result.forecast.assign(measure=measure))
    frame = pd.concat(frames, ignore_index=True)
    names = pd.DataFrame([split_id(unique_id) for unique_id in frame["unique_id"]])
    frame = pd.concat([frame, names], axis=1)
    frame["product_key"] = frame["product"].where(frame["product"] != OTHER_PRODUCTS)
    return frame.drop(columns="product"), used
