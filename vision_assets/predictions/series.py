"""Demand as a hierarchy of daily series: the company, each business line, each category within a line, and
each line's top products (the rest of a category summed as its "other" series), so children add up.

Units of demand differ by business: Books and Mart sell units (``units_sold``), Flicks and Music are played
(``engagement_events``). Membership plans are their own category: they carry subscription revenue and no
units of content. Net revenue is in USD for every line.

A day without a row in the demand facts had no demand: the series are completed with zeros from the first
day of the history to the last, which is what the facts mean (they hold only cells with activity).
"""

import numpy as np
import pandas as pd

DEMAND_UNITS = {
    "books": "units_sold",
    "mart": "units_sold",
    "flicks": "engagement_events",
    "music": "engagement_events",
}
MEASURES = {
    "units": "Units of demand: units sold (Books, Mart) or plays (Flicks, Music).",
    "net_revenue_usd": "Net revenue in USD.",
}
TOP_PRODUCTS_PER_LINE = 5
TOP_PRODUCTS_OVER_DAYS = 28
MEMBERSHIP_CATEGORY = "membership"
OTHER_PRODUCTS = "other"
# The levels from the top, and the columns that name a series at each (hierarchicalforecast's spec).
LEVEL_COLUMNS = {
    "company": ["company"],
    "business_line": ["company", "business_line"],
    "category": ["company", "business_line", "category"],
    "product": ["company", "business_line", "category", "product"],
}
COMPANY = "vision"


def demand_cells(demand: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Per day, business line, category and product: units of demand and net revenue.

    ``demand``: the demand facts' demand_date, business_line, product_key, units_sold, engagement_events,
    net_revenue_usd. ``products``: the product dimension's product_key, product_type, category.
    """
    catalog = products[["product_key", "product_type", "category"]].drop_duplicates("product_key")
    frame = demand.merge(catalog, on="product_key", how="left", validate="many_to_one")
    unknown = frame["category"].isna() & frame["product_type"].isna()
    if unknown.any():
        raise ValueError(
            f"{int(unknown.sum())} demand rows name products missing from the product dimension, "
            f"e.g. {frame.loc[unknown, 'product_key'].iloc[0]!r}"
        )
    membership = frame["product_type"].eq("membership_plan")
    units_column = frame["business_line"].map(DEMAND_UNITS)
    units = np.where(units_column.eq("units_sold"), frame["units_sold"], frame["engagement_events"]).astype(
        float
    )
    return pd.DataFrame(
        {
            "ds": pd.to_datetime(frame["demand_date"]),
            "business_line": frame["business_line"],
            "category": np.where(membership, MEMBERSHIP_CATEGORY, frame["category"].fillna("uncategorised")),
            "product_key": frame["product_key"],
            "units": np.where(membership, 0.0, units),
            "net_revenue_usd": frame["net_revenue_usd"].astype(float),
        }
    )


def top_products(
    cells: pd.DataFrame, per_line: int = TOP_PRODUCTS_PER_LINE, over_days: int = TOP_PRODUCTS_OVER_DAYS
) -> pd.DataFrame:
    """Each line's ``per_line`` products with the most units in the last ``over_days`` days (revenue breaks
    ties), with their category. Membership plans are not products of content and never qualify."""
    recent = cells[
        (cells["ds"] > cells["ds"].max() - pd.Timedelta(days=over_days))
        & (cells["category"] != MEMBERSHIP_CATEGORY)
    ]
    totals = recent.groupby(["business_line", "category", "product_key"], as_index=False)[
        ["units", "net_revenue_usd"]
    ].sum()
    totals = totals.sort_values(
        ["business_line", "units", "net_revenue_usd", "product_key"], ascending=[True, False, False, True]
    )
    return totals.groupby("business_line").head(per_line).reset_index(drop=True)


def bottom_series(cells: pd.DataFrame, top: pd.DataFrame) -> pd.DataFrame:
    """The hierarchy's leaves per day: a top product, or the rest of its category ("other"), zero-filled."""
    is_top = cells["product_key"].isin(set(top["product_key"]))
    leaves = cells.assign(product=np.where(is_top, cells["product_key"], OTHER_PRODUCTS))
    leaves = leaves.groupby(["business_line", "category", "product", "ds"], as_index=False)[
        list(MEASURES)
    ].sum()
    days = pd.date_range(cells["ds"].min(), cells["ds"].max(), freq="D", name="ds")
    keys = leaves[["business_line", "category", "product"]].drop_duplicates()
    grid = keys.merge(pd.DataFrame({"ds": days}), how="cross")
    full = grid.merge(leaves, on=["business_line", "category", "product", "ds"], how="left").fillna(
        {m: 0.0 for m in MEASURES}
    )
    return full.assign(company=COMPANY)


def hierarchy(leaves: pd.DataFrame, measure: str):
    """(history, S, tags) of one measure for hierarchicalforecast: every level's series in Nixtla's long
    format (unique_id like ``vision/books/fantasy/other``), the summing matrix, and the ids per level."""
    from hierarchicalforecast.utils import aggregate

    frame = leaves.rename(columns={measure: "y"})[
        ["company", "business_line", "category", "product", "ds", "y"]
    ]
    history, summing, tags = aggregate(frame, list(LEVEL_COLUMNS.values()))
    names = {"/".join(columns): level for level, columns in LEVEL_COLUMNS.items()}
    return history, summing, {names[key]: ids for key, ids in tags.items()}


def level_of(tags: dict) -> pd.Series:
    """unique_id -> level name (company, business_line, category, product)."""
    return pd.Series({unique_id: level for level, ids in tags.items() for unique_id in ids})


def parent_of(levels: pd.Series, offered: tuple[str, ...]) -> dict[str, str]:
    """child -> parent for the series of the ``offered`` levels (``levels``: unique_id -> level)."""
    return {unique_id: unique_id.rsplit("/", 1)[0] for unique_id, level in levels.items() if level in offered}


def split_id(unique_id: str) -> dict[str, str | None]:
    """The business line, category and product a series id names (None above its level)."""
    parts = unique_id.split("/")[1:] + [None] * 3
    return {"business_line": parts[0], "category": parts[1], "product": parts[2]}
