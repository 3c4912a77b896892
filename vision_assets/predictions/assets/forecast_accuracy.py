"""Every past demand forecast scored against what then happened."""

import dagster as dg
import pandas as pd

from vision_assets.predictions.accuracy import SCORED_COLUMNS, accuracy_summary, score_forecasts
from vision_assets.predictions.assets.common import (
    DEMAND,
    DEMAND_COLUMNS,
    DEMAND_SOURCES,
    PREDICTIONS,
    PRODUCTS_INPUT,
    cells_from,
    markdown_table,
)
from vision_assets.predictions.assets.demand_forecast import COLUMNS as FORECAST_COLUMNS
from vision_assets.predictions.assets.demand_forecast import KEY as FORECAST_KEY
from vision_assets.recommendations.assets.common import table_input
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

KEY = dg.AssetKey(["predictions", "forecast_accuracy"])
_FORECAST = "predictions.demand_forecast"
COLUMNS = {
    **{column: FORECAST_COLUMNS[column] for column in SCORED_COLUMNS if column in FORECAST_COLUMNS},
    "actual": ("double", "What happened that day, summed the same way as the series (demand facts)."),
    "absolute_error": ("double", "|actual - yhat|."),
    "inside_80": ("boolean", "The actual fell inside the 80 % interval."),
    "inside_95": ("boolean", "The actual fell inside the 95 % interval."),
}
SCHEMA = declared_schema(COLUMNS)
LINEAGE = declared_lineage(
    {
        **{column: [f"{_FORECAST}.{column}"] for column in COLUMNS if column in FORECAST_COLUMNS},
        "actual": DEMAND_SOURCES,
        "absolute_error": [*DEMAND_SOURCES, f"{_FORECAST}.yhat"],
        "inside_80": [*DEMAND_SOURCES, f"{_FORECAST}.yhat_lo_80", f"{_FORECAST}.yhat_hi_80"],
        "inside_95": [*DEMAND_SOURCES, f"{_FORECAST}.yhat_lo_95", f"{_FORECAST}.yhat_hi_95"],
    }
)


@dg.asset(
    key=KEY,
    ins={
        "forecasts": dg.AssetIn(key=FORECAST_KEY),
        "demand": table_input(DEMAND, DEMAND_COLUMNS),
        "products": PRODUCTS_INPUT,
    },
    metadata={"dagster/column_schema": SCHEMA, "dagster/column_lineage": LINEAGE},
    kinds={"python"},
    **PREDICTIONS,
)
@final_unless_transient
def forecast_accuracy(
    context: dg.AssetExecutionContext, forecasts: pd.DataFrame, demand: pd.DataFrame, products: pd.DataFrame
) -> dg.Output:
    """Every forecast point of predictions.demand_forecast whose day has since happened, beside the actual
    demand of that day (summed as the forecast's series were: a forecast made on a day keeps that day's top
    products), with the absolute error and whether the actual fell inside the 80 % and 95 % intervals. The
    metadata sums it up per measure and level: WAPE, bias and coverage. Rebuilt whole every day."""
    scored = score_forecasts(forecasts.reindex(columns=list(FORECAST_COLUMNS)), cells_from(demand, products))
    summary = accuracy_summary(scored)
    return dg.Output(
        scored,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(scored)),
            "forecasts_scored": dg.MetadataValue.int(int(scored["made_on"].nunique()) if len(scored) else 0),
            "accuracy": dg.MetadataValue.md(markdown_table(summary)),
        },
    )
