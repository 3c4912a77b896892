"""The first step of the recommender: every customer's purchases, reads, streams, listens, saves, views and
good ratings as one weighted table, which the model, its evaluation and the popularity lists all read."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.common import (
    BRIDGE_INPUT,
    RECOMMENDATIONS,
    following_customers,
    schema_columns,
    table_input,
    table_metadata,
)
from vision_assets.recommendations.interactions import interactions_from_marts
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

KEY = "recommendations.weighted_interactions"

WEIGHTED_INTERACTIONS_SCHEMA = declared_schema(
    {
        "customer_key": (
            "varchar",
            "The person (dim_customer) as identity resolution sees them now, across all four businesses.",
        ),
        "product_key": ("varchar", "The product engaged with (dim_product)."),
        "weight": (
            "double",
            "How much the event says about taste: purchase 5; read, stream or listen 3; save or add to cart "
            "2; sample or trailer 1; page view 0.5; a 5-, 4- or 3-star rating 3, 2 or 0.5.",
        ),
        "occurred_at": ("timestamp", "When it happened (UTC)."),
    }
)

_SALES = ["sale_type", "customer_key", "account_key", "product_key", "sold_at"]
_ENGAGEMENT = [
    "customer_key",
    "account_key",
    "product_key",
    "event_type",
    "engagement_category",
    "engaged_at",
]
_REVIEWS = ["customer_key", "account_key", "product_key", "rating", "reviewed_at"]


_FACTS = ("fct_sales", "fct_engagement", "fct_reviews")
WEIGHTED_INTERACTIONS_LINEAGE = declared_lineage(
    {
        "customer_key": [
            "marts.bridge_customer_account.account_key",
            "marts.bridge_customer_account.customer_key",
            *(f"marts.{table}.{column}" for table in _FACTS for column in ("account_key", "customer_key")),
        ],
        "product_key": [f"marts.{table}.product_key" for table in _FACTS],
        "weight": [
            "marts.fct_sales.sale_type",
            "marts.fct_engagement.event_type",
            "marts.fct_engagement.engagement_category",
            "marts.fct_reviews.rating",
        ],
        "occurred_at": [
            "marts.fct_sales.sold_at",
            "marts.fct_engagement.engaged_at",
            "marts.fct_reviews.reviewed_at",
        ],
    }
)

# What a model learns from (who, what, how strongly), and when it happened: the column lineage downstream.
TASTE = [f"{KEY}.{column}" for column in ("customer_key", "product_key", "weight")]
TIMES = [f"{KEY}.occurred_at"]
INTERACTIONS = [*TASTE, *TIMES]


def weighted_interactions_input() -> dg.AssetIn:
    return table_input(KEY, schema_columns(WEIGHTED_INTERACTIONS_SCHEMA))


def for_models(table: pd.DataFrame) -> pd.DataFrame:
    """The table in the columns every model of this package reads (``user``, ``item``, ``weight``,
    ``occurred_at``)."""
    frame = table.rename(columns={"customer_key": "user", "product_key": "item"})
    return frame.assign(occurred_at=pd.to_datetime(frame["occurred_at"]))


@dg.asset(
    key=KEY.split("."),
    metadata={
        "dagster/column_schema": WEIGHTED_INTERACTIONS_SCHEMA,
        "dagster/column_lineage": WEIGHTED_INTERACTIONS_LINEAGE,
    },
    ins={
        "bridge": BRIDGE_INPUT,
        "sales": table_input("marts.fct_sales", _SALES),
        "engagement": table_input("marts.fct_engagement", _ENGAGEMENT),
        "reviews": table_input("marts.fct_reviews", _REVIEWS),
    },
    kinds={"python", "pandas"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def weighted_interactions(
    context: dg.AssetExecutionContext,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Every sign of taste a customer gave, one row per event, weighted by how much it says: what the
    recommender learns from, what its evaluation holds out, and what the popularity lists count.

    Purchases (order lines) weigh 5; reads, streams and listens 3; saves (wish or watch list, like,
    playlist) and adds to cart 2; samples and trailers 1; page views 0.5; ratings of 5, 4 and 3 stars add 3,
    2 and 0.5. Skips, ratings below 3 stars, membership payments and refunds are not taste and are left out.
    Customers are people across all four businesses, as identity resolution sees them now. Rebuilt whole
    every day from all history.
    """
    interactions = interactions_from_marts(*following_customers(bridge, sales, engagement, reviews))
    table = interactions.rename(columns={"user": "customer_key", "item": "product_key"})
    table = table[schema_columns(WEIGHTED_INTERACTIONS_SCHEMA)]
    days = table["occurred_at"].dt.date
    return dg.Output(
        table,
        metadata={
            **table_metadata(table, WEIGHTED_INTERACTIONS_SCHEMA),
            "customers": dg.MetadataValue.int(int(table["customer_key"].nunique())),
            "products": dg.MetadataValue.int(int(table["product_key"].nunique())),
            "first_day": dg.MetadataValue.text(str(days.min()) if len(table) else "none"),
            "last_day": dg.MetadataValue.text(str(days.max()) if len(table) else "none"),
        },
    )
