"""Every past forecast against what then happened: the scored points behind predictions.forecast_accuracy.

A forecast made on day D names its series by the top products of D; the actuals are summed the same way
(the same products on their own, the rest of each category as 'other'), so each forecast point meets the
demand it was about.
"""

import numpy as np
import pandas as pd

from vision_assets.predictions.models import LEVELS
from vision_assets.predictions.series import MEASURES, bottom_series, hierarchy

# The forecast's columns a scored point keeps, then what scoring adds.
_KEPT = "made_on target_date days_ahead measure level series_id business_line category product_key model"
FORECAST_COLUMNS = [
    *_KEPT.split(),
    "yhat",
    *(f"yhat_{side}_{level}" for level in LEVELS for side in ("lo", "hi")),
]
SCORED_COLUMNS = [*FORECAST_COLUMNS, "actual", "absolute_error", "inside_80", "inside_95"]


def score_forecasts(forecasts: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """One row per forecast point whose day has demand facts: the forecast, the actual and the error."""
    if forecasts.empty or cells.empty:
        return pd.DataFrame({column: [] for column in SCORED_COLUMNS})
    forecasts = forecasts.assign(
        made_on=pd.to_datetime(forecasts["made_on"]), target_date=pd.to_datetime(forecasts["target_date"])
    )
    due = forecasts[forecasts["target_date"] <= cells["ds"].max()]
    scored = []
    for _, made in due.groupby("made_on"):
        top = pd.DataFrame({"product_key": made["product_key"].dropna().unique()})
        window = cells[
            (cells["ds"] >= made["target_date"].min()) & (cells["ds"] <= made["target_date"].max())
        ]
        if window.empty:
            continue
        leaves = bottom_series(window, top)
        for measure in MEASURES:
            actual, _, _ = hierarchy(leaves, measure)
            points = made[made["measure"] == measure].merge(
                actual.rename(columns={"unique_id": "series_id", "ds": "target_date", "y": "actual"}),
                on=["series_id", "target_date"],
                how="left",
            )
            # A series with no demand in the window (a category quiet for those days) had zero.
            scored.append(points.fillna({"actual": 0.0}))
    if not scored:
        return pd.DataFrame({column: [] for column in SCORED_COLUMNS})
    frame = pd.concat(scored, ignore_index=True)
    frame["absolute_error"] = (frame["actual"] - frame["yhat"]).abs()
    for level in LEVELS:
        frame[f"inside_{level}"] = (frame["actual"] >= frame[f"yhat_lo_{level}"]) & (
            frame["actual"] <= frame[f"yhat_hi_{level}"]
        )
    return frame[SCORED_COLUMNS]


def accuracy_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per measure and level: points scored, WAPE (summed absolute error over summed actual), bias
    (summed forecast over summed actual, minus one) and interval coverage."""
    if scored.empty:
        return pd.DataFrame(
            columns=["measure", "level", "points", "wape", "bias", "coverage_80", "coverage_95"]
        )
    grouped = scored.assign(error=scored["yhat"] - scored["actual"]).groupby(["measure", "level"])
    table = grouped.agg(
        points=("actual", "size"),
        absolute_error=("absolute_error", "sum"),
        actual=("actual", "sum"),
        forecast=("yhat", "sum"),
        coverage_80=("inside_80", "mean"),
        coverage_95=("inside_95", "mean"),
    )
    table["wape"] = table["absolute_error"] / table["actual"].where(table["actual"] > 0)
    table["bias"] = table["forecast"] / table["actual"].where(table["actual"] > 0) - 1.0
    table = table.replace([np.inf, -np.inf], np.nan).reset_index()
    return table[["measure", "level", "points", "wape", "bias", "coverage_80", "coverage_95"]]
