"""What the prediction assets share: how they read the demand facts, and their settings."""

import dagster as dg
import pandas as pd

from vision_assets.predictions.series import demand_cells
from vision_assets.recommendations.assets.common import RECOMMENDATIONS, table_input

PREDICTIONS = {**RECOMMENDATIONS, "group_name": "predictions"}
HORIZON_DAYS = 28
# A forecast reads the last two years of demand, and is made once it has four weeks. Two, not one: the
# calendar (Black Friday, the year-end peak, the annual swing) is learned only from the same weeks a year
# earlier, and with one year the history before a backtest window or a forecast never holds them
# (docs/predictions.md, "Where it falls short", for the figures). 728 days keep each weekday a year back.
HISTORY_DAYS = 2 * 364
MIN_HISTORY_DAYS = 28

DEMAND = "demand.fct_daily_demand"
DEMAND_COLUMNS = [
    "demand_date",
    "business_line",
    "product_key",
    "units_sold",
    "engagement_events",
    "net_revenue_usd",
]
PRODUCT_COLUMNS = ["product_key", "product_type", "category", "product_name"]
PRODUCTS_INPUT = table_input("marts.dim_product", PRODUCT_COLUMNS)
DEMAND_SOURCES = [f"{DEMAND}.{column}" for column in DEMAND_COLUMNS] + [
    "marts.dim_product.product_type",
    "marts.dim_product.category",
]


def recent_demand_input() -> dg.AssetIn:
    """The demand facts of the two years up to the partition's day (days before the first partition are
    skipped)."""
    return dg.AssetIn(
        key=DEMAND.split("."),
        metadata={"columns": DEMAND_COLUMNS},
        partition_mapping=dg.TimeWindowPartitionMapping(
            start_offset=-(HISTORY_DAYS - 1), allow_nonexistent_upstream_partitions=True
        ),
    )


def cells_from(demand: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Demand cells (series.demand_cells) from the IO manager's frames; a frame with no rows (or, for a day
    outside the partitions, no columns) gives no cells."""
    return demand_cells(demand.reindex(columns=DEMAND_COLUMNS), products)


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    return frame.round(digits).to_markdown(index=False) if not frame.empty else "(nothing)"
