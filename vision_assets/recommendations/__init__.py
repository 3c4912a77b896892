"""Recommendations, customer segments and churn: the algorithms as plain modules (``interactions``,
``collaborative``, ``popularity``, ``ranking``, ``evaluation``, ``tuning``, ``recommender``, ``segments``,
``churn``), testable without Dagster, and the thin assets around them in ``assets``.

``fit_recommender(interactions)`` is the production recommender as one pure function: it chooses its
settings on a validation split of the data, fits, and returns a model whose ``recommend(users, k)`` gives
``user``, ``rank``, ``item``, ``score`` rows."""

from vision_assets.recommendations.recommender import Recommender, fit_recommender

__all__ = ["Recommender", "fit_recommender"]
