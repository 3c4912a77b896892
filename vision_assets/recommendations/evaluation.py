"""How good a recommender is: train on the past, check against what people did next.

A random split would let a model learn from interactions that happened after the ones it is asked to
predict; a time-based holdout does not. Everything before the cut-off trains the model, and the truth is
what each customer engaged with afterwards that they had not engaged with before (a recommender is asked
for something new, and the models exclude what the customer already had).

The metrics are the usual top-k ones, with binary relevance:

* precision@k: share of the k recommendations the customer went on to engage with (hits / k);
* recall@k: share of the customer's new items that were among the k (hits / number of new items);
* NDCG@k: hits discounted by rank (1 / log2(rank + 1)), divided by the best possible for that customer.

Each is averaged over the customers who had history before the cut-off and at least one new item after;
a customer the model returned nothing for counts as zero.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vision_assets.recommendations.interactions import validate_interactions


@dataclass(frozen=True)
class HoldoutSplit:
    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp
    truth: pd.DataFrame  # user, item: the new items each evaluated customer engaged with after the cut-off


@dataclass(frozen=True)
class RankingMetrics:
    precision: float
    recall: float
    ndcg: float
    users: int

    def as_dict(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}_precision_at_k": self.precision,
            f"{prefix}_recall_at_k": self.recall,
            f"{prefix}_ndcg_at_k": self.ndcg,
        }


def time_holdout(interactions: pd.DataFrame, holdout_days: int) -> HoldoutSplit:
    """Split at the start of the last ``holdout_days`` UTC days of the history.

    The cut-off is a midnight, so a day is never split. With no interactions, or a history shorter than
    the holdout, the test side is whatever falls after the cut-off (possibly nothing) and ``truth`` is empty.
    """
    if holdout_days < 1:
        raise ValueError("holdout_days must be at least 1")
    frame = validate_interactions(interactions)
    if frame.empty:
        return split_at(frame, pd.NaT)
    return split_at(frame, frame["occurred_at"].max().normalize() - pd.Timedelta(days=holdout_days - 1))


def split_at(frame: pd.DataFrame, cutoff: pd.Timestamp) -> HoldoutSplit:
    """``frame`` (validated interactions) before ``cutoff`` and from it on, and the truth: the new items
    of the customers with history before it. An empty frame gives an empty split, whatever the cut-off."""
    if frame.empty:
        empty_truth = pd.DataFrame({"user": pd.Series(dtype=object), "item": pd.Series(dtype=object)})
        return HoldoutSplit(frame, frame, cutoff, empty_truth)
    train = frame[frame["occurred_at"] < cutoff]
    test = frame[frame["occurred_at"] >= cutoff]
    seen = train[["user", "item"]].drop_duplicates()
    candidates = test[test["user"].isin(seen["user"])][["user", "item"]].drop_duplicates()
    new = candidates.merge(seen, on=["user", "item"], how="left", indicator=True)
    truth = new[new["_merge"] == "left_only"][["user", "item"]].reset_index(drop=True)
    return HoldoutSplit(train, test, cutoff, truth)


def precision_at_k(recommended: list, relevant: set, k: int) -> float:
    hits = sum(1 for item in recommended[:k] if item in relevant)
    return hits / k


def recall_at_k(recommended: list, relevant: set, k: int) -> float:
    if not relevant:
        return 0.0
    hits = sum(1 for item in recommended[:k] if item in relevant)
    return hits / len(relevant)


def ndcg_at_k(recommended: list, relevant: set, k: int) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1.0 / np.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant)
    ideal = sum(1.0 / np.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return float(dcg / ideal)


def evaluate_rankings(recommendations: pd.DataFrame, truth: pd.DataFrame, k: int) -> RankingMetrics:
    """Mean precision, recall and NDCG at ``k`` over the users in ``truth``.

    ``recommendations`` has ``user``, ``item`` and ``rank`` (1 = best); ``truth`` has ``user`` and ``item``.
    """
    if truth.empty:
        return RankingMetrics(0.0, 0.0, 0.0, 0)
    relevant = truth.groupby("user")["item"].agg(set)
    ranked = recommendations[recommendations["user"].isin(relevant.index)].sort_values(["user", "rank"])
    lists = ranked.groupby("user")["item"].agg(list)
    precision = recall = ndcg = 0.0
    for user, items in relevant.items():
        recommended = lists.get(user, [])
        precision += precision_at_k(recommended, items, k)
        recall += recall_at_k(recommended, items, k)
        ndcg += ndcg_at_k(recommended, items, k)
    users = len(relevant)
    return RankingMetrics(precision / users, recall / users, ndcg / users, users)
