"""From scored pairs to customers: the threshold, the connected accounts, and keys that stay put.

Plain pandas and SciPy on the pairs table, so any scorer's output can be clustered the same way.
"""

import hashlib
from collections import deque

import numpy as np
import pandas as pd

# A false merge (a stranger's spend in one's history) costs more than a missed link (one person seen as
# two): the threshold maximises the expected F-beta with beta 0.5, in which a false link costs four times
# (1 / beta^2) what a missed link does.
PRECISION_WEIGHT_BETA = 0.5
CANDIDATE_THRESHOLDS = np.round(np.arange(0.50, 0.9951, 0.005), 3)


def choose_threshold(probabilities: pd.Series) -> tuple[float, dict[str, float]]:
    """The match threshold that the model's own probabilities expect to serve best, with its expectations.

    A pair scored p is a true link with probability p (that is what a calibrated model's p means), so
    above a threshold t the expected true links are the sum of p and the expected false links the sum of
    1 - p, and below it the expected missed links are the sum of p. No labels are used.
    """
    values = np.sort(probabilities.to_numpy(dtype=float))
    total_true = values.sum()
    beta2 = PRECISION_WEIGHT_BETA**2
    best: tuple[float, float, dict[str, float]] | None = None
    for threshold in CANDIDATE_THRESHOLDS:
        above = values[np.searchsorted(values, threshold):]
        true_links = above.sum()
        false_links = len(above) - true_links
        missed = total_true - true_links
        denominator = (1 + beta2) * true_links + beta2 * missed + false_links
        score = (1 + beta2) * true_links / denominator if denominator else 0.0
        if best is None or score > best[1]:
            best = (float(threshold), score, {
                "expected_precision": float(true_links / len(above)) if len(above) else 1.0,
                "expected_recall": float(true_links / total_true) if total_true else 1.0,
                "expected_false_links": float(false_links),
                "expected_missed_links": float(missed),
            })
    assert best is not None
    return best[0], best[2]


def customer_key_of(account_key) -> str:
    """The key a customer takes from its anchor account: md5 of the account key as text, as dbt's surrogate_key."""
    return hashlib.md5(str(account_key).encode()).hexdigest()


def cluster_accounts(
    accounts: pd.DataFrame, links: pd.DataFrame, *, one_account_per_business: bool = False
) -> pd.DataFrame:
    """One customer per group of accounts joined by ``links`` (account_key_l, account_key_r, match_probability).

    Links are taken strongest first (Kruskal's algorithm), so every customer is held together by its
    strongest chain of links. With ``one_account_per_business``, a link that would put two accounts of
    one business into one customer is refused: a false link between two namesakes then cannot merge
    their whole histories, which is where most of a threshold's false merges come from.

    Returns account_key, customer_key, anchor_account_key and match_probability for every account.

    * The anchor is the group's first account to sign up (ties by account_key), and the customer key is
      derived from it: a later account joining keeps the key, a merge keeps the older customer's key,
      and the same accounts always give the same keys.
    * match_probability is the weakest link on the chain that joined the account to its anchor: how sure
      the resolution is that this account belongs here. It is empty for the anchor itself.
    """
    ordered = accounts[["account_key", "business_line", "signed_up_at"]].sort_values(
        ["signed_up_at", "account_key"], na_position="last", kind="stable").reset_index(drop=True)
    keys = ordered["account_key"].to_numpy()
    index = pd.Index(keys)
    strongest_first = links.sort_values(
        ["match_probability", "account_key_l", "account_key_r"], ascending=[False, True, True], kind="stable")
    left = index.get_indexer(strongest_first["account_key_l"])
    right = index.get_indexer(strongest_first["account_key_r"])
    if (left < 0).any() or (right < 0).any():
        raise ValueError("links name accounts that are not among the accounts")
    probability = strongest_first["match_probability"].to_numpy(dtype=float)
    lines = ordered["business_line"].to_numpy(dtype=object) if one_account_per_business else None
    forest = _strongest_forest(len(keys), left, right, probability, lines)
    anchor_position, weakest = _anchors_and_weakest_links(len(keys), forest)
    result = pd.DataFrame({
        "account_key": keys,
        "anchor_account_key": keys[anchor_position],
        "match_probability": weakest,
    })
    anchors = result["anchor_account_key"].unique()
    result["customer_key"] = result["anchor_account_key"].map({key: customer_key_of(key) for key in anchors})
    return result[["account_key", "customer_key", "anchor_account_key", "match_probability"]]


def _strongest_forest(size, left, right, probability, lines) -> list[tuple[int, int, float]]:
    """The links Kruskal's algorithm keeps, strongest first: each joins two customers not yet joined.

    Written out rather than taken from SciPy because the business-line rule must be checked against the
    customers as they grow, which no library's spanning-tree routine allows.
    """
    parent = list(range(size))
    # An account of no known business cannot clash with another.
    lines_of = [set() if pd.isna(line) else {line} for line in lines] if lines is not None else None

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    kept = []
    for a, b, p in zip(left.tolist(), right.tolist(), probability.tolist()):
        root_a, root_b = root(a), root(b)
        if root_a == root_b:
            continue
        if lines_of is not None:
            if lines_of[root_a] & lines_of[root_b]:
                continue
            lines_of[root_b] |= lines_of[root_a]
            lines_of[root_a] = set()
        parent[root_a] = root_b
        kept.append((a, b, p))
    return kept


def _anchors_and_weakest_links(size: int, forest: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Each account's anchor (the lowest position, i.e. first sign-up, in its tree) and weakest link to it."""
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for a, b, p in forest:
        neighbours.setdefault(a, []).append((b, p))
        neighbours.setdefault(b, []).append((a, p))
    anchor = np.arange(size)
    weakest = np.full(size, np.nan)
    # Positions follow sign-up order, so walking positions upwards meets each tree first at its anchor.
    for start in sorted(neighbours):
        if anchor[start] != start or not np.isnan(weakest[start]):
            continue
        queue = deque([start])
        seen = {start}
        while queue:
            node = queue.popleft()
            for neighbour, link in neighbours[node]:
                if neighbour in seen:
                    continue
                seen.add(neighbour)
                anchor[neighbour] = start
                weakest[neighbour] = link if node == start else min(weakest[node], link)
                queue.append(neighbour)
    return anchor, weakest


def with_current_customers(frame: pd.DataFrame, bridge: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``customer_key`` set from ``bridge`` (account_key, customer_key) by its ``account_key``.

    A daily fact carries the customer key of the day it was built. When later evidence merged two
    customers, or split one, the account's customer is another now: through the bridge, the fact's
    history follows the person either way. A fact whose account the bridge does not know keeps its key.
    """
    current = bridge.drop_duplicates("account_key").set_index("account_key")["customer_key"]
    now = frame["account_key"].map(current)
    return frame.assign(customer_key=now.where(now.notna(), frame["customer_key"]))
