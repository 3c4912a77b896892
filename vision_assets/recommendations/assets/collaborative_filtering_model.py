"""The production recommender model, fitted once per run and stored as a warehouse table.

How the model travels: EASE learns one items x items matrix ``B`` (15,000 x 15,000 float32 at most, 0.9 GB).
As one row per pair of items it would be 225 million rows, too many to write and read back every day; as
one row per item, with that item's row of ``B`` in a binary column (float32, little-endian), it is 15,000
rows holding exactly the bytes of the matrix. So the model is an ordinary table written through the
warehouse IO manager (DuckDB or Snowflake alike): it is replaced in one transaction like every other
table, and ``user_recommendations`` can read it in another process, run or day. The customers' histories
are not part of the model: the recommendations read them from ``weighted_interactions``.

The price, measured on DuckDB with a 15,000-product model: the write takes about 30 s with a 3.4 GB peak,
the read about 15 s with a 2.3 GB peak. A file beside the warehouse would cost less memory, but it would
be a second store to deploy, back up and share between the processes that run the assets.
"""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.common import (
    RECOMMENDATIONS,
    measurement_metadata,
    schema_columns,
    table_metadata,
)
from vision_assets.recommendations.assets.weighted_interactions import (
    KEY as INTERACTIONS_KEY,
    TASTE,
    for_models,
    weighted_interactions_input,
)
from vision_assets.recommendations.collaborative import (
    DEFAULT_L2,
    DEFAULT_MAX_ITEMS,
    EaseModel,
    EaseRecommender,
)
from vision_assets.recommendations.measurement import measure
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

KEY = "recommendations.collaborative_filtering_model"

MODEL_SCHEMA = declared_schema(
    {
        "product_key": (
            "varchar",
            "A product the model knows: one of the 15,000 products with the most customers.",
        ),
        "model_position": (
            "bigint",
            "The product's row and column in the model's item-item matrix (0 first).",
        ),
        "training_customers": (
            "bigint",
            "Customers who had engaged with the product when the model was fitted.",
        ),
        "item_weights": (
            "binary",
            "The product's row of the item-item matrix: how much having engaged with it adds to the score "
            "of every product of the model, one float32 (little-endian) per product in model_position "
            "order. Read by user_recommendations; not meant for SQL.",
        ),
    }
)
MODEL_LINEAGE = declared_lineage(
    {
        "product_key": [f"{INTERACTIONS_KEY}.product_key", f"{INTERACTIONS_KEY}.customer_key"],
        "model_position": [f"{INTERACTIONS_KEY}.product_key", f"{INTERACTIONS_KEY}.customer_key"],
        "training_customers": [f"{INTERACTIONS_KEY}.product_key", f"{INTERACTIONS_KEY}.customer_key"],
        "item_weights": TASTE,
    }
)
# EaseModel.to_rows' columns -> the table's.
_STORED = {
    "item": "product_key",
    "position": "model_position",
    "customers": "training_customers",
    "weights": "item_weights",
}


class EaseRecipe(dg.Config):
    """How EASE is fitted: the L2 penalty and how many of the most used products enter the model. The
    model and its holdout evaluation take the same recipe, so the evaluation judges what is served."""

    l2: float = DEFAULT_L2
    max_items: int = DEFAULT_MAX_ITEMS


def fit_recipe(recipe: EaseRecipe, interactions: pd.DataFrame) -> EaseRecommender:
    return EaseRecommender(l2=recipe.l2, max_items=recipe.max_items).fit(interactions)


def model_table(model: EaseModel) -> pd.DataFrame:
    return model.to_rows().rename(columns=_STORED)


def model_from_table(table: pd.DataFrame) -> EaseModel:
    return EaseModel.from_rows(table.rename(columns={stored: name for name, stored in _STORED.items()}))


@dg.asset(
    key=KEY.split("."),
    metadata={"dagster/column_schema": MODEL_SCHEMA, "dagster/column_lineage": MODEL_LINEAGE},
    ins={"interactions": weighted_interactions_input()},
    kinds={"python", "scipy"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def collaborative_filtering_model(
    context: dg.AssetExecutionContext, config: EaseRecipe, interactions: pd.DataFrame
) -> dg.Output[pd.DataFrame]:
    """The collaborative filter behind user_recommendations: which products go together, learned from every
    customer's weighted interactions across all four businesses, fitted once per run on all history.

    It is EASE (Steck 2019), an item-to-item model: for each pair of products, how much having engaged with
    one makes the other likely. Only the 15,000 products with the most customers enter it; the rest are
    still reached through similar_items and the popularity lists. One row per product; its weights are
    stored as bytes (see item_weights). How well this recipe predicts is measured by recommender_evaluation; the
    training time and memory are in the metadata.
    """
    frame = for_models(interactions)
    with measure() as training:
        recommender = fit_recipe(config, frame)
    table = model_table(recommender.model)
    return dg.Output(
        table[schema_columns(MODEL_SCHEMA)],
        metadata={
            **table_metadata(table, MODEL_SCHEMA),
            "items_in_model": dg.MetadataValue.int(len(recommender.items)),
            "customers_in_model": dg.MetadataValue.int(len(recommender.history.users)),
            "interactions": dg.MetadataValue.int(len(frame)),
            "trained_through": dg.MetadataValue.text(
                str(frame["occurred_at"].max().date()) if len(frame) else "none"
            ),
            "l2": dg.MetadataValue.float(config.l2),
            "max_items": dg.MetadataValue.int(config.max_items),
            "stored_mb": dg.MetadataValue.float(round(len(recommender.items) ** 2 * 4 / 2**20, 1)),
            **measurement_metadata("training", training),
        },
    )
