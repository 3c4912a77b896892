"""Dashboard 4, product performance and reviews: does what sells well also rate well, and which products
lead or trail each category?

Books and Mart sell units; Flicks and Music titles are streamed under a membership, so their volume is
the minutes people spent with them. Membership plans are products in the warehouse (their payments are
revenue) and count in the revenue totals, but they are not reviewed, so they sit out of the charts.
"""

from typing import TYPE_CHECKING

import pandas as pd

from vision_assets.dashboards.page import Dashboard, Kpi, Panel
from vision_assets.dashboards.theme import (
    LINE_FILTER_EXPR,
    cents,
    line_colour,
    line_filter,
    with_line_names,
)

if TYPE_CHECKING:
    import altair as alt

NAME = "product_performance"
SOURCES = ("demand.fct_product_performance",)
PERFORMANCE_COLUMNS = [
    "performance_month",
    "product_key",
    "business_line",
    "product_name",
    "product_type",
    "category",
    "creator_name",
    "units_sold",
    "net_revenue_usd",
    "engaged_minutes",
    "review_count",
    "rating_sum",
]
SOLD_LINES = ("books", "mart")
STREAMED_LINES = ("flicks", "music")
# A rating needs a few reviews before "best" or "worst" means anything.
MIN_REVIEWS_TO_RANK = 3
MEMBERSHIP = "membership_plan"


def products_over_window(performance: pd.DataFrame) -> pd.DataFrame:
    """One row per product over all months: units, revenue, minutes, reviews and average rating."""
    products = performance.groupby(
        ["product_key", "business_line", "product_name", "product_type", "category", "creator_name"],
        dropna=False,
        as_index=False,
    )[["units_sold", "net_revenue_usd", "engaged_minutes", "review_count", "rating_sum"]].sum()
    reviewed = products["review_count"] > 0
    products["average_rating"] = (products["rating_sum"] / products["review_count"]).where(reviewed).round(2)
    products["volume"] = products["units_sold"].where(
        products["business_line"].isin(SOLD_LINES), products["engaged_minutes"]
    )
    return with_line_names(products)


def _scatter(products: pd.DataFrame, lines: tuple[str, ...], volume_title: str, title: str) -> "alt.Chart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    data = products[
        products["business_line"].isin(lines) & (products["review_count"] > 0) & (products["volume"] > 0)
    ][
        [
            "product_name",
            "line",
            "category",
            "creator_name",
            "volume",
            "net_revenue_usd",
            "review_count",
            "average_rating",
        ]
    ]
    return (
        alt.Chart(data)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_circle(opacity=0.65)
        .encode(
            x=alt.X("volume:Q", title=volume_title, scale=alt.Scale(type="log")),
            y=alt.Y("average_rating:Q", title="Average rating", scale=alt.Scale(domain=[1, 5])),
            size=alt.Size("review_count:Q", title="Reviews", scale=alt.Scale(range=[15, 400])),
            color=line_colour(),
            tooltip=[
                alt.Tooltip("product_name:N", title="Product"),
                "line:N",
                "category:N",
                alt.Tooltip("creator_name:N", title="Creator"),
                alt.Tooltip("volume:Q", title=volume_title, format=",.0f"),
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("review_count:Q", title="Reviews"),
                alt.Tooltip("average_rating:Q", title="Average rating", format=".2f"),
            ],
        )
        .properties(width=420, height=300, title=title)
    )


def _volume_against_rating(products: pd.DataFrame) -> "alt.HConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    return (
        alt.hconcat(
            _scatter(
                products, SOLD_LINES, "Units sold (log scale)", "Books and Mart: units sold against rating"
            ),
            _scatter(
                products,
                STREAMED_LINES,
                "Minutes watched or listened (log scale)",
                "Flicks and Music: minutes against rating",
            ),
        )
        .add_params(line_filter())
        .resolve_scale(color="shared")
    )


def _categories(products: pd.DataFrame) -> "alt.Chart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    rated = products[products["product_type"] != MEMBERSHIP]
    categories = rated.groupby(["business_line", "line", "category"], as_index=False)[
        ["volume", "units_sold", "net_revenue_usd", "review_count", "rating_sum"]
    ].sum()
    categories = categories[categories["review_count"] > 0]
    categories["average_rating"] = (categories["rating_sum"] / categories["review_count"]).round(2)
    categories["label"] = categories["category"] + " (" + categories["line"] + ")"
    return (
        alt.Chart(categories)
        .transform_filter(LINE_FILTER_EXPR)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort="-x", title=None),
            x=alt.X("average_rating:Q", title="Average rating", scale=alt.Scale(domain=[0, 5])),
            color=line_colour(),
            tooltip=[
                alt.Tooltip("label:N", title="Category"),
                alt.Tooltip("average_rating:Q", title="Average rating", format=".2f"),
                alt.Tooltip("review_count:Q", title="Reviews", format=","),
                alt.Tooltip("units_sold:Q", title="Units sold", format=",.0f"),
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
            ],
        )
        .properties(width=520, height=alt.Step(13), title="Average rating by category")
        .add_params(line_filter())
    )


def best_and_worst(products: pd.DataFrame) -> pd.DataFrame:
    """Per line and category: the top product by volume, and the best and worst rated with enough reviews."""
    rows = []
    catalogue = products[products["product_type"] != MEMBERSHIP]
    for (line, category), group in catalogue.groupby(["line", "category"], sort=True):
        by_volume = group.sort_values(["volume", "product_name"], ascending=[False, True])
        ranked = group[group["review_count"] >= MIN_REVIEWS_TO_RANK].sort_values(
            ["average_rating", "review_count", "product_name"], ascending=[False, False, True]
        )
        top = by_volume.iloc[0]
        unit = "units" if top["business_line"] in SOLD_LINES else "min"
        best = ranked.iloc[0] if len(ranked) else None
        worst = ranked.iloc[-1] if len(ranked) > 1 else None
        rows.append(
            {
                "Line": line,
                "Category": category,
                "Top by volume": f"{top['product_name']} ({top['volume']:,.0f} {unit})",
                "Best rated": ""
                if best is None
                else f"{best['product_name']} ({best['average_rating']:.2f}, {int(best['review_count'])} reviews)",
                "Lowest rated": ""
                if worst is None
                else f"{worst['product_name']} ({worst['average_rating']:.2f}, {int(worst['review_count'])} reviews)",
            }
        )
    return pd.DataFrame(rows)


def build(performance: pd.DataFrame) -> Dashboard:
    """The page from demand.fct_product_performance (its PERFORMANCE_COLUMNS)."""
    if performance.empty:
        raise ValueError(
            "demand.fct_product_performance has no rows: there is no product activity to show yet"
        )
    products = products_over_window(performance)
    reviews = int(performance["review_count"].sum())
    rating_sum = float(performance["rating_sum"].sum())
    totals: dict[str, float | int | str] = {
        "net_revenue_usd": cents(performance["net_revenue_usd"].sum()),
        "units_sold": int(performance["units_sold"].sum()),
        "review_count": reviews,
        "average_rating": round(rating_sum / reviews, 2) if reviews else 0.0,
        "products_sold": int((products["units_sold"] > 0).sum()),
        "products_reviewed": int((products["review_count"] > 0).sum()),
    }
    table = best_and_worst(products)
    months = pd.to_datetime(performance["performance_month"])
    return Dashboard(
        name=NAME,
        title="Product performance and reviews",
        question="Does what sells also rate well? Sales volume against rating and review count, and the "
        "leaders and laggards of each category.",
        sources=SOURCES,
        window_start=months.min().date(),
        window_end=months.max().date(),
        window_grain="month",
        totals=totals,
        kpis=(
            Kpi("net_revenue_usd", "Net revenue, all products", note="membership plans included"),
            Kpi("units_sold", "Units sold", "count"),
            Kpi("review_count", "Reviews and ratings", "count"),
            Kpi("average_rating", "Average rating", "rating"),
            Kpi("products_reviewed", "Products reviewed", "count"),
        ),
        panels=(
            Panel(
                "volume_vs_rating",
                "Sales volume against rating",
                "Each circle is a product with at least one review, sized by its number of reviews. Books and "
                "Mart sell units; Flicks and Music titles are streamed, so their volume is minutes.",
                chart=_volume_against_rating(products),
            ),
            Panel(
                "category_ratings",
                "Ratings by category",
                "Average rating of each category's reviews (hover for reviews, units and revenue).",
                chart=_categories(products),
            ),
            Panel(
                "best_and_worst",
                "Best and worst performers per category",
                f"Top product by volume, and the best and lowest rated among products with at least "
                f"{MIN_REVIEWS_TO_RANK} reviews.",
                table=table,
                kind="table",
            ),
        ),
        preview=table.head(12),
        preview_panel="volume_vs_rating",
        notes=(
            (
                "Average ratings over several months are sum of ratings / number of reviews, not an average of "
                "monthly averages."
            ),
        ),
    )
