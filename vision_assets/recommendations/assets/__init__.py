"""Recommendations, customer segments and churn scores as Dagster assets, one module per asset.

Each asset is a thin wrapper: it reads warehouse tables through the IO manager (DuckDB or Snowflake
alike), hands pandas frames to a plain module of this package, and returns the result for the IO manager
to write to the ``recommendations`` or ``analytics`` schema. The assets are unpartitioned and rebuilt whole
(daily, by the automation policies) from all history, because a recommender or a churn model learns from
everything that happened, not one day. Model quality is recorded in each materialization's metadata, so
the UI plots it over time, and judged by asset checks.

The recommender is a pipeline of small assets::

    marts facts ─► weighted_interactions ─┬─► collaborative_filtering_model ─► user_recommendations
                                          ├─────────────────────────────────────────┘
                                          ├─► recommender_evaluation (check: beats_popularity_baseline)
                                          ├─► popular_items
                                          └─► similar_items

Both model assets call ``fit_recommender`` (``vision_assets.recommendations.recommender``): it chooses the
EASE penalty and dropout on a validation split of the data it is given (about 11 validation fits on the
earlier part, a separate cost), then fits the model once. The production model is fitted once per run, in
``collaborative_filtering_model``; ``user_recommendations`` scores with the stored model and trains
nothing. ``recommender_evaluation`` runs the same recipe, choice included, on the days before its holdout,
which is what a holdout evaluation is. ``customer_segments`` and ``churn_scores`` read the marts directly.
"""

from vision_assets.recommendations.assets.churn_scores import churn_scores, churn_scores_grain
from vision_assets.recommendations.assets.collaborative_filtering_model import collaborative_filtering_model
from vision_assets.recommendations.assets.customer_segments import customer_segments, customer_segments_grain
from vision_assets.recommendations.assets.popular_items import popular_items, popular_items_grain
from vision_assets.recommendations.assets.recommender_evaluation import (
    beats_popularity_baseline,
    recommender_evaluation,
)
from vision_assets.recommendations.assets.similar_items import similar_items_asset, similar_items_grain
from vision_assets.recommendations.assets.user_recommendations import (
    user_recommendations,
    user_recommendations_grain,
)
from vision_assets.recommendations.assets.weighted_interactions import weighted_interactions

recommendation_assets = [
    weighted_interactions,
    collaborative_filtering_model,
    user_recommendations,
    recommender_evaluation,
    popular_items,
    similar_items_asset,
    customer_segments,
    churn_scores,
]

recommendation_checks = [
    beats_popularity_baseline,
    popular_items_grain,
    user_recommendations_grain,
    similar_items_grain,
    customer_segments_grain,
    churn_scores_grain,
]
