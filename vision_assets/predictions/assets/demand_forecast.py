"""The demand forecast made each day: the next 28 days of every level, coherent, with intervals."""

import itertools
from datetime import timedelta

import dagster as dg
import numpy as np
import pandas as pd

from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.predictions.assets.common import (
    DEMAND_SOURCES,
    HISTORY_DAYS,
    HORIZON_DAYS,
    MIN_HISTORY_DAYS,
    PREDICTIONS,
    PRODUCTS_INPUT,
    cells_from,
    markdown_table,
    recent_demand_input,
)
from vision_assets.predictions.demand import RECONCILIATION, forecast_demand
from vision_assets.predictions.series import LEVEL_COLUMNS
from vision_assets.recommendations.measurement import measure as measured
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

KEY = dg.AssetKey(["predictions", "demand_forecast"])
COHERENCE_CHECK = "children_add_up"
# Within one backfill of many days, the models chosen on a day are reused for the next six (the choice is a
# backtest of every candidate, the day's forecast one fit of the chosen ones). A daily run chooses afresh.
RESELECT_EVERY_DAYS = 7
COHERENCE_TOLERANCE = 1e-6

COLUMNS = {
    "made_on": ("date", "The day the forecast was made: the last day of demand it saw (the partition)."),
    "target_date": ("date", "The day forecast."),
    "days_ahead": ("bigint", "target_date - made_on: 1 for the next day, up to 28."),
    "measure": (
        "varchar",
        "units (units sold for Books and Mart, plays for Flicks and Music) or net_revenue_usd.",
    ),
    "level": ("varchar", "company, business_line, category or product."),
    "series_id": ("varchar", "The series: vision[/line[/category[/product key or 'other']]]."),
    "business_line": ("varchar", "The series' business line (empty for the company)."),
    "category": ("varchar", "Its category or genre ('membership' for plans), empty above that level."),
    "product_key": ("varchar", "The product, for a top product's series; empty for a category's 'other'."),
    "model": (
        "varchar",
        (
            "The model chosen for the series' level by backtest: AutoETS, AutoTheta, LightGBM, ...; "
            "'<model> share' is the series' share of its parent over the last four weeks times the "
            "parent's forecast by that model."
        ),
    ),
    "yhat": ("double", "Expected demand that day, reconciled so children add up to their parent."),
    "yhat_lo_80": ("double", "Lower bound of the 80 % interval."),
    "yhat_hi_80": ("double", "Upper bound of the 80 % interval."),
    "yhat_lo_95": ("double", "Lower bound of the 95 % interval."),
    "yhat_hi_95": ("double", "Upper bound of the 95 % interval."),
    "base_yhat": ("double", "The model's own forecast before reconciliation."),
}
SCHEMA = declared_schema(COLUMNS)
LINEAGE = declared_lineage(
    {
        **{column: DEMAND_SOURCES for column in COLUMNS},
        "made_on": ["demand.fct_daily_demand.demand_date"],
        "business_line": ["demand.fct_daily_demand.business_line"],
        "category": ["marts.dim_product.category", "marts.dim_product.product_type"],
        "product_key": ["demand.fct_daily_demand.product_key"],
    }
)


def forecast_rows(frame: pd.DataFrame, made_on) -> pd.DataFrame:
    """The forecast frame (demand.forecast_demand) as the table's rows."""
    made = pd.Timestamp(made_on)
    rows = frame.rename(columns={"unique_id": "series_id", "ds": "target_date"}).assign(made_on=made)
    rows["days_ahead"] = (rows["target_date"] - made).dt.days.astype("int64")
    return rows[list(COLUMNS)]


def incoherence(rows: pd.DataFrame) -> pd.DataFrame:
    """Parents whose forecast differs from the sum of their children's (per made_on, measure, target day)."""
    problems = []
    parents = list(LEVEL_COLUMNS)
    for parent, child in itertools.pairwise(parents):
        children = rows[rows["level"] == child].assign(
            parent_id=lambda frame: frame["series_id"].str.rsplit("/", n=1).str[0]
        )
        sums = (
            children.groupby(["made_on", "measure", "target_date", "parent_id"])["yhat"]
            .sum()
            .rename("children")
        )
        joined = rows[rows["level"] == parent].join(
            sums, on=["made_on", "measure", "target_date", "series_id"]
        )
        gap = (joined["yhat"] - joined["children"]).abs() > COHERENCE_TOLERANCE * np.maximum(
            1.0, joined["yhat"].abs()
        )
        problems.append(joined[gap | joined["children"].isna()])
    return pd.concat(problems, ignore_index=True)


@dg.asset(
    key=KEY,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    ins={"demand": recent_demand_input(), "products": PRODUCTS_INPUT},
    metadata={
        "partition_expr": "made_on",
        "dagster/column_schema": SCHEMA,
        "dagster/column_lineage": LINEAGE,
    },
    kinds={"python", "statsforecast"},
    check_specs=[
        dg.AssetCheckSpec(
            COHERENCE_CHECK,
            asset=KEY,
            description="Every forecast equals the sum of its children's: business lines add up to the company, "
            "categories to their line, products and 'other' to their category, on every day and measure.",
        )
    ],
    **PREDICTIONS,
)
@final_unless_transient
def demand_forecast(context: dg.AssetExecutionContext, demand: pd.DataFrame, products: pd.DataFrame):
    """Expected demand for each of the next 28 days, made on the partition's day from the two years of
    demand before it: for the whole company, each business line, each category or genre within a line, and
    each line's top five products (the rest of a category as its 'other' series), in units (units sold for
    Books and Mart, plays for Flicks and Music) and in net revenue (USD), with 80 % and 95 % intervals.

    Each level's model (seasonal naive, AutoETS, AutoTheta, AutoARIMA on small histories, their mean;
    from 19 weeks of history, LightGBM on lags and the calendar: weekday, month, holidays, Black Friday,
    Christmas; from a year and eight weeks, AutoETS with the annual calendar taken out, and its means with
    LightGBM and AutoTheta) is the one with the lowest MASE in a rolling-origin backtest on the history;
    predictions.forecast_backtest shows how that choosing fares. The levels are reconciled (MinTrace, least
    squares) so children add up to their parent. A day with less than four weeks of history, or no demand
    facts yet, gets no forecast (the metadata says which). predictions.forecast_accuracy scores every
    forecast against what happened.
    """
    cells = cells_from(demand, products)
    frames, notes, chosen, chosen_on, used = [], [], None, None, {}
    with measured() as cost:
        for made_on in days_in_window(context.partition_time_window):
            history = cells[
                (cells["ds"] <= pd.Timestamp(made_on))
                & (cells["ds"] > pd.Timestamp(made_on - timedelta(days=HISTORY_DAYS)))
            ]
            if history.empty or history["ds"].max() < pd.Timestamp(made_on):
                notes.append(f"{made_on}: no demand facts for the day yet, no forecast")
                continue
            days = (made_on - history["ds"].min().date()).days + 1
            if days < MIN_HISTORY_DAYS:
                notes.append(f"{made_on}: {days} days of history, fewer than {MIN_HISTORY_DAYS}, no forecast")
                continue
            reuse = (
                chosen if chosen_on is not None and (made_on - chosen_on).days < RESELECT_EVERY_DAYS else None
            )
            frame, used = forecast_demand(history, HORIZON_DAYS, reuse)
            if reuse is None:
                chosen, chosen_on = used, made_on
            frames.append(forecast_rows(frame, made_on))
    rows = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({column: [] for column in COLUMNS})
    )
    for note in notes:
        context.log.info(note)
    problems = incoherence(rows) if len(rows) else rows
    yield dg.Output(
        rows,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(rows)),
            "forecasts_made": dg.MetadataValue.int(int(rows["made_on"].nunique()) if len(rows) else 0),
            "series": dg.MetadataValue.int(int(rows["series_id"].nunique()) if len(rows) else 0),
            "models_chosen": dg.MetadataValue.md(
                markdown_table(
                    pd.DataFrame(
                        [
                            {"measure": measure_, "level": level, "model": model}
                            for measure_, levels in used.items()
                            for level, model in levels.items()
                        ]
                    )
                )
            ),
            "reconciliation": dg.MetadataValue.text(RECONCILIATION),
            "not_forecast": dg.MetadataValue.text(
                "; ".join(notes) or "every day of the partition was forecast"
            ),
            "seconds": dg.MetadataValue.float(round(cost.seconds, 1)),
            "peak_memory_mb": dg.MetadataValue.float(round(cost.peak_rss_mb, 1)),
        },
    )
    yield dg.AssetCheckResult(
        check_name=COHERENCE_CHECK,
        passed=problems.empty,
        description=f"{len(problems)} forecasts differ from the sum of their children"
        if len(problems)
        else f"{len(rows)} forecasts, every parent equals the sum of its children",
        metadata={"incoherent": dg.MetadataValue.int(len(problems))},
    )
