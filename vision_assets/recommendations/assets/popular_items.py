"""The "most popular" lists: the storefronts' top 10s per line, genre and region, and what is trending."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.common import (
    RECOMMENDATIONS,
    TOP_N,
    grain_result,
    recommendable_products,
    table_input,
    table_metadata,
)
from vision_assets.recommendations.assets.weighted_interactions import (
    INTERACTIONS,
    TIMES,
    for_models,
    weighted_interactions_input,
)
from vision_assets.recommendations.popularity import POPULARITY_WINDOW_DAYS, popular_lists
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

POPULAR_ITEMS_SCHEMA = declared_schema(
    {
        "popularity_list": (
            "varchar",
            "Which list: business_line, genre, region, creator, genre_ranking or trending.",
        ),
        "business_line": ("varchar", "books, flicks, music or mart."),
        "scope": (
            "varchar",
            "What the list is for: the business line, the genre or category, or the customer region.",
        ),
        "rank": ("bigint", "1 = most popular in its list."),
        "item_type": ("varchar", "product, genre, or the creator's kind (author, studio, artist, brand)."),
        "product_key": (
            "varchar",
            "The product (dim_product) for product lists; empty for creators and genres.",
        ),
        "item_name": ("varchar", "Product title, creator name or genre."),
        "creator_name": ("varchar", "Author, studio, artist or brand."),
        "genre": ("varchar", "Genre (books, films, music) or category (marketplace)."),
        "popularity_score": (
            "double",
            "What the list ranks by: distinct customers; for trending, the rise against the "
            "earlier weeks of the window (1 = flat).",
        ),
        "distinct_customers": (
            "bigint",
            "Customers who engaged with it in the window (the trending list: last week).",
        ),
        "weighted_interactions": (
            "double",
            "Summed interaction weight (see the interaction weights in docs/recommendations.md).",
        ),
        "window_start": ("date", "First day of the popularity window (UTC)."),
        "window_end": ("date", "Last day of the popularity window (UTC): the latest day with data."),
    }
)


POPULAR_ITEMS_LINEAGE = declared_lineage(
    {
        "popularity_list": [],
        "business_line": ["marts.dim_product.business_line"],
        "scope": [
            "marts.dim_product.business_line",
            "marts.dim_product.category",
            "marts.dim_customer.region",
            "marts.dim_customer.country_code",
        ],
        "rank": INTERACTIONS,
        "item_type": ["marts.dim_product.creator_type"],
        "product_key": [*INTERACTIONS, "marts.dim_product.product_key"],
        "item_name": [
            "marts.dim_product.product_name",
            "marts.dim_product.creator_name",
            "marts.dim_product.category",
        ],
        "creator_name": ["marts.dim_product.creator_name"],
        "genre": ["marts.dim_product.category"],
        "popularity_score": INTERACTIONS,
        "distinct_customers": INTERACTIONS,
        "weighted_interactions": INTERACTIONS,
        "window_start": TIMES,
        "window_end": TIMES,
    }
)


@dg.asset(
    key=["recommendations", "popular_items"],
    metadata={"dagster/column_schema": POPULAR_ITEMS_SCHEMA, "dagster/column_lineage": POPULAR_ITEMS_LINEAGE},
    ins={
        "interactions": weighted_interactions_input(),
        "products": table_input(
            "marts.dim_product",
            ["product_key", "business_line", "product_name", "product_type", "category", "creator_name",
             "creator_type"],
        ),
        "customers": table_input("marts.dim_customer", ["customer_key", "region", "country_code"]),
    },
    kinds={"python", "pandas"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def popular_items(
    context: dg.AssetExecutionContext,
    interactions: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """What is popular right now: the top 10 products of each business line, of each genre (or marketplace
    category), and in each customer region; the most popular authors, studios, artists and brands; the most
    popular genres; and what is trending (customers in the last 7 days against the weeks before).

    Popularity is the number of distinct customers who bought, read, watched, listened to, saved, viewed or
    rated an item in the last 28 days of data (weighted_interactions), counted as people (one customer =
    one vote, however often). Rebuilt whole every day from all history; `popularity_list` says which list a
    row belongs to.
    """
    regions = customers.assign(
        region_name=customers["region"].fillna("unknown") + ", " + customers["country_code"].fillna("?")
    )[["customer_key", "region_name"]]
    lists = popular_lists(for_models(interactions), recommendable_products(products), regions, top_n=TOP_N)
    for column in ("window_start", "window_end"):
        lists[column] = pd.to_datetime(lists[column])
    counts = lists.groupby("popularity_list").size()
    context.log.info(f"Popular lists: {counts.to_dict()}")
    return dg.Output(
        lists,
        metadata={
            **table_metadata(lists, POPULAR_ITEMS_SCHEMA),
            **{f"entries/{name}": dg.MetadataValue.int(int(count)) for name, count in counts.items()},
            "window_days": dg.MetadataValue.int(POPULARITY_WINDOW_DAYS),
        },
    )


@dg.asset_check(
    asset=popular_items,
    description="One entry per list, business line, scope and rank.",
)
def popular_items_grain(popular_items: pd.DataFrame) -> dg.AssetCheckResult:
    return grain_result(popular_items, ["popularity_list", "business_line", "scope", "rank"])
