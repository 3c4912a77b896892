"""Similar items, "people who engaged with this also engaged with": neighbours by shared customers."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.common import (
    RECOMMENDATIONS,
    TOP_N,
    grain_result,
    measurement_metadata,
    recommendable_products,
    schema_columns,
    table_input,
    table_metadata,
)
from vision_assets.recommendations.assets.weighted_interactions import (
    TASTE,
    for_models,
    weighted_interactions_input,
)
from vision_assets.recommendations.collaborative import similar_items
from vision_assets.recommendations.measurement import measure
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

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
        "product_key": TASTE,
        "rank": TASTE,
        "similar_product_key": TASTE,
        "similarity": TASTE,
        "shared_customers": TASTE,
        "business_line": ["marts.dim_product.business_line"],
        "similar_business_line": ["marts.dim_product.business_line"],
        "product_name": ["marts.dim_product.product_name"],
        "similar_product_name": ["marts.dim_product.product_name"],
    }
)


@dg.asset(
    key=["recommendations", "similar_items"],
    metadata={"dagster/column_schema": SIMILAR_ITEMS_SCHEMA, "dagster/column_lineage": SIMILAR_ITEMS_LINEAGE},
    ins={
        "interactions": weighted_interactions_input(),
        "products": table_input(
            "marts.dim_product", ["product_key", "business_line", "product_name", "product_type"]
        ),
    },
    kinds={"python", "scipy"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def similar_items_asset(
    context: dg.AssetExecutionContext,
    interactions: pd.DataFrame,
    products: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """ "People who engaged with this also engaged with": for every product, the 10 products whose customers
    overlap most with its own, in any business line (a fantasy novel's neighbours can be fantasy films).

    Similarity is the cosine of the two products' customer sets (from weighted_interactions), shrunk towards
    0 for small audiences so two items sharing one customer do not look alike; pairs need at least 2 shared
    customers, so a product with a single customer has no neighbours yet. Built from all history, rebuilt
    whole every day.
    """
    with measure() as building:
        neighbours = similar_items(for_models(interactions), k=TOP_N)
    details = recommendable_products(products).set_index("product_key")[["business_line", "product_name"]]
    frame = neighbours.rename(columns={"item": "product_key", "similar_item": "similar_product_key"})
    frame = frame.join(details, on="product_key").join(
        details.rename(
            columns={"business_line": "similar_business_line", "product_name": "similar_product_name"}
        ),
        on="similar_product_key",
    )
    frame = frame[schema_columns(SIMILAR_ITEMS_SCHEMA)]
    cross_line = frame["business_line"] != frame["similar_business_line"]
    return dg.Output(
        frame,
        metadata={
            **table_metadata(frame, SIMILAR_ITEMS_SCHEMA),
            "products_with_neighbours": dg.MetadataValue.int(int(frame["product_key"].nunique())),
            "cross_line_share": dg.MetadataValue.float(
                round(float(cross_line.mean()), 4) if len(frame) else 0.0
            ),
            **measurement_metadata("building", building),
        },
    )


@dg.asset_check(
    asset=similar_items_asset,
    description="One neighbour per product and rank, never the product itself.",
)
def similar_items_grain(similar_items: pd.DataFrame) -> dg.AssetCheckResult:
    return grain_result(
        similar_items,
        ["product_key", "rank"],
        {
            "products listed as their own neighbour": int(
                (similar_items["product_key"] == similar_items["similar_product_key"]).sum()
            )
        },
    )
