"""How well the recommender predicts: the holdout evaluation as its own asset, and the check on it."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations.assets.collaborative_filtering_model import (
    RecommenderRecipe,
    fit_recipe,
    tuning_metadata,
)
from vision_assets.recommendations.assets.common import (
    RECOMMENDATIONS,
    TOP_N,
    measurement_metadata,
    schema_columns,
    table_metadata,
)
from vision_assets.recommendations.assets.weighted_interactions import (
    INTERACTIONS,
    TIMES,
    for_models,
    weighted_interactions_input,
)
from vision_assets.recommendations.evaluation import RankingMetrics, evaluate_rankings, time_holdout
from vision_assets.recommendations.measurement import measure
from vision_assets.recommendations.popularity import PERSONAL_SOURCE, PopularityRecommender
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

HOLDOUT_DAYS = 7
BASELINE = "popularity"

RECOMMENDER_EVALUATION_SCHEMA = declared_schema(
    {
        "recommender": (
            "varchar",
            "collaborative_filtering (the recipe of collaborative_filtering_model) or popularity (the "
            "baseline: the most popular items of the last 28 days before the holdout).",
        ),
        "k": ("bigint", "How many recommendations per customer were judged (the list length)."),
        "precision_at_k": ("double", "Share of the k recommendations the customer went on to engage with."),
        "recall_at_k": ("double", "Share of the customer's new items in the holdout that were among the k."),
        "ndcg_at_k": (
            "double",
            "Hits discounted by their rank, against the best possible list: 1 = perfect order.",
        ),
        "evaluated_customers": (
            "bigint",
            "Customers with history before the holdout who engaged with something new during it.",
        ),
        "holdout_start": ("date", "First day held out (UTC): the models learned only from the days before."),
        "holdout_end": ("date", "Last day held out (UTC): the latest day with data."),
    }
)
_METRIC = INTERACTIONS
RECOMMENDER_EVALUATION_LINEAGE = declared_lineage(
    {
        "recommender": [],
        "k": [],
        "precision_at_k": _METRIC,
        "recall_at_k": _METRIC,
        "ndcg_at_k": _METRIC,
        "evaluated_customers": _METRIC,
        "holdout_start": TIMES,
        "holdout_end": TIMES,
    }
)


class EvaluationConfig(RecommenderRecipe):
    k: int = TOP_N
    holdout_days: int = HOLDOUT_DAYS


def _metric_metadata(prefix: str, metrics: RankingMetrics) -> dict[str, dg.MetadataValue]:
    return {key: dg.MetadataValue.float(round(value, 5)) for key, value in metrics.as_dict(prefix).items()}


@dg.asset(
    key=["recommendations", "recommender_evaluation"],
    metadata={
        "dagster/column_schema": RECOMMENDER_EVALUATION_SCHEMA,
        "dagster/column_lineage": RECOMMENDER_EVALUATION_LINEAGE,
    },
    ins={"interactions": weighted_interactions_input()},
    kinds={"python", "scipy"},
    **RECOMMENDATIONS,
)
@final_unless_transient
def recommender_evaluation(
    context: dg.AssetExecutionContext, config: EvaluationConfig, interactions: pd.DataFrame
) -> dg.Output[pd.DataFrame]:
    """Would the recommendations have been right? The collaborative filter against the popularity
    baseline on the last 7 days of data, one row per recommender: precision@10, recall@10 and NDCG@10.

    This is a holdout evaluation: the same recipe as collaborative_filtering_model is run again on the
    interactions before the last 7 days only, choosing its penalty on the latest of those days exactly as
    the production model does, and the 10 items it would serve each customer (its own picks, topped up
    from the popular items) are compared with what that customer went on to engage with for the first
    time in the 7 held-out days. Those days are never used to choose the settings, so the figures are
    what a model chosen this way achieves on days it never saw. The served model cannot be judged this
    way, as it has already seen those days. The popularity baseline is fitted on the same days. The check
    beats_popularity_baseline fails if the collaborative filter does not win. The metadata holds the
    metrics, the settings chosen and their validation curve; rebuilt whole every day, so the UI plots
    them over time.
    """
    k = config.k
    split = time_holdout(for_models(interactions), config.holdout_days)
    evaluated_users = split.truth["user"].unique()
    with measure() as training:
        holdout_model = fit_recipe(config, split.train)
    model_metrics = evaluate_rankings(holdout_model.recommend(evaluated_users, k), split.truth, k)
    baseline_metrics = evaluate_rankings(
        PopularityRecommender().fit(split.train).recommend(evaluated_users, k), split.truth, k
    )
    holdout_end = split.test["occurred_at"].max() if len(split.test) else pd.NaT
    table = pd.DataFrame(
        {
            "recommender": [PERSONAL_SOURCE, BASELINE],
            "k": k,
            "precision_at_k": [model_metrics.precision, baseline_metrics.precision],
            "recall_at_k": [model_metrics.recall, baseline_metrics.recall],
            "ndcg_at_k": [model_metrics.ndcg, baseline_metrics.ndcg],
            "evaluated_customers": [model_metrics.users, baseline_metrics.users],
            "holdout_start": pd.to_datetime(split.cutoff),
            "holdout_end": pd.to_datetime(holdout_end).normalize(),
        }
    )[schema_columns(RECOMMENDER_EVALUATION_SCHEMA)]
    return dg.Output(
        table,
        metadata={
            **table_metadata(table, RECOMMENDER_EVALUATION_SCHEMA),
            **_metric_metadata("cf", model_metrics),
            **_metric_metadata("popularity", baseline_metrics),
            "k": dg.MetadataValue.int(k),
            "holdout_days": dg.MetadataValue.int(config.holdout_days),
            "holdout_cutoff": dg.MetadataValue.text(str(split.cutoff)),
            "evaluated_customers": dg.MetadataValue.int(model_metrics.users),
            "training_interactions": dg.MetadataValue.int(len(split.train)),
            "items_in_model": dg.MetadataValue.int(len(holdout_model.model.items)),
            **tuning_metadata(holdout_model.tuning),
            **measurement_metadata("training", training),
        },
    )


@dg.asset_check(
    asset=recommender_evaluation,
    description="On the time-based holdout, the collaborative filter's NDCG@10 and precision@10 are above "
    "the popularity baseline's.",
)
def beats_popularity_baseline(recommender_evaluation: pd.DataFrame) -> dg.AssetCheckResult:
    by_recommender = recommender_evaluation.set_index("recommender")
    model, baseline = by_recommender.loc[PERSONAL_SOURCE], by_recommender.loc[BASELINE]
    evaluated, k = int(model["evaluated_customers"]), int(model["k"])
    beats = (
        evaluated > 0
        and model["ndcg_at_k"] > baseline["ndcg_at_k"]
        and model["precision_at_k"] > baseline["precision_at_k"]
    )
    return dg.AssetCheckResult(
        passed=bool(beats),
        severity=dg.AssetCheckSeverity.ERROR if evaluated else dg.AssetCheckSeverity.WARN,
        description=(
            f"NDCG@{k}: collaborative filter {model['ndcg_at_k']:.4f} "
            f"vs popularity {baseline['ndcg_at_k']:.4f}; "
            f"precision@{k}: {model['precision_at_k']:.4f} vs {baseline['precision_at_k']:.4f} "
            f"over {evaluated} customers"
            if evaluated
            else "Nothing to evaluate: no customer with history engaged with something new in the held-out "
            f"days from {model['holdout_start']}."
        ),
        metadata={
            "cf_ndcg_at_k": dg.MetadataValue.float(float(model["ndcg_at_k"])),
            "popularity_ndcg_at_k": dg.MetadataValue.float(float(baseline["ndcg_at_k"])),
            "cf_precision_at_k": dg.MetadataValue.float(float(model["precision_at_k"])),
            "popularity_precision_at_k": dg.MetadataValue.float(float(baseline["precision_at_k"])),
            "evaluated_customers": dg.MetadataValue.int(evaluated),
        },
    )
