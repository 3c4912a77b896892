"""The ranking metrics against hand-computed values, and the time-based holdout."""

import math

import pandas as pd
import pytest

from vision_assets.recommendations.evaluation import (
    evaluate_rankings,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    time_holdout,
)

from .conftest import interactions


def test_metrics_match_the_hand_computed_values():
    recommended, relevant = ["a", "b", "c", "d"], {"b", "d", "e"}
    assert precision_at_k(recommended, relevant, 4) == 0.5  # 2 hits of 4
    assert recall_at_k(recommended, relevant, 4) == pytest.approx(2 / 3)  # 2 of 3 relevant found
    # hits at ranks 2 and 4: 1/log2(3) + 1/log2(5); the best possible puts 3 hits at ranks 1-3
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(recommended, relevant, 4) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(recommended, relevant, 4) == pytest.approx(0.49819, abs=1e-5)


def test_a_short_list_is_still_divided_by_k_and_a_perfect_list_scores_one():
    assert precision_at_k(["b"], {"b"}, 10) == 0.1
    assert recall_at_k(["b"], {"b"}, 10) == 1.0
    assert ndcg_at_k(["b", "x"], {"b"}, 10) == 1.0
    assert ndcg_at_k([], {"b"}, 10) == 0.0
    assert recall_at_k(["b"], set(), 10) == 0.0


def test_evaluation_averages_over_customers_and_counts_a_missing_list_as_zero():
    recommendations = pd.DataFrame(
        {
            "user": ["u1", "u1", "u2"],
            "item": ["a", "b", "z"],
            "rank": [1, 2, 1],
        }
    )
    truth = pd.DataFrame({"user": ["u1", "u2", "u3"], "item": ["a", "y", "q"]})
    metrics = evaluate_rankings(recommendations, truth, 2)
    assert metrics.users == 3
    assert metrics.precision == pytest.approx((1 / 2 + 0 + 0) / 3)
    assert metrics.recall == pytest.approx((1 + 0 + 0) / 3)
    assert metrics.ndcg == pytest.approx((1 + 0 + 0) / 3)
    assert evaluate_rankings(recommendations, truth.iloc[0:0], 2).users == 0


def test_holdout_cuts_at_midnight_and_keeps_only_new_items_of_known_customers():
    day1 = interactions([("u1", "a"), ("u2", "a")], day=pd.Timestamp("2026-10-01"))
    day2 = interactions([("u1", "a"), ("u1", "b"), ("newcomer", "c")], day=pd.Timestamp("2026-10-02 20:00"))
    split = time_holdout(pd.concat([day1, day2]), holdout_days=1)
    assert split.cutoff == pd.Timestamp("2026-10-02")
    assert len(split.train) == 2 and len(split.test) == 3
    # u1 already had a; the newcomer had no history to learn from; u2 did nothing new
    assert split.truth.values.tolist() == [["u1", "b"]]


def test_holdout_of_nothing_is_empty():
    split = time_holdout(interactions([]), holdout_days=7)
    assert split.train.empty and split.test.empty and split.truth.empty
    with pytest.raises(ValueError):
        time_holdout(interactions([]), holdout_days=0)
