"""fit_recommender, the production recommender as a pure function, on synthetic implicit feedback: the shape
of what it returns, what it never recommends, how it treats sparse data and strangers, and that it beats
popularity where there are tastes to learn."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.recommendations import Recommender, fit_recommender
from vision_assets.recommendations.evaluation import evaluate_rankings, time_holdout
from vision_assets.recommendations.popularity import PopularityRecommender

from .conftest import interactions, planted_tastes

K = 10


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return planted_tastes(customers=240)


@pytest.fixture(scope="module")
def fitted(population) -> Recommender:
    return fit_recommender(population)


def test_every_user_gets_k_new_items_ranked_1_to_k(population, fitted):
    users = population["user"].unique()
    lists = fitted.recommend(users, K)
    assert list(lists.columns) == ["user", "rank", "item", "score"]
    assert lists["user"].dtype == population["user"].dtype and lists["item"].dtype == population["item"].dtype
    assert (lists.groupby("user").size() == K).all() and set(lists["user"]) == set(users)
    assert lists.groupby("user")["rank"].apply(list).map(list(range(1, K + 1)).__eq__).all()
    assert lists.merge(population[["user", "item"]], on=["user", "item"]).empty  # nothing already seen
    assert not lists.duplicated(["user", "item"]).any()
    falling = lists.groupby("user")["score"].apply(lambda scores: scores.is_monotonic_decreasing)
    assert falling.all()
    assert list(pd.unique(lists["user"])) == list(users)  # in the order asked


def test_it_learns_the_planted_tastes_and_beats_popularity_on_later_days(population):
    split = time_holdout(population, holdout_days=7)
    users = split.truth["user"].unique()
    model = evaluate_rankings(fit_recommender(split.train).recommend(users, K), split.truth, K)
    baseline = evaluate_rankings(PopularityRecommender().fit(split.train).recommend(users, K), split.truth, K)
    assert model.users == baseline.users > 150
    assert model.ndcg > 2 * baseline.ndcg and model.recall > 2 * baseline.recall


def test_the_model_is_fitted_with_the_chosen_settings(fitted):
    assert (fitted.ease.l2, fitted.ease.dropout) == (fitted.tuning.chosen.l2, fitted.tuning.chosen.dropout)
    assert len(fitted.tuning.trials) >= 10


def test_strangers_get_the_popular_items_below_every_personal_score(population, fitted):
    lists = fitted.recommend(["stranger", 0], K)
    stranger = lists[lists["user"] == "stranger"]
    popular = PopularityRecommender().fit(population).recommend(["stranger"], K)
    assert stranger["item"].tolist() == popular["item"].tolist()
    assert (stranger["score"] < 0).all() and (lists[lists["user"] == 0]["score"] > 0).all()
    with pytest.raises(ValueError):
        fitted.recommend([0], k=0)


def test_sparse_data_users_and_items_with_one_interaction_and_unix_seconds():
    """Three people, a handful of items, Unix seconds for times: too little to validate on, so the
    default settings, and every list still as full as the unseen items allow."""
    frame = interactions([("a", "x"), ("a", "y"), ("b", "y"), ("b", "z"), ("c", "w")])
    frame["occurred_at"] = frame["occurred_at"].astype("int64") // 10**9
    fitted = fit_recommender(frame)
    assert fitted.tuning.reason
    lists = fitted.recommend(["a", "b", "c", "nobody"], k=10)
    per_user = lists.groupby("user")["item"].apply(set).to_dict()
    assert per_user["a"] == {"z", "w"} and per_user["c"] == {"x", "y", "z"}
    assert per_user["nobody"] == {"w", "x", "y", "z"}
    assert fit_recommender(interactions([])).recommend(["anyone"], K).empty


def test_the_same_data_give_the_same_recommendations(population, fitted):
    again = fit_recommender(population.sample(frac=1.0, random_state=2))
    users = population["user"].unique()[:20]
    pd.testing.assert_frame_equal(again.recommend(users, K), fitted.recommend(users, K))
    np.testing.assert_array_equal(again.model.weights, fitted.model.weights)
