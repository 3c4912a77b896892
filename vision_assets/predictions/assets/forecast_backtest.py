"""How the demand forecast's way of choosing models fares: a rolling-origin backtest on the latest history,
every candidate beside the chosen one, and the simulator's expected rate as the floor where it is known."""

import dagster as dg
import pandas as pd

from vision_assets import paths
from vision_assets.predictions.assets.common import (
    DEMAND,
    DEMAND_COLUMNS,
    DEMAND_SOURCES,
    HISTORY_DAYS,
    HORIZON_DAYS,
    PREDICTIONS,
    PRODUCTS_INPUT,
    cells_from,
    markdown_table,
)
from vision_assets.predictions.demand import CHOSEN, EXPECTED_RATE, backtest_hierarchy, expected_series
from vision_assets.predictions.models import SEASONAL_NAIVE
from vision_assets.predictions.series import MEASURES, bottom_series, top_products
from vision_assets.recommendations.assets.common import table_input
from vision_assets.recommendations.measurement import measure as measured
from vision_assets.simulate.demand_truth import EXPECTED_DEMAND_FILE
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

KEY = dg.AssetKey(["predictions", "forecast_backtest"])
BEATS_NAIVE_CHECK = "chosen_beats_seasonal_naive"
# The target against the floor: the chosen model's MASE within 15 % of the expected rate's.
FLOOR_TARGET_RATIO = 1.15
FLOOR_LEVELS = ("business_line", "category")

COLUMNS = {
    "measure": ("varchar", "units or net_revenue_usd."),
    "level": ("varchar", "company, business_line, category or product."),
    "model": (
        "varchar",
        (
            "A candidate; 'Chosen' (the model earlier origins chose, at each later origin); "
            "'ExpectedRate' (the simulator's true expected demand: the noise floor)."
        ),
    ),
    "mase": (
        "double",
        (
            "Mean absolute scaled error: MAE over the in-sample seasonal naive MAE (1 = as good as "
            "repeating last week). Lower is better."
        ),
    ),
    "smape": ("double", "Symmetric mean absolute percentage error (0 to 2)."),
    "coverage_80": ("double", "Share of actuals inside the 80 % interval (0.8 is calibrated)."),
    "coverage_95": ("double", "Share of actuals inside the 95 % interval."),
    "wrmsse": (
        "double",
        (
            "The M5 measure: RMSE scaled by the one-step naive error, weighted by the series' last "
            "28 days of the measure."
        ),
    ),
    "series": ("bigint", "Series of the level scored."),
    "origins": ("bigint", "Forecast origins scored (Chosen skips the first: nothing chose before it)."),
    "horizon_days": ("bigint", "Days forecast from each origin (28 when the history allows)."),
}
SCHEMA = declared_schema(COLUMNS)
LINEAGE = declared_lineage({column: DEMAND_SOURCES for column in COLUMNS})


def expected_demand() -> pd.DataFrame | None:
    """The simulator's expected units per day, line and category, when this is the simulator's demo (its
    truth folder exists). Used only to score the floor, never to choose or fit a model."""
    path = paths.simulator_truth_root() / EXPECTED_DEMAND_FILE
    return expected_series(pd.read_csv(path)) if path.exists() else None


def chosen_against(scores: pd.DataFrame, other: str) -> pd.DataFrame:
    """Per level: mean MASE of Chosen and of ``other`` on the same series and origins."""
    chosen = scores[scores["model"] == CHOSEN][["unique_id", "cutoff", "level", "mase"]]
    against = scores[scores["model"] == other][["unique_id", "cutoff", "mase"]]
    both = chosen.merge(against, on=["unique_id", "cutoff"], suffixes=("_chosen", "_other")).dropna()
    return both.groupby("level")[["mase_chosen", "mase_other"]].mean().reset_index()


@dg.asset(
    key=KEY,
    ins={"demand": table_input(DEMAND, DEMAND_COLUMNS), "products": PRODUCTS_INPUT},
    metadata={"dagster/column_schema": SCHEMA, "dagster/column_lineage": LINEAGE},
    kinds={"python", "statsforecast"},
    check_specs=[
        dg.AssetCheckSpec(
            BEATS_NAIVE_CHECK,
            asset=KEY,
            description="At every level and for both measures, the chosen model's mean MASE on the backtest is "
            "below seasonal naive's on the same series and origins.",
        )
    ],
    **PREDICTIONS,
)
@final_unless_transient
def forecast_backtest(context: dg.AssetExecutionContext, demand: pd.DataFrame, products: pd.DataFrame):
    """A rolling-origin backtest of the demand forecast on the latest two years: from four past origins
    (28-day horizons when the history allows, shorter on a short one), every candidate model is refitted and
    scored per level on MASE, sMAPE, WRMSSE (the M5 measure) and interval coverage. 'Chosen' is the way the
    forecast picks: at each origin, the model the earlier origins favoured for that level, scored on
    windows it was not chosen on. The check fails when it does not beat seasonal naive (it only warns while
    the history is too short for 28-day windows). On the simulator's
    demo, 'ExpectedRate' scores the true expected demand itself: the noise no forecaster can beat.
    Rebuilt whole every day.
    """
    cells = cells_from(demand, products)
    cells = cells[cells["ds"] > cells["ds"].max() - pd.Timedelta(days=HISTORY_DAYS)] if len(cells) else cells
    truth = expected_demand()
    tables, comparisons, notes = [], [], []
    with measured() as cost:
        if len(cells):
            leaves = bottom_series(cells, top_products(cells))
            for measure_name in MEASURES:
                result = backtest_hierarchy(
                    leaves, measure_name, HORIZON_DAYS, truth if measure_name == "units" else None
                )
                notes += result.notes
                if result.table.empty:
                    continue
                tables.append(result.table.assign(measure=measure_name, horizon_days=result.plan.horizon))
                versus = chosen_against(result.scores, SEASONAL_NAIVE).assign(measure=measure_name)
                if truth is not None and measure_name == "units":
                    floor = chosen_against(result.scores, EXPECTED_RATE).rename(
                        columns={"mase_other": "mase_floor"}
                    )
                    versus = versus.merge(floor[["level", "mase_floor"]], on="level", how="left")
                comparisons.append(versus)
        else:
            notes.append("no demand facts yet")
    table = (
        pd.concat(tables, ignore_index=True)[list(COLUMNS)]
        if tables
        else pd.DataFrame({c: [] for c in COLUMNS})
    )
    versus = pd.concat(comparisons, ignore_index=True) if comparisons else pd.DataFrame()
    metadata = {
        "dagster/row_count": dg.MetadataValue.int(len(table)),
        "backtest": dg.MetadataValue.md(markdown_table(table)),
        "chosen_against_seasonal_naive": dg.MetadataValue.md(markdown_table(versus)),
        "seconds": dg.MetadataValue.float(round(cost.seconds, 1)),
        "peak_memory_mb": dg.MetadataValue.float(round(cost.peak_rss_mb, 1)),
    }
    if "mase_floor" in versus:
        for row in versus.dropna(subset=["mase_floor"]).itertuples():
            metadata[f"floor_ratio/{row.level}"] = dg.MetadataValue.float(
                round(row.mase_chosen / row.mase_floor, 3)
            )
    yield dg.Output(table, metadata=metadata)
    full_horizon = bool(len(table)) and bool((table["horizon_days"] == HORIZON_DAYS).all())
    losing = versus[versus["mase_chosen"] >= versus["mase_other"]] if len(versus) else versus
    yield dg.AssetCheckResult(
        check_name=BEATS_NAIVE_CHECK,
        passed=bool(len(versus)) and losing.empty,
        # Judged in full on 28-day windows; on a history too short for them (the first weeks, the 30-day
        # demo's 3-day windows) a loss is a warning: a few short windows say little either way.
        severity=dg.AssetCheckSeverity.ERROR if full_horizon else dg.AssetCheckSeverity.WARN,
        description=(
            "; ".join(notes) + ": nothing to judge yet"
            if not len(versus)
            else "chosen model beats seasonal naive at every level"
            if losing.empty
            else "chosen model does not beat seasonal naive at "
            + ", ".join(
                f"{row.measure}/{row.level} (MASE {row.mase_chosen:.3f} against {row.mase_other:.3f})"
                for row in losing.itertuples()
            )
        ),
        metadata={
            "levels_losing": dg.MetadataValue.int(len(losing)),
            "horizon_days": dg.MetadataValue.int(int(table["horizon_days"].min()) if len(table) else 0),
        },
    )
