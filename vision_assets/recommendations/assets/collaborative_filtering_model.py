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
    TOP_N,
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
from vision_assets.recommendations.collaborative import DEFAULT_MAX_ITEMS, EaseModel
from vision_assets.recommendations.measurement import measure
from vision_assets.recommendations.recommender import Recommender, fit_recommender
from vision_assets.recommendations.tuning import VALIDATION_SHARE, Tuning
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


class RecommenderRecipe(dg.Config):
    """How the recommender is fitted: how many of the most used products enter the model, and the share
    of the latest interactions its settings are chosen on. The model and its holdout evaluation take the
    same recipe, so the evaluation judges what is served."""

    max_items: int = DEFAULT_MAX_ITEMS
    validation_share: float = VALIDATION_SHARE


def fit_recipe(recipe: RecommenderRecipe, interactions: pd.DataFrame) -> Recommender:
    return fit_recommender(
        interactions, k=TOP_N, max_items=recipe.max_items, validation_share=recipe.validation_share
    )


_TRIAL_COLUMNS = {
    "step": ("string", "penalty (plain EASE) or dropout (EDLAE at the chosen penalty)."),
    "l2": ("float", "The L2 penalty."),
    "dropout": ("float", "The EDLAE dropout; 0 is plain EASE."),
    "ndcg_at_k": ("float", "NDCG@10 on the validation days."),
    "recall_at_k": ("float", "Recall@10 on the validation days."),
    "precision_at_k": ("float", "Precision@10 on the validation days."),
    "chosen": ("bool", "The settings the model was fitted with."),
}
_METRICS = ("ndcg_at_k", "recall_at_k", "precision_at_k")


def tuning_metadata(tuning: Tuning) -> dict[str, dg.MetadataValue]:
    """The chosen settings, every validation trial in the order tried, and a summary with the penalty's
    curve, for the UI."""
    table = tuning.table()
    records = [
        dg.TableRecord(
            {
                **row,
                "l2": float(row["l2"]),
                "dropout": float(row["dropout"]),
                **{metric: round(float(row[metric]), 5) for metric in _METRICS},
                "chosen": bool(row["chosen"]),
            }
        )
        for row in table.to_dict("records")
    ]
    chosen = table[table["chosen"]]
    return {
        "l2": dg.MetadataValue.float(tuning.chosen.l2),
        "dropout": dg.MetadataValue.float(tuning.chosen.dropout),
        "validation_curve": dg.MetadataValue.table(
            records,
            schema=dg.TableSchema(
                columns=[
                    dg.TableColumn(name, kind, description=description)
                    for name, (kind, description) in _TRIAL_COLUMNS.items()
                ]
            ),
        ),
        "validation_ndcg_at_k": dg.MetadataValue.float(
            round(float(chosen["ndcg_at_k"].iloc[0]), 5) if len(chosen) else 0.0
        ),
        "validation_start": dg.MetadataValue.text(str(tuning.validation_start)),
        "validation_customers": dg.MetadataValue.int(tuning.validation_customers),
        "validation_trials": dg.MetadataValue.int(len(table)),
        "validation_seconds": dg.MetadataValue.float(round(tuning.seconds, 2)),
        "tuning": dg.MetadataValue.md(_tuning_summary(tuning)),
    }


def _tuning_summary(tuning: Tuning) -> str:
    if tuning.reason:
        return f"Nothing tried: {tuning.reason} (λ = {tuning.chosen.l2:g}, no dropout)."
    curve = tuning.curve()
    rows = "\n".join(
        f"| {row.l2:g} | {row.ndcg_at_k:.4f} | {row.recall_at_k:.4f} |" for row in curve.itertuples()
    )
    settings = tuning.chosen
    denoising = f"EDLAE dropout {settings.dropout:g}" if settings.dropout else "no dropout (plain EASE)"
    return (
        f"**Chosen: λ = {settings.l2:g}, {denoising}**, by NDCG@{tuning.k} of {tuning.validation_customers} "
        f"customers on the days from {tuning.validation_start.date()}, trained on the "
        f"{tuning.training_interactions} interactions before them ({len(tuning.trials)} fits, "
        f"{tuning.seconds:.0f} s).\n\n"
        f"| λ (dropout 0) | NDCG@{tuning.k} | recall@{tuning.k} |\n|---|---|---|\n{rows}"
    )


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
    context: dg.AssetExecutionContext, config: RecommenderRecipe, interactions: pd.DataFrame
) -> dg.Output[pd.DataFrame]:
    """The collaborative filter behind user_recommendations: which products go together, learned from every
    customer's weighted interactions across all four businesses, fitted once per run on all history.

    It is EASE (Steck 2019), an item-to-item model: for each pair of products, how much having engaged with
    one makes the other likely. Its one main setting, the L2 penalty (how cautious it is with pairs seen
    only a few times), is chosen on every run rather than fixed: the model is fitted on all but the latest
    fifth of the interactions with a range of penalties, and the one whose recommendations best match
    what customers went on to engage with in those latest days wins (NDCG@10); then the same for
    emphasized denoising (EDLAE dropout), kept only if it does better. The metadata holds the chosen
    `l2` and `dropout` and every trial in `validation_curve`. The production model is then fitted once
    with them on all history.

    Only the 15,000 products with the most customers enter it; the rest are still reached through
    similar_items and the popularity lists. One row per product; its weights are stored as bytes (see
    item_weights). How well this recipe predicts on days it never saw is measured by
    recommender_evaluation; the tuning's and the training's time and memory are in the metadata.
    """
    frame = for_models(interactions)
    with measure() as training:
        recommender = fit_recipe(config, frame)
    table = model_table(recommender.model)
    return dg.Output(
        table[schema_columns(MODEL_SCHEMA)],
        metadata={
            **table_metadata(table, MODEL_SCHEMA),
            "items_in_model": dg.MetadataValue.int(len(recommender.model.items)),
            "customers_in_model": dg.MetadataValue.int(len(recommender.ease.history.users)),
            "interactions": dg.MetadataValue.int(len(frame)),
            "trained_through": dg.MetadataValue.text(
                str(frame["occurred_at"].max().date()) if len(frame) else "none"
            ),
            **tuning_metadata(recommender.tuning),
            "max_items": dg.MetadataValue.int(config.max_items),
            "stored_mb": dg.MetadataValue.float(round(len(recommender.model.items) ** 2 * 4 / 2**20, 1)),
            **measurement_metadata("training", training),
        },
    )
