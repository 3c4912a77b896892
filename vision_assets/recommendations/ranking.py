"""What every recommender here shares: the user-item matrix and turning scores into top-k lists.

Scores are computed for a batch of users at a time (a dense batch x items block), so memory stays bounded
by the batch size however many customers there are.

SciPy is imported when a matrix is built, not with this module: the code location imports the
recommenders for their asset definitions, and most of its processes build no matrix.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vision_assets.recommendations.interactions import validate_interactions

if TYPE_CHECKING:
    import scipy.sparse as sp

ALL_ITEMS_SCOPE = "all"
RECOMMENDATION_COLUMNS = ["user", "scope", "rank", "item", "score"]
USER_BATCH_SIZE = 2048


def aggregate_interactions(interactions: pd.DataFrame) -> pd.DataFrame:
    """One row per user and item: the summed weight and the number of interactions.

    Duplicated events are summed here; the matrix dampens the sum (see ``InteractionMatrix``).
    """
    frame = validate_interactions(interactions)
    return frame.groupby(["user", "item"], as_index=False, sort=True).agg(
        weight=("weight", "sum"), interactions=("weight", "size")
    )


@dataclass(frozen=True)
class InteractionMatrix:
    """Users x items, each cell ``log1p`` of the summed interaction weight (0 where there is none).

    The logarithm keeps a track played fifty times from outweighing everything else a listener did,
    while a purchase (5) still counts more than a page view (0.5).
    """

    users: pd.Index
    items: pd.Index
    values: "sp.csr_matrix"

    @classmethod
    def from_interactions(cls, interactions: pd.DataFrame) -> "InteractionMatrix":
        import scipy.sparse as sp  # when a matrix is built (the module's docstring says why)

        pairs = aggregate_interactions(interactions)
        users = pd.Index(pd.unique(pairs["user"]), name="user")
        items = pd.Index(np.sort(pd.unique(pairs["item"])), name="item")
        values = sp.csr_matrix(
            (
                np.log1p(pairs["weight"].to_numpy()).astype(np.float32),
                (users.get_indexer(pairs["user"]), items.get_indexer(pairs["item"])),
            ),
            shape=(len(users), len(items)),
            dtype=np.float32,
        )
        return cls(users, items, values)

    def restricted_to(self, items: pd.Index) -> "InteractionMatrix":
        """The same users over ``items``, in that order; an item this matrix does not hold is an empty column.

        A stored model's items may include one nobody has engaged with in the current history (its only
        interaction withdrawn since), which must not shift the columns of the others.
        """
        import scipy.sparse as sp  # when a matrix is built (the module's docstring says why)

        positions = self.items.get_indexer(items)
        known = np.flatnonzero(positions >= 0)
        selector = sp.csr_matrix(
            (np.ones(len(known), dtype=np.float32), (positions[known], known)),
            shape=(len(self.items), len(items)),
        )
        return InteractionMatrix(self.users, items, (self.values @ selector).tocsr())

    def users_per_item(self) -> np.ndarray:
        return np.diff(self.values.tocsc().indptr)


def scope_columns(items: pd.Index, scopes: Mapping[str, Iterable] | None) -> dict[str, np.ndarray]:
    """For each scope (e.g. a business line), the column positions of its items in ``items``.

    ``None`` means one scope, ``"all"``, with every item. Items a scope names that the model does not know
    are ignored.
    """
    if scopes is None:
        return {ALL_ITEMS_SCOPE: np.arange(len(items))}
    columns = {}
    for scope, scope_items in scopes.items():
        positions = items.get_indexer(pd.Index(list(scope_items)))
        columns[scope] = np.unique(positions[positions >= 0])
    return columns


def user_batches(users: pd.Index, known: pd.Index) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(user keys, row positions in ``known`` or -1) in batches of ``USER_BATCH_SIZE``."""
    keys = np.asarray(users, dtype=object)
    rows = known.get_indexer(users)
    for start in range(0, len(keys), USER_BATCH_SIZE):
        yield keys[start : start + USER_BATCH_SIZE], rows[start : start + USER_BATCH_SIZE]


def top_k(
    user_keys: np.ndarray,
    scores: np.ndarray,
    items: pd.Index,
    columns_by_scope: Mapping[str, np.ndarray],
    k: int,
) -> pd.DataFrame:
    """The ``k`` best-scoring items per user and scope, best first; only items with a positive score.

    ``scores`` is users x items with excluded cells (already consumed items) set to ``-inf``.
    """
    frames = []
    for scope, columns in columns_by_scope.items():
        if len(columns) == 0 or len(user_keys) == 0:
            continue
        block = scores[:, columns]
        order = _best_columns(block, min(k, len(columns)))
        best = np.take_along_axis(block, order, axis=1)
        user_position, rank_position = np.nonzero(best > 0)
        frames.append(
            pd.DataFrame(
                {
                    "user": user_keys[user_position],
                    "scope": scope,
                    "rank": rank_position + 1,
                    "item": items.to_numpy()[columns[order[user_position, rank_position]]],
                    "score": best[user_position, rank_position].astype(float),
                }
            )
        )
    if not frames:
        return empty_recommendations()
    return pd.concat(frames, ignore_index=True)


def _best_columns(block: np.ndarray, take: int) -> np.ndarray:
    """Per row, the positions of the ``take`` largest values, best first, ties in column order.

    A partial partition first: sorting every item for every user would cost far more than the few we keep.
    """
    if take < block.shape[1]:
        candidates = np.argpartition(-block, take - 1, axis=1)[:, :take]
    else:
        candidates = np.tile(np.arange(block.shape[1]), (block.shape[0], 1))
    candidate_scores = np.take_along_axis(block, candidates, axis=1)
    order = np.lexsort((candidates, -candidate_scores), axis=1)
    return np.take_along_axis(candidates, order, axis=1)


def empty_recommendations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user": pd.Series(dtype=object),
            "scope": pd.Series(dtype=object),
            "rank": pd.Series(dtype="int64"),
            "item": pd.Series(dtype=object),
            "score": pd.Series(dtype=float),
        }
    )


def exclude_seen(scores: np.ndarray, seen: "sp.csr_matrix", rows: np.ndarray) -> np.ndarray:
    """Set the cells of items each user already interacted with to ``-inf`` (rows of -1: nothing seen)."""
    known = np.flatnonzero(rows >= 0)
    if len(known):
        user_position, item_position = seen[rows[known]].nonzero()
        scores[known[user_position], item_position] = -np.inf
    return scores
