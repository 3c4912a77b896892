"""Recommendations, customer segments and churn scores as Dagster assets.

Each asset is a thin wrapper: it reads marts tables through the warehouse IO manager (DuckDB or
Snowflake alike), hands pandas frames to a plain module of this package, and returns the result for the
IO manager to write to the ``recommendations`` or ``analytics`` schema. The assets are unpartitioned and
rebuilt whole (daily, by the automation policies) from all history, because a recommender or a churn
model learns from everything that happened, not one day. Model quality is recorded in each
materialization's metadata, so the UI plots it over time, and judged by asset checks.
"""


import dagster as dg
import pandas as pd

from vision_assets.identity.clusters import with_current_customers
from vision_assets.recommendations import churn, segments
from vision_assets.recommendations.collaborative import (
    DEFAULT_L2,
    DEFAULT_MAX_ITEMS,
    EaseRecommender,
    similar_items,
)
from vision_assets.recommendations.evaluation import RankingMetrics, evaluate_rankings, time_holdout
from vision_assets.recommendations.interactions import interactions_from_marts
from vision_assets.recommendations.measurement import Measurement, measure
from vision_assets.recommendations.popularity import (
    FALLBACK_SOURCE,
    POPULARITY_WINDOW_DAYS,
    PopularityRecommender,
    fill_with_fallback,
    popular_lists,
)
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY, final_unless_transient, warehouse_pool

OWNERS = ["team:data-science"]
TOP_N = 10
HOLDOUT_DAYS = 7
ALL_LINES_SCOPE = "all_lines"
# The churn model must rank memberships that end above those that do not clearly better than chance:
# on the simulator's demo data its holdout AUC is about 0.65.
MIN_CHURN_AUC = 0.55

_SALES = ["sale_type", "customer_key", "account_key", "product_key", "sold_at", "net_amount_usd", "business_line"]
_ENGAGEMENT = [
    "customer_key",
    "account_key",
    "product_key",
    "business_line",
    "event_type",
    "engagement_category",
    "engaged_at",
    "activity_date",
]
_REVIEWS = ["customer_key", "account_key", "product_key", "business_line", "rating", "reviewed_at"]
_PRODUCTS = [
    "product_key",
    "business_line",
    "product_name",
    "product_type",
    "category",
    "creator_name",
    "creator_type",
]
_MEMBERSHIP = [
    "status_date",
    "membership_key",
    "business_line",
    "account_key",
    "customer_key",
    "plan",
    "is_active",
    "ended_on_day",
    "membership_age_days",
]
_BILLING = ["membership_key", "billing_date", "event_type"]


def _table(key: str, columns: list[str]) -> dg.AssetIn:
    """A warehouse table as an input, reading only ``columns`` (the IO manager selects them)."""
    return dg.AssetIn(key=key.split("."), metadata={"columns": columns})


def _measurement_metadata(prefix: str, measurement: Measurement) -> dict[str, dg.MetadataValue]:
    return {
        f"{prefix}_seconds": dg.MetadataValue.float(round(measurement.seconds, 2)),
        f"{prefix}_peak_memory_mb": dg.MetadataValue.float(round(measurement.peak_rss_mb, 1)),
        f"{prefix}_memory_increase_mb": dg.MetadataValue.float(round(measurement.peak_increase_mb, 1)),
    }


def _table_metadata(frame: pd.DataFrame, schema: dg.TableSchema) -> dict[str, dg.MetadataValue]:
    return {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": dg.MetadataValue.table_schema(schema),
    }


def _following_customers(bridge: pd.DataFrame, *facts: pd.DataFrame) -> list[pd.DataFrame]:
    """The facts with each account's customer as identity resolution sees it now (see with_current_customers)."""
    return [with_current_customers(frame, bridge) for frame in facts]


def _recommendable_products(products: pd.DataFrame) -> pd.DataFrame:
    """Everything in the catalog except membership plans (a plan is a subscription, not content)."""
    return products[products["product_type"] != "membership_plan"]


_MART_INPUTS = {
    # Days built before two customers were merged (or one split) carry the key of that day: the bridge gives
    # each account's customer now.
    "bridge": _table("marts.bridge_customer_account", ["account_key", "customer_key"]),
    "sales": _table("marts.fct_sales", _SALES),
    "engagement": _table("marts.fct_engagement", _ENGAGEMENT),
    "reviews": _table("marts.fct_reviews", _REVIEWS),
    "products": _table("marts.dim_product", _PRODUCTS),
}
# Retried when the warehouse was briefly unavailable, and only then (final_unless_transient).
_RECOMMENDATIONS = {
    "group_name": "recommendations",
    "owners": OWNERS,
    "pool": warehouse_pool(),
    "retry_policy": WAREHOUSE_RETRY_POLICY,
}
_ANALYTICS = {**_RECOMMENDATIONS, "group_name": "analytics"}

# Column lineage (`dagster/column_lineage`): what each output column is computed from. A model's output
# (a rank, a score, a similarity) comes from every interaction it learned from.
_INTERACTIONS = [
    *(f"marts.fct_sales.{column}" for column in ("sale_type", "customer_key", "product_key", "sold_at")),
    *(
        f"marts.fct_engagement.{column}"
        for column in ("customer_key", "product_key", "event_type", "engagement_category", "engaged_at")
    ),
    *(f"marts.fct_reviews.{column}" for column in ("customer_key", "product_key", "rating", "reviewed_at")),
]
_INTERACTION_TIMES = [
    "marts.fct_sales.sold_at",
    "marts.fct_engagement.engaged_at",
    "marts.fct_reviews.reviewed_at",
]
_ACTIVITY = [
    *(
        f"marts.{table}.{column}"
        for table in ("fct_sales", "fct_engagement", "fct_reviews")
        for column in ("customer_key", "business_line")
    ),
    *_INTERACTION_TIMES,
]
_REVENUE = ["marts.fct_sales.customer_key", "marts.fct_sales.sold_at", "marts.fct_sales.net_amount_usd"]


# --------------------------------------------------------------------------------------------- popular items
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
            "Summed interaction weight (see the interaction weights in the README).",
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
        "rank": _INTERACTIONS,
        "item_type": ["marts.dim_product.creator_type"],
        "product_key": [*_INTERACTIONS, "marts.dim_product.product_key"],
        "item_name": [
            "marts.dim_product.product_name",
            "marts.dim_product.creator_name",
            "marts.dim_product.category",
        ],
        "creator_name": ["marts.dim_product.creator_name"],
        "genre": ["marts.dim_product.category"],
        "popularity_score": _INTERACTIONS,
        "distinct_customers": _INTERACTIONS,
        "weighted_interactions": _INTERACTIONS,
        "window_start": _INTERACTION_TIMES,
        "window_end": _INTERACTION_TIMES,
    }
)


@dg.asset(
    key=["recommendations", "popular_items"],
    metadata={"dagster/column_schema": POPULAR_ITEMS_SCHEMA, "dagster/column_lineage": POPULAR_ITEMS_LINEAGE},
    ins={
        **_MART_INPUTS,
        "customers": _table("marts.dim_customer", ["customer_key", "region", "country_code"]),
    },
    kinds={"python", "pandas"},
    **_RECOMMENDATIONS,
)
@final_unless_transient
def popular_items(
    context: dg.AssetExecutionContext,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """What is popular right now: the top 10 products of each business line, of each genre (or marketplace
    category), and in each customer region; the most popular authors, studios, artists and brands; the most
    popular genres; and what is trending (customers in the last 7 days against the weeks before).

    Popularity is the number of distinct customers who bought, read, watched, listened to, saved, viewed or
    rated an item in the last 28 days of data, counted as people (one customer = one vote, however often).
    Rebuilt whole every day from all history; `popularity_list` says which list a row belongs to.
    """
    interactions = interactions_from_marts(*_following_customers(bridge, sales, engagement, reviews))
    regions = customers.assign(
        region_name=customers["region"].fillna("unknown") + ", " + customers["country_code"].fillna("?")
    )[["customer_key", "region_name"]]
    lists = popular_lists(interactions, _recommendable_products(products), regions, top_n=TOP_N)
    for column in ("window_start", "window_end"):
        lists[column] = pd.to_datetime(lists[column])
    counts = lists.groupby("popularity_list").size()
    context.log.info(f"Popular lists: {counts.to_dict()}")
    return dg.Output(
        lists,
        metadata={
            **_table_metadata(lists, POPULAR_ITEMS_SCHEMA),
            **{f"entries/{name}": dg.MetadataValue.int(int(count)) for name, count in counts.items()},
            "window_days": dg.MetadataValue.int(POPULARITY_WINDOW_DAYS),
        },
    )


# --------------------------------------------------------------------------------------- user recommendations
USER_RECOMMENDATIONS_SCHEMA = declared_schema(
    {
        "customer_key": ("varchar", "The person (dim_customer), across all four businesses."),
        "scope": (
            "varchar",
            "all_lines (the best of everything) or one business line: books, flicks, music, mart.",
        ),
        "rank": ("bigint", "1 = best recommendation in its scope."),
        "product_key": (
            "varchar",
            "The recommended product (dim_product); never one the customer already engaged with.",
        ),
        "business_line": ("varchar", "The recommended product's business line."),
        "product_name": ("varchar", "The recommended product's title or name."),
        "genre": ("varchar", "Its genre, or category for marketplace products."),
        "score": ("double", "Model score; comparable within one customer's list, not across sources."),
        "source": (
            "varchar",
            "collaborative_filtering (personal) or popularity_fallback (new customers, or to fill a "
            "list the personal model could not).",
        ),
    }
)


class RecommenderConfig(dg.Config):
    top_n: int = TOP_N
    holdout_days: int = HOLDOUT_DAYS
    l2: float = DEFAULT_L2
    max_items: int = DEFAULT_MAX_ITEMS


def _metric_metadata(prefix: str, metrics: RankingMetrics) -> dict[str, dg.MetadataValue]:
    return {key: dg.MetadataValue.float(round(value, 5)) for key, value in metrics.as_dict(prefix).items()}


USER_RECOMMENDATIONS_LINEAGE = declared_lineage(
    {
        "customer_key": ["marts.dim_customer.customer_key"],
        "scope": ["marts.dim_product.business_line"],
        "rank": _INTERACTIONS,
        "product_key": [*_INTERACTIONS, "marts.dim_product.product_key"],
        "business_line": ["marts.dim_product.business_line"],
        "product_name": ["marts.dim_product.product_name"],
        "genre": ["marts.dim_product.category"],
        "score": _INTERACTIONS,
        "source": _INTERACTIONS,
    }
)


@dg.asset(
    key=["recommendations", "user_recommendations"],
    metadata={
        "dagster/column_schema": USER_RECOMMENDATIONS_SCHEMA,
        "dagster/column_lineage": USER_RECOMMENDATIONS_LINEAGE,
    },
    ins={**_MART_INPUTS, "customers": _table("marts.dim_customer", ["customer_key"])},
    kinds={"python", "scipy"},
    check_specs=[
        dg.AssetCheckSpec(
            "beats_popularity_baseline",
            asset=dg.AssetKey(["recommendations", "user_recommendations"]),
            description="On the time-based holdout, the collaborative filter's NDCG@10 and precision@10 "
            "are above the popularity baseline's.",
        )
    ],
    **_RECOMMENDATIONS,
)
@final_unless_transient
def user_recommendations(
    context: dg.AssetExecutionContext,
    config: RecommenderConfig,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
):
    """Ten recommendations per customer across all four businesses (scope `all_lines`) and ten in each
    business line, so a fantasy reader is offered fantasy films even with no Flicks history.

    Made by collaborative filtering (EASE, an item-to-item model) over every customer's purchases, reads,
    streams, listens, saves, page views and good ratings, weighted by how much each says about taste. Items a
    customer already engaged with are never recommended. Customers with no history, or too little for a full
    list, get the most popular items of the last 28 days, labelled `popularity_fallback` in `source`.

    Every run first trains on all but the last 7 days and checks the lists against what customers did in
    those days: precision@10, recall@10 and NDCG@10 of the model and of the popularity baseline are in the
    metadata, and the check `beats_popularity_baseline` fails if the model does not win. The model is then
    retrained on everything. Rebuilt whole every day from all history.
    """
    interactions = interactions_from_marts(*_following_customers(bridge, sales, engagement, reviews))
    catalog = _recommendable_products(products)
    k = config.top_n

    split = time_holdout(interactions, config.holdout_days)
    evaluated_users = split.truth["user"].unique()
    with measure() as holdout_training:
        holdout_model = EaseRecommender(l2=config.l2, max_items=config.max_items).fit(split.train)
    model_metrics = evaluate_rankings(holdout_model.recommend(evaluated_users, k), split.truth, k)
    baseline_metrics = evaluate_rankings(
        PopularityRecommender().fit(split.train).recommend(evaluated_users, k), split.truth, k
    )
    del holdout_model

    with measure() as training:
        model = EaseRecommender(l2=config.l2, max_items=config.max_items).fit(interactions)
    scopes = {ALL_LINES_SCOPE: catalog["product_key"]}
    scopes.update({line: items for line, items in catalog.groupby("business_line")["product_key"]})
    everyone = pd.Index(pd.unique(customers["customer_key"]))
    with measure() as scoring:
        personal = model.recommend(everyone, k, scopes)
        fallback = PopularityRecommender().fit(interactions).recommend(everyone, k, scopes)
        recommendations = fill_with_fallback(personal, fallback, k)
    recommendations = _with_product_details(recommendations, catalog)

    beats = (
        model_metrics.users > 0
        and model_metrics.ndcg > baseline_metrics.ndcg
        and model_metrics.precision > baseline_metrics.precision
    )
    fallback_share = (
        float((recommendations["source"] == FALLBACK_SOURCE).mean()) if len(recommendations) else 0.0
    )
    yield dg.Output(
        recommendations,
        metadata={
            **_table_metadata(recommendations, USER_RECOMMENDATIONS_SCHEMA),
            **_metric_metadata("cf", model_metrics),
            **_metric_metadata("popularity", baseline_metrics),
            "k": dg.MetadataValue.int(k),
            "holdout_days": dg.MetadataValue.int(config.holdout_days),
            "holdout_cutoff": dg.MetadataValue.text(str(split.cutoff)),
            "evaluated_customers": dg.MetadataValue.int(model_metrics.users),
            "customers": dg.MetadataValue.int(len(everyone)),
            "customers_with_history": dg.MetadataValue.int(int(everyone.isin(interactions["user"]).sum())),
            "items_in_model": dg.MetadataValue.int(len(model.items)),
            "interactions": dg.MetadataValue.int(len(interactions)),
            "popularity_fallback_share": dg.MetadataValue.float(round(fallback_share, 4)),
            "l2": dg.MetadataValue.float(config.l2),
            **_measurement_metadata("training", training),
            **_measurement_metadata("holdout_training", holdout_training),
            **_measurement_metadata("scoring", scoring),
        },
    )
    yield dg.AssetCheckResult(
        check_name="beats_popularity_baseline",
        passed=bool(beats),
        severity=dg.AssetCheckSeverity.ERROR if model_metrics.users else dg.AssetCheckSeverity.WARN,
        description=(
            f"NDCG@{k}: collaborative filter {model_metrics.ndcg:.4f} "
            f"vs popularity {baseline_metrics.ndcg:.4f}; "
            f"precision@{k}: {model_metrics.precision:.4f} vs {baseline_metrics.precision:.4f} "
            f"over {model_metrics.users} customers"
            if model_metrics.users
            else f"Nothing to evaluate: no customer with history engaged with something new in the last "
            f"{config.holdout_days} days."
        ),
        metadata={
            "cf_ndcg_at_k": dg.MetadataValue.float(model_metrics.ndcg),
            "popularity_ndcg_at_k": dg.MetadataValue.float(baseline_metrics.ndcg),
            "cf_precision_at_k": dg.MetadataValue.float(model_metrics.precision),
            "popularity_precision_at_k": dg.MetadataValue.float(baseline_metrics.precision),
            "evaluated_customers": dg.MetadataValue.int(model_metrics.users),
        },
    )


def _with_product_details(recommendations: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    details = catalog.set_index("product_key")[["business_line", "product_name", "category"]]
    frame = recommendations.rename(columns={"user": "customer_key", "item": "product_key"}).join(
        details, on="product_key"
    )
    frame = frame.rename(columns={"category": "genre"})
    frame["rank"] = frame["rank"].astype("int64")
    return frame[[column.name for column in USER_RECOMMENDATIONS_SCHEMA.columns]]


# ---------------------------------------------------------------------------------------------- similar items
SIMILAR_ITEMS_SCHEMA = declared_schema(
    {
        "product_key": ("varchar", "The product (dim_product)."),
        "rank": ("bigint", "1 = most similar."),
        "similar_product_key": ("varchar", "A product the same customers engaged with."),
        "similarity": (
            "double",
            "Shared customers / (sqrt(customers of each multiplied) + 10): 0 to 1, higher is closer.",
        ),
        "shared_customers": ("bigint", "Customers who engaged with both (at least 2)."),
        "business_line": ("varchar", "The product's business line."),
        "similar_business_line": (
            "varchar",
            "The similar product's business line; differs for cross-line neighbours.",
        ),
        "product_name": ("varchar", "The product's title or name."),
        "similar_product_name": ("varchar", "The similar product's title or name."),
    }
)


SIMILAR_ITEMS_LINEAGE = declared_lineage(
    {
        "product_key": _INTERACTIONS,
        "rank": _INTERACTIONS,
        "similar_product_key": _INTERACTIONS,
        "similarity": _INTERACTIONS,
        "shared_customers": _INTERACTIONS,
        "business_line": ["marts.dim_product.business_line"],
        "similar_business_line": ["marts.dim_product.business_line"],
        "product_name": ["marts.dim_product.product_name"],
        "similar_product_name": ["marts.dim_product.product_name"],
    }
)


@dg.asset(
    key=["recommendations", "similar_items"],
    metadata={"dagster/column_schema": SIMILAR_ITEMS_SCHEMA, "dagster/column_lineage": SIMILAR_ITEMS_LINEAGE},
    ins=_MART_INPUTS,
    kinds={"python", "scipy"},
    **_RECOMMENDATIONS,
)
@final_unless_transient
def similar_items_asset(
    context: dg.AssetExecutionContext,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
    products: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """ "People who engaged with this also engaged with": for every product, the 10 products whose customers
    overlap most with its own, in any business line (a fantasy novel's neighbours can be fantasy films).

    Similarity is the cosine of the two products' customer sets, shrunk towards 0 for small audiences so
    two items sharing one customer do not look alike; pairs need at least 2 shared customers, so a product
    with a single customer has no neighbours yet. Built from all history, rebuilt whole every day.
    """
    interactions = interactions_from_marts(*_following_customers(bridge, sales, engagement, reviews))
    with measure() as building:
        neighbours = similar_items(interactions, k=TOP_N)
    details = _recommendable_products(products).set_index("product_key")[["business_line", "product_name"]]
    frame = neighbours.rename(columns={"item": "product_key", "similar_item": "similar_product_key"})
    frame = frame.join(details, on="product_key").join(
        details.rename(
            columns={"business_line": "similar_business_line", "product_name": "similar_product_name"}
        ),
        on="similar_product_key",
    )
    frame = frame[[column.name for column in SIMILAR_ITEMS_SCHEMA.columns]]
    cross_line = frame["business_line"] != frame["similar_business_line"]
    return dg.Output(
        frame,
        metadata={
            **_table_metadata(frame, SIMILAR_ITEMS_SCHEMA),
            "products_with_neighbours": dg.MetadataValue.int(int(frame["product_key"].nunique())),
            "cross_line_share": dg.MetadataValue.float(
                round(float(cross_line.mean()), 4) if len(frame) else 0.0
            ),
            **_measurement_metadata("building", building),
        },
    )


# ------------------------------------------------------------------------------------------ customer segments
CUSTOMER_SEGMENTS_SCHEMA = declared_schema(
    {
        "customer_key": ("varchar", "The person (dim_customer), across all four businesses."),
        "segment_label": ("varchar", "Readable segment: " + ", ".join(segments.SEGMENT_LABELS) + "."),
        "segment_description": ("varchar", "What the segment means, in a sentence."),
        "rfm_code": (
            "varchar",
            "Recency, frequency and monetary scores as three digits (555 = best); empty if dormant.",
        ),
        "recency_score": (
            "bigint",
            "5 = among the fifth of customers active most recently; 1 = least recently.",
        ),
        "frequency_score": ("bigint", "5 = among the fifth with the most active days in the window."),
        "monetary_score": ("bigint", "5 = among the fifth with the highest net spend in the window."),
        "recency_days": ("bigint", "Days from the customer's last activity to the as-of day."),
        "active_days": ("bigint", "Distinct days with any activity in the 90-day window."),
        "monetary_usd": (
            "double",
            "Net spend in USD in the window: orders and membership payments less refunds.",
        ),
        "business_lines_active": ("bigint", "How many of the four businesses the customer was active in."),
        "last_active_at": ("timestamp", "The customer's last activity (UTC)."),
        "as_of_date": ("date", "The day the segments describe: the latest day with data."),
    }
)


_RFM = [*_ACTIVITY, *_REVENUE]
CUSTOMER_SEGMENTS_LINEAGE = declared_lineage(
    {
        "customer_key": ["marts.dim_customer.customer_key"],
        "segment_label": _RFM,
        "segment_description": _RFM,
        "rfm_code": _RFM,
        "recency_score": _ACTIVITY,
        "frequency_score": _ACTIVITY,
        "monetary_score": _REVENUE,
        "recency_days": _ACTIVITY,
        "active_days": _ACTIVITY,
        "monetary_usd": _REVENUE,
        "business_lines_active": _ACTIVITY,
        "last_active_at": _ACTIVITY,
        "as_of_date": _INTERACTION_TIMES,
    }
)


@dg.asset(
    key=["analytics", "customer_segments"],
    metadata={
        "dagster/column_schema": CUSTOMER_SEGMENTS_SCHEMA,
        "dagster/column_lineage": CUSTOMER_SEGMENTS_LINEAGE,
    },
    ins={
        "sales": _table("marts.fct_sales", _SALES),
        "engagement": _table("marts.fct_engagement", _ENGAGEMENT),
        "reviews": _table("marts.fct_reviews", _REVIEWS),
        "customers": _table("marts.dim_customer", ["customer_key"]),
        "bridge": _MART_INPUTS["bridge"],
    },
    kinds={"python", "pandas"},
    **_ANALYTICS,
)
@final_unless_transient
def customer_segments(
    context: dg.AssetExecutionContext,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
    customers: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Every customer in one RFM segment with a readable label (Champions, Loyal customers, At risk, ...),
    across all four businesses: how recently they were active, on how many days of the last 90, and how
    much they spent (net USD).

    Scores are 1-5 by quintile among active customers, so they adapt as the business grows; customers with
    no activity in the window are Dormant. Rebuilt whole every day as of the latest day with data.
    """
    sales, engagement, reviews = _following_customers(bridge, sales, engagement, reviews)
    activity = pd.concat(
        [
            sales[["customer_key", "business_line"]].assign(occurred_at=pd.to_datetime(sales["sold_at"])),
            engagement[["customer_key", "business_line"]].assign(
                occurred_at=pd.to_datetime(engagement["engaged_at"])
            ),
            reviews[["customer_key", "business_line"]].assign(
                occurred_at=pd.to_datetime(reviews["reviewed_at"])
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["customer_key", "occurred_at"])
    revenue = pd.DataFrame(
        {
            "customer_key": sales["customer_key"],
            "occurred_at": pd.to_datetime(sales["sold_at"]),
            "net_amount_usd": pd.to_numeric(sales["net_amount_usd"]).astype(float),
        }
    )
    as_of = activity["occurred_at"].max() if len(activity) else pd.Timestamp.now(tz="UTC").tz_localize(None)
    frame = segments.rfm_segments(activity, revenue, customers, as_of)
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    counts = frame["segment_label"].value_counts()
    return dg.Output(
        frame,
        metadata={
            **_table_metadata(frame, CUSTOMER_SEGMENTS_SCHEMA),
            "as_of_date": dg.MetadataValue.text(str(pd.Timestamp(as_of).date())),
            **{
                f"customers/{label}": dg.MetadataValue.int(int(counts.get(label, 0)))
                for label in segments.SEGMENT_LABELS
            },
        },
    )


# ---------------------------------------------------------------------------------------------- churn scores
CHURN_SCORES_SCHEMA = declared_schema(
    {
        "membership_key": (
            "varchar",
            "The membership ('<line>:<membership id>'), active on the scoring day.",
        ),
        "customer_key": ("varchar", "The person holding it (dim_customer)."),
        "account_key": ("varchar", "The account holding it."),
        "business_line": ("varchar", "books, flicks, music or mart."),
        "plan": ("varchar", "The plan on the scoring day."),
        "churn_probability_30d": (
            "double",
            "Probability the membership ends (cancelled or lapsed) in the next 30 days.",
        ),
        "risk_band": ("varchar", "high (>= 25%), medium (10-25%) or low (< 10%)."),
        "membership_age_days": ("double", "Days since the membership started."),
        "events_7d": ("double", "Engagement events of the member's account in this line in the last 7 days."),
        "events_28d": ("double", "The same over the last 28 days."),
        "days_since_last_event": (
            "double",
            "Days since that account's last engagement (29 = none in 28 days).",
        ),
        "payment_failed_unresolved": (
            "double",
            "1 if the latest renewal charge failed and has not been paid since.",
        ),
        "days_since_last_payment": ("double", "Days since the last successful payment."),
        "other_active_memberships": ("double", "Other active memberships the same person holds."),
        "scored_on": ("date", "The day the memberships were active and scored: the latest day with data."),
        "model": ("varchar", "logistic_regression, or base_rate when the history was too short to train."),
    }
)


_MEMBERSHIP_SNAPSHOTS = [f"marts.fct_membership.{column}" for column in _MEMBERSHIP]
_ENGAGEMENT_SIGNALS = [
    *(f"marts.fct_engagement.{column}" for column in ("account_key", "business_line", "activity_date")),
    "marts.fct_membership.status_date",
]
_PAYMENT_SIGNALS = [f"marts.fct_billing.{column}" for column in _BILLING]
_CHURN_MODEL = [*_MEMBERSHIP_SNAPSHOTS, *_ENGAGEMENT_SIGNALS, *_PAYMENT_SIGNALS]
CHURN_SCORES_LINEAGE = declared_lineage(
    {
        "membership_key": ["marts.fct_membership.membership_key"],
        "customer_key": ["marts.fct_membership.customer_key"],
        "account_key": ["marts.fct_membership.account_key"],
        "business_line": ["marts.fct_membership.business_line"],
        "plan": ["marts.fct_membership.plan"],
        "churn_probability_30d": _CHURN_MODEL,
        "risk_band": _CHURN_MODEL,
        "membership_age_days": ["marts.fct_membership.membership_age_days"],
        "events_7d": _ENGAGEMENT_SIGNALS,
        "events_28d": _ENGAGEMENT_SIGNALS,
        "days_since_last_event": _ENGAGEMENT_SIGNALS,
        "payment_failed_unresolved": [*_PAYMENT_SIGNALS, "marts.fct_membership.status_date"],
        "days_since_last_payment": [*_PAYMENT_SIGNALS, "marts.fct_membership.status_date"],
        "other_active_memberships": ["marts.fct_membership.customer_key", "marts.fct_membership.is_active"],
        "scored_on": ["marts.fct_membership.status_date"],
        "model": _CHURN_MODEL,
    }
)


@dg.asset(
    key=["analytics", "churn_scores"],
    metadata={"dagster/column_schema": CHURN_SCORES_SCHEMA, "dagster/column_lineage": CHURN_SCORES_LINEAGE},
    ins={
        "memberships": _table("marts.fct_membership", _MEMBERSHIP),
        "engagement": _table(
            "marts.fct_engagement", ["account_key", "customer_key", "business_line", "activity_date"]
        ),
        "billing": _table("marts.fct_billing", _BILLING),
    },
    kinds={"python", "scikit-learn"},
    check_specs=[
        dg.AssetCheckSpec(
            "holdout_auc_above_chance",
            asset=dg.AssetKey(["analytics", "churn_scores"]),
            description=f"The churn model's AUC on the held-out later period is at least {MIN_CHURN_AUC}.",
        )
    ],
    **_ANALYTICS,
)
@final_unless_transient
def churn_scores(
    context: dg.AssetExecutionContext,
    memberships: pd.DataFrame,
    engagement: pd.DataFrame,
    billing: pd.DataFrame,
):
    """For every active membership (Books, Flicks, Music, Mart), the probability that it ends - cancelled
    or lapsed after a failed payment - in the next 30 days, with the risk band and the signals behind it.

    A logistic regression learns from past snapshots of active memberships what preceded an ending: falling
    engagement, a failed renewal charge not yet paid, the plan, the membership's age, the person's other
    memberships. It is evaluated on a later, held-out period (holdout AUC in the metadata; the check
    `holdout_auc_above_chance` fails below 0.55) and then retrained on all snapshots. On a history too short
    for a 30-day horizon it learns a shorter one and carries the probability to 30 days (`horizon_days`).
    Rebuilt whole every day from all history.
    """
    with measure() as training:
        model = churn.train_churn_model(memberships, engagement, billing)
    scores = churn.score_active_memberships(model, memberships, engagement, billing)
    scores["scored_on"] = pd.to_datetime(scores["scored_on"])
    for note in model.notes:
        context.log.warning(note)
    auc = model.holdout_auc
    passed = bool(auc == auc and auc >= MIN_CHURN_AUC)  # NaN (no holdout endings) fails
    yield dg.Output(
        scores,
        metadata={
            **_table_metadata(scores, CHURN_SCORES_SCHEMA),
            "holdout_auc": dg.MetadataValue.float(float(auc)),
            "horizon_days": dg.MetadataValue.int(model.horizon_days),
            "training_rows": dg.MetadataValue.int(model.training_rows),
            "training_endings": dg.MetadataValue.int(model.training_endings),
            "holdout_rows": dg.MetadataValue.int(model.holdout_rows),
            "holdout_endings": dg.MetadataValue.int(model.holdout_endings),
            "holdout_cutoff": dg.MetadataValue.text(
                str(model.cutoff.date()) if model.cutoff is not None else "none"
            ),
            "mean_churn_probability_30d": dg.MetadataValue.float(
                float(scores["churn_probability_30d"].mean()) if len(scores) else 0.0
            ),
            "high_risk_memberships": dg.MetadataValue.int(int((scores["risk_band"] == "high").sum())),
            "model": dg.MetadataValue.text("logistic_regression" if model.is_trained else "base_rate"),
            **_measurement_metadata("training", training),
        },
    )
    yield dg.AssetCheckResult(
        check_name="holdout_auc_above_chance",
        passed=passed,
        description=(
            f"Holdout AUC {auc:.3f} (minimum {MIN_CHURN_AUC}) on {model.holdout_rows} membership snapshots "
            f"with {model.holdout_endings} endings, horizon {model.horizon_days} days"
            if auc == auc
            else "No holdout AUC: " + ("; ".join(model.notes) or "no model")
        ),
        metadata={
            "holdout_auc": dg.MetadataValue.float(float(auc)),
            "minimum_auc": dg.MetadataValue.float(MIN_CHURN_AUC),
        },
    )


recommendation_assets = [
    popular_items,
    user_recommendations,
    similar_items_asset,
    customer_segments,
    churn_scores,
]


# ------------------------------------------------------------------------------- checks on the written tables
# The model checks above are computed with the model, inside the materialization. These re-read what the
# IO manager wrote and check its grain, so a table that lost or duplicated rows on its way into the
# warehouse is caught, whichever warehouse it is.


def _duplicates(frame: pd.DataFrame, grain: list[str]) -> int:
    return int(frame.duplicated(grain).sum())


def _grain_result(frame: pd.DataFrame, grain: list[str], extra_problems: dict[str, int] | None = None):
    problems = {f"rows sharing ({', '.join(grain)})": _duplicates(frame, grain), **(extra_problems or {})}
    found = {name: count for name, count in problems.items() if count}
    return dg.AssetCheckResult(
        passed=not found,
        description="; ".join(f"{count} {name}" for name, count in found.items())
        or f"{len(frame)} rows, grain holds",
        metadata={
            "rows": dg.MetadataValue.int(len(frame)),
            **{name: dg.MetadataValue.int(count) for name, count in problems.items()},
        },
    )


@dg.asset_check(
    asset=popular_items,
    description="One entry per list, business line, scope and rank.",
)
def popular_items_grain(popular_items: pd.DataFrame) -> dg.AssetCheckResult:
    return _grain_result(popular_items, ["popularity_list", "business_line", "scope", "rank"])


@dg.asset_check(
    asset=user_recommendations,
    description="One product per customer, scope and rank; a product at most once in a list; "
    "at most 10 per list.",
)
def user_recommendations_grain(user_recommendations: pd.DataFrame) -> dg.AssetCheckResult:
    return _grain_result(
        user_recommendations,
        ["customer_key", "scope", "rank"],
        {
            "products repeated within a list": _duplicates(
                user_recommendations, ["customer_key", "scope", "product_key"]
            ),
            "ranks beyond the list length": int((user_recommendations["rank"] > TOP_N).sum()),
        },
    )


@dg.asset_check(
    asset=similar_items_asset,
    description="One neighbour per product and rank, never the product itself.",
)
def similar_items_grain(similar_items: pd.DataFrame) -> dg.AssetCheckResult:
    return _grain_result(
        similar_items,
        ["product_key", "rank"],
        {
            "products listed as their own neighbour": int(
                (similar_items["product_key"] == similar_items["similar_product_key"]).sum()
            )
        },
    )


@dg.asset_check(
    asset=customer_segments,
    description="Exactly one segment per customer, and every label one of the documented ones.",
)
def customer_segments_grain(customer_segments: pd.DataFrame) -> dg.AssetCheckResult:
    return _grain_result(
        customer_segments,
        ["customer_key"],
        {
            "unknown segment labels": int(
                (~customer_segments["segment_label"].isin(segments.SEGMENT_LABELS)).sum()
            )
        },
    )


@dg.asset_check(
    asset=churn_scores,
    description="One score per active membership, each a probability between 0 and 1.",
)
def churn_scores_grain(churn_scores: pd.DataFrame) -> dg.AssetCheckResult:
    probability = pd.to_numeric(churn_scores["churn_probability_30d"])
    return _grain_result(
        churn_scores,
        ["membership_key"],
        {"probabilities outside [0, 1] or missing": int((~probability.between(0.0, 1.0)).sum())},
    )


recommendation_checks = [
    popular_items_grain,
    user_recommendations_grain,
    similar_items_grain,
    customer_segments_grain,
    churn_scores_grain,
]
