"""Ten recommendations per customer and scope, scored by the stored collaborative filtering model."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.collaborative_filtering_model import KEY as MODEL_KEY
from vision_assets.recommendations.assets.collaborative_filtering_model import model_from_table
from vision_assets.recommendations.assets.common import (
    ALL_LINES_SCOPE,
    RECOMMENDATIONS,
    TOP_N,
    duplicates,
    grain_result,
    measurement_metadata,
    recommendable_products,
    schema_columns,
    table_input,
    table_metadata,
)
from vision_assets.recommendations.assets.weighted_interactions import (
    INTERACTIONS,
    for_models,
    weighted_interactions_input,
)
from vision_assets.recommendations.measurement import measure
from vision_assets.recommendations.popularity import (
    FALLBACK_SOURCE,
    PopularityRecommender,
    fill_with_fallback,
)
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

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

_MODEL = [f"{MODEL_KEY}.{column}" for column in ("product_key", "model_position", "item_weights")]
USER_RECOMMENDATIONS_LINEAGE = declared_lineage(
    {
        "customer_key": ["marts.dim_customer.customer_key"],
        "scope": ["marts.dim_product.business_line"],
        "rank": [*_MODEL, *INTERACTIONS],
        "product_key": [*_MODEL, *INTERACTIONS, "marts.dim_product.product_key"],
        "business_line": ["marts.dim_product.business_line"],
        "product_name": ["marts.dim_product.product_name"],
        "genre": ["marts.dim_product.category"],
        "score": [*_MODEL, *INTERACTIONS],
        "source": [*_MODEL, *INTERACTIONS],
    }
)


class RecommendationsConfig(dg.Config):
    top_n: int = TOP_N


@dg.asset(
    key=["recommendations", "user_recommendations"],
    metadata={
        "dagster/column_schema": USER_RECOMMENDATIONS_SCHEMA,
        "dagster/column_lineage": USER_RECOMMENDATIONS_LINEAGE,
    },
    ins={
        "model": table_input(MODEL_KEY),
        "interactions": weighted_interactions_input(),
        "products": table_input(
            "marts.dim_product", ["product_key", "business_line", "product_name", "product_type", "category"]
        ),
        "customers": table_input("marts.dim_customer", ["customer_key"]),
    },
    kinds={"python", "scipy"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def user_recommendations(
    context: dg.AssetExecutionContext,
    config: RecommendationsConfig,
    model: pd.DataFrame,
    interactions: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Ten recommendations per customer across all four businesses (scope `all_lines`) and ten in each
    business line, so a fantasy reader is offered fantasy films even with no Flicks history.

    Scored by collaborative_filtering_model (EASE, an item-to-item model learned from every customer's
    purchases, reads, streams, listens, saves, page views and good ratings) over each customer's current
    history in weighted_interactions; nothing is trained here. Items a customer already engaged with are
    never recommended. Customers with no history, or too little for a full list, get the most popular items
    of the last 28 days, labelled `popularity_fallback` in `source`. How these lists compare with popularity
    on held-out days is in recommender_evaluation. Rebuilt whole every day.
    """
    k = config.top_n
    frame = for_models(interactions)
    catalog = recommendable_products(products)
    scopes = {ALL_LINES_SCOPE: catalog["product_key"]}
    scopes.update({line: items for line, items in catalog.groupby("business_line")["product_key"]})
    everyone = pd.Index(pd.unique(customers["customer_key"]))
    with measure() as loading:
        ease = model_from_table(model)
    with measure() as scoring:
        personal = ease.recommend(ease.history_of(frame), everyone, k, scopes)
        fallback = PopularityRecommender().fit(frame).recommend(everyone, k, scopes)
        recommendations = _with_product_details(fill_with_fallback(personal, fallback, k), catalog)
    fallback_share = (
        float((recommendations["source"] == FALLBACK_SOURCE).mean()) if len(recommendations) else 0.0
    )
    return dg.Output(
        recommendations,
        metadata={
            **table_metadata(recommendations, USER_RECOMMENDATIONS_SCHEMA),
            "k": dg.MetadataValue.int(k),
            "customers": dg.MetadataValue.int(len(everyone)),
            "customers_with_history": dg.MetadataValue.int(int(everyone.isin(frame["user"]).sum())),
            "items_in_model": dg.MetadataValue.int(len(ease.items)),
            "interactions": dg.MetadataValue.int(len(frame)),
            "popularity_fallback_share": dg.MetadataValue.float(round(fallback_share, 4)),
            **measurement_metadata("model_loading", loading),
            **measurement_metadata("scoring", scoring),
        },
    )


def _with_product_details(recommendations: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    details = catalog.set_index("product_key")[["business_line", "product_name", "category"]]
    frame = recommendations.rename(columns={"user": "customer_key", "item": "product_key"}).join(
        details, on="product_key"
    )
    frame = frame.rename(columns={"category": "genre"})
    frame["rank"] = frame["rank"].astype("int64")
    return frame[schema_columns(USER_RECOMMENDATIONS_SCHEMA)]


@dg.asset_check(
    asset=user_recommendations,
    description="One product per customer, scope and rank; a product at most once in a list; "
    "at most 10 per list.",
)
def user_recommendations_grain(user_recommendations: pd.DataFrame) -> dg.AssetCheckResult:
    return grain_result(
        user_recommendations,
        ["customer_key", "scope", "rank"],
        {
            "products repeated within a list": duplicates(
                user_recommendations, ["customer_key", "scope", "product_key"]
            ),
            "ranks beyond the list length": int((user_recommendations["rank"] > TOP_N).sum()),
        },
    )
