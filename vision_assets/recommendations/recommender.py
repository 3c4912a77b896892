"""The production recommender as one pure function, whatever model sits behind it.

``fit_recommender(interactions)`` takes any implicit-feedback frame with the columns ``user``, ``item``,
``weight`` and ``occurred_at`` (ids of any hashable type; ``occurred_at`` as timestamps, or numbers read as
Unix seconds), and needs neither Dagster nor the warehouse. It

1. chooses the settings on a validation split by time of that same data (``tuning.choose_settings``: the
   EASE penalty and the EDLAE dropout, judged by NDCG@k on the last days);
2. fits EASE once, with those settings, on all of it (only the ``max_items`` items with the most
   customers enter the model);
3. fits the popularity fallback (the most popular items of the last 28 days).

The returned :class:`Recommender` gives each user ``k`` items they have not interacted with:
``recommend(users, k)`` returns the rows ``user``, ``rank`` (1 = best), ``item``, ``score``. The model's
own picks come first (``score`` > 0: how strongly the user's history points at the item); users it does
not know, and lists it cannot fill with positive scores, get the popular items next (``score`` in
(-1, 0), in popularity order), so scores fall with rank within every list. A list is shorter than ``k``
only when the model's positive scores and the items anyone engaged with in the last 28 days together
hold fewer than ``k`` items the user has not interacted with.

Cost: about 11 validation fits on at most 5,000 items (``tuning``), then one fit on up to ``max_items``,
each an items x items Cholesky inverse. Memory is dominated by the dense Gram matrix, 4 bytes x items²
(0.9 GB at 15,000 items, the default cap; 3.6 GB at 30,000), about twice that at the peak of a fit.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from vision_assets.recommendations.collaborative import DEFAULT_MAX_ITEMS, EaseModel, EaseRecommender
from vision_assets.recommendations.interactions import validate_interactions
from vision_assets.recommendations.popularity import (
    FALLBACK_SOURCE,
    PopularityRecommender,
    fill_with_fallback,
)
from vision_assets.recommendations.tuning import VALIDATION_SHARE, Tuning, choose_settings

RECOMMENDER_COLUMNS = ["user", "rank", "item", "score"]


@dataclass(frozen=True)
class Recommender:
    """A fitted recommender: EASE with the settings ``tuning`` chose, and the popularity fallback."""

    ease: EaseRecommender
    popularity: PopularityRecommender
    tuning: Tuning

    @property
    def model(self) -> EaseModel:
        """The item-item model: what the warehouse stores and ``user_recommendations`` scores with."""
        return self.ease.model

    def recommend(self, users: Iterable, k: int = 10) -> pd.DataFrame:
        """The top ``k`` new items of each of ``users`` (see the module): ``user``, ``rank``, ``item``,
        ``score``, by user in the order given and by rank."""
        if k < 1:
            raise ValueError("k must be at least 1")
        wanted = pd.Index(pd.unique(pd.Series(list(users), dtype=object)))
        lists = fill_with_fallback(
            self.ease.recommend(wanted, k), self.popularity.recommend(wanted, k), k
        )
        from_fallback = lists["source"] == FALLBACK_SOURCE
        top_popularity = float(self.popularity.scores.max()) if len(self.popularity.scores) else 0.0
        lists.loc[from_fallback, "score"] = lists.loc[from_fallback, "score"] / (top_popularity + 1.0) - 1.0
        lists = lists.assign(_order=wanted.get_indexer(lists["user"])).sort_values(
            ["_order", "rank"], kind="stable"
        )
        return pd.DataFrame(
            {
                "user": lists["user"].infer_objects().to_numpy(),
                "rank": lists["rank"].astype("int64").to_numpy(),
                "item": lists["item"].infer_objects().to_numpy(),
                "score": lists["score"].astype(float).to_numpy(),
            },
            columns=RECOMMENDER_COLUMNS,
        )


def fit_recommender(
    interactions: pd.DataFrame,
    *,
    k: int = 10,
    max_items: int = DEFAULT_MAX_ITEMS,
    validation_share: float = VALIDATION_SHARE,
) -> Recommender:
    """The production recommender fitted on ``interactions``, its settings chosen on their last
    ``validation_share`` for lists of ``k`` (see the module)."""
    frame = validate_interactions(interactions)
    tuning = choose_settings(frame, k=k, max_items=max_items, share=validation_share)
    settings = tuning.chosen
    ease = EaseRecommender(l2=settings.l2, dropout=settings.dropout, max_items=max_items).fit(frame)
    return Recommender(ease, PopularityRecommender().fit(frame), tuning)
