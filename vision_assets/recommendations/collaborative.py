"""Collaborative filtering over the unified customers of all four businesses.

Personal recommendations: EASE
------------------------------
EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) learns one item x item
weight matrix ``B`` that reconstructs each customer's interactions from their other interactions, with
an L2 penalty and a zero diagonal (an item may not explain itself). It has a closed form:
``P = (XᵀX + λI)⁻¹``, ``B = -P / diag(P)``, ``diag(B) = 0``; a customer's scores are ``x_u B``.

Why EASE: on implicit-feedback benchmarks (MovieLens-20M, Netflix, Million Song) it matches or beats
matrix factorisation (implicit ALS), BPR and the neural recommenders, and reproducibility studies
(Dacrema et al., RecSys 2019; Anelli et al., RecSys 2022) found it among the strongest simple methods.
It has one main hyper-parameter, no iterations or random seed (the same data give the same model), and
fits in seconds to minutes with numpy alone. On Vision's demo data it beat item-kNN (cosine) by ~10% in
NDCG@10 and the popularity baseline by ~2x.

The penalty is not fixed: ``vision_assets.recommendations.tuning`` chooses it on a validation split of the
data each model is fitted on, together with the one refinement that helped there, emphasized denoising
(EDLAE, Steck, "Autoencoders that don't overfit towards the identity", NeurIPS 2020): training as if each
interaction were dropped with probability ``dropout`` adds ``dropout / (1 - dropout)`` times an item's own
Gram diagonal to its penalty, so the popular items, whose self-similarity dominates the Gram matrix, are
held back more than the rare ones. ``dropout = 0`` is plain EASE.

Its cost is an items x items inverse: O(items³) time and items² memory. The matrix is float32 and
inverted through a Cholesky factorisation (3x faster than a general inverse); only the ``max_items``
items with the most customers enter the model (15,000 by default: about 2 minutes and 3 GiB on 2 cores),
and the long tail beyond them is still reachable through ``similar_items`` and the popularity lists.

A fitted model is ``EaseModel``: the items and ``B``. It travels between processes as a table
(``EaseModel.to_rows``): one row per item with its row of ``B`` as float32 bytes, exact, and about as large
as the matrix itself (0.9 GB at 15,000 items). Scoring needs nothing else but the customers' interactions,
so recommendations can be made from a stored model on a later day's history.

Across business lines: the rows are people (``customer_key``), not accounts, so someone who reads
fantasy novels and watches fantasy films links the two catalogs, and the weights carry that link to
customers who have only ever read. Recommendations per business line are the best-scoring items of
that line, so a reader gets films even without a Flicks history.

"People who engaged with this also ...": item-item cosine
---------------------------------------------------------
``similar_items`` is the classic item-kNN neighbourhood: the customers two items share, divided by the
geometric mean of their audiences plus a shrinkage term, so two items with one customer in common do not
look identical. It is computed sparsely, a block of items at a time, over every item.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vision_assets.recommendations.ranking import (
    InteractionMatrix,
    empty_recommendations,
    exclude_seen,
    scope_columns,
    top_k,
    user_batches,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

DEFAULT_L2 = 300.0
DEFAULT_MAX_ITEMS = 15_000
SIMILAR_ITEMS_BLOCK = 2_048


# Little-endian float32, whatever the machine: the stored bytes of B read back the same everywhere.
_STORED_WEIGHT = np.dtype("<f4")
MODEL_COLUMNS = ["item", "position", "customers", "weights"]


@dataclass(frozen=True)
class EaseModel:
    """What EASE learns: ``weights`` (``B``, items x items, float32) over ``items``, and how many customers
    each item had in the training data (``customers``)."""

    items: pd.Index
    weights: np.ndarray
    customers: np.ndarray

    def history_of(self, interactions: pd.DataFrame) -> InteractionMatrix:
        """The customers of ``interactions`` over the model's items: the rows that ``recommend`` scores."""
        return InteractionMatrix.from_interactions(interactions).restricted_to(self.items)

    def recommend(self, history: InteractionMatrix, users, k: int = 10, scopes=None) -> pd.DataFrame:
        """Top ``k`` unseen items per user of ``history`` and scope (``scopes``: name -> items; ``None``: all
        items). ``history`` is over the model's items (``history_of``).

        Users the history does not hold get no rows, and a list is shorter than ``k`` when fewer items have
        a positive score: the caller tops it up from the popularity fallback.
        """
        if not history.items.equals(self.items):
            raise ValueError("the history must be over the model's items: build it with history_of")
        columns = scope_columns(self.items, scopes)
        frames = []
        known_users = pd.Index(list(users))
        known_users = known_users[history.users.get_indexer(known_users) >= 0]
        for keys, rows in user_batches(known_users, history.users):
            scores = np.asarray(history.values[rows] @ self.weights, dtype=np.float32)
            frames.append(top_k(keys, exclude_seen(scores, history.values, rows), self.items, columns, k))
        return pd.concat(frames, ignore_index=True) if frames else empty_recommendations()

    def to_rows(self) -> pd.DataFrame:
        """The model as a table, one row per item: ``item``; ``position``, its row and column in ``B``;
        ``customers``; ``weights``, its row of ``B`` as little-endian float32 bytes. Exact: ``from_rows``
        gives back the same model."""
        weights = self.weights.astype(_STORED_WEIGHT, copy=False)
        return pd.DataFrame(
            {
                "item": self.items.to_numpy(dtype=object),
                "position": np.arange(len(self.items), dtype=np.int64),
                "customers": np.asarray(self.customers, dtype=np.int64),
                "weights": [row.tobytes() for row in weights],
            },
            columns=MODEL_COLUMNS,
        )

    @classmethod
    def from_rows(cls, rows: pd.DataFrame) -> "EaseModel":
        """The model ``to_rows`` wrote, in any row order. Raises ``ValueError`` when a row is missing or
        its weights are not one per item, so a damaged table fails instead of recommending nonsense."""
        rows = rows.sort_values("position", kind="stable")
        count = len(rows)
        if not np.array_equal(rows["position"].to_numpy(dtype=np.int64), np.arange(count)):
            raise ValueError("the stored model's positions are not 0 to its number of items - 1")
        weights = np.empty((count, count), dtype=np.float32)
        for position, stored in enumerate(rows["weights"]):
            row = np.frombuffer(stored, dtype=_STORED_WEIGHT)
            if len(row) != count:
                raise ValueError(f"stored weights of position {position}: {len(row)} values, {count} items")
            weights[position] = row
        items = pd.Index(rows["item"].to_numpy(dtype=object), name="item")
        return cls(items, weights, rows["customers"].to_numpy(dtype=np.int64))


class EaseRecommender:
    """EASE over an interaction frame (``user``, ``item``, ``weight``, ``occurred_at``): ``fit`` learns an
    :class:`EaseModel` (with the penalty ``l2``, the EDLAE ``dropout`` and on the ``max_items`` most used
    items) and keeps the customers' history to recommend from."""

    def __init__(
        self, l2: float = DEFAULT_L2, max_items: int = DEFAULT_MAX_ITEMS, dropout: float = 0.0
    ) -> None:
        if l2 <= 0:
            raise ValueError("l2 must be positive: it keeps XᵀX + λI invertible")
        if not 0.0 <= dropout < 1.0:
            raise ValueError("dropout is a probability below 1")
        self.l2 = l2
        self.dropout = dropout
        self.max_items = max_items
        self.history: InteractionMatrix | None = None
        self.model: EaseModel | None = None

    @property
    def items(self) -> pd.Index:
        return self.model.items if self.model is not None else pd.Index([])

    def fit(self, interactions: pd.DataFrame) -> "EaseRecommender":
        full = InteractionMatrix.from_interactions(interactions)
        self.history = full.restricted_to(most_used_items(full, self.max_items))
        self.model = EaseModel(
            self.history.items,
            _ease_weights(self.history.values, self.l2, self.dropout),
            self.history.users_per_item(),
        )
        return self

    def recommend(self, users, k: int = 10, scopes=None) -> pd.DataFrame:
        """``EaseModel.recommend`` over the history it was fitted on."""
        if self.model is None or self.history is None:
            raise RuntimeError("fit the recommender first")
        return self.model.recommend(self.history, users, k, scopes)


def most_used_items(matrix: InteractionMatrix, max_items: int) -> pd.Index:
    """The ``max_items`` items with the most customers; ties go to the earlier item key."""
    if len(matrix.items) <= max_items:
        return matrix.items
    order = np.lexsort((np.arange(len(matrix.items)), -matrix.users_per_item()))
    return matrix.items[np.sort(order[:max_items])]


def _ease_weights(values: "sp.csr_matrix", l2: float, dropout: float = 0.0) -> np.ndarray:
    """``B`` of EASE, in float32, computed in place to hold about two items x items matrices at most."""
    return ease_weights_from_gram(gram_matrix(values), l2, dropout)


def gram_matrix(values: "sp.csr_matrix") -> np.ndarray:
    """``XᵀX``, dense float32 in the column order LAPACK factorises in place."""
    return np.asarray((values.T @ values).toarray(), dtype=np.float32, order="F")


def ease_weights_from_gram(gram: np.ndarray, l2: float, dropout: float = 0.0) -> np.ndarray:
    """``B`` of EASE (EDLAE with ``dropout`` > 0) from ``gram``, which it overwrites: a caller that needs
    the Gram matrix again passes a copy."""
    from scipy.linalg import lapack  # when a model is fitted (recommendations/ranking.py says why)

    item_count = gram.shape[0]
    if item_count == 0:
        return np.zeros((0, 0), dtype=np.float32)
    penalty = l2 + dropout / (1.0 - dropout) * gram.diagonal().astype(np.float64)
    gram[np.diag_indices(item_count)] += penalty.astype(np.float32)
    factor, info = lapack.spotrf(gram, lower=False, overwrite_a=True, clean=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation of the Gram matrix failed (LAPACK info {info})")
    inverse, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverting the Gram matrix failed (LAPACK info {info})")
    _mirror_upper_triangle(inverse)
    diagonal = inverse.diagonal().copy()
    inverse /= -diagonal[np.newaxis, :]
    inverse[np.diag_indices(item_count)] = 0.0
    return inverse


def _mirror_upper_triangle(matrix: np.ndarray, block: int = 1024) -> None:
    """LAPACK returns the inverse in the upper triangle only; copy it down a block of rows at a time
    (``np.triu`` and friends would allocate two more items x items matrices)."""
    size = matrix.shape[0]
    for start in range(0, size, block):
        stop = min(size, start + block)
        matrix[start:stop, :start] = matrix[:start, start:stop].T
        rows = slice(start, stop)
        square = matrix[rows, rows]
        lower = np.tril_indices(stop - start, -1)
        square[lower] = square.T[lower]


def similar_items(
    interactions: pd.DataFrame,
    k: int = 10,
    min_shared_customers: int = 2,
    shrinkage: float = 10.0,
) -> pd.DataFrame:
    """For each item, its ``k`` nearest items by shrunk cosine similarity of their customers.

    similarity = shared customers / (sqrt(customers of a x customers of b) + ``shrinkage``). Pairs with
    fewer than ``min_shared_customers`` customers in common are not neighbours, so an item with a single
    customer has none. Returns ``item``, ``rank``, ``similar_item``, ``similarity``, ``shared_customers``.
    """
    matrix = InteractionMatrix.from_interactions(interactions)
    binary = matrix.values.copy()
    binary.data[:] = 1.0
    binary = binary.tocsc()
    audience = np.diff(binary.indptr).astype(np.float64)
    items = matrix.items.to_numpy()
    transposed = binary.T.tocsr()
    frames = []
    for start in range(0, len(items), SIMILAR_ITEMS_BLOCK):
        stop = min(len(items), start + SIMILAR_ITEMS_BLOCK)
        shared = (transposed[start:stop] @ binary).tocoo()  # block items x all items, shared customers
        source, target, counts = shared.row + start, shared.col, shared.data
        keep = (source != target) & (counts >= min_shared_customers)
        source, target, counts = source[keep], target[keep], counts[keep]
        similarity = counts / (np.sqrt(audience[source] * audience[target]) + shrinkage)
        frames.append(
            pd.DataFrame({"source": source, "target": target, "similarity": similarity, "shared": counts})
        )
    pairs = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({"source": [], "target": [], "similarity": [], "shared": []})
    )
    pairs = pairs.sort_values(
        ["source", "similarity", "target"], ascending=[True, False, True], kind="stable"
    )
    pairs["rank"] = pairs.groupby("source").cumcount() + 1
    pairs = pairs[pairs["rank"] <= k]
    return pd.DataFrame(
        {
            "item": items[pairs["source"].to_numpy(dtype=np.int64)],
            "rank": pairs["rank"].to_numpy(dtype=np.int64),
            "similar_item": items[pairs["target"].to_numpy(dtype=np.int64)],
            "similarity": pairs["similarity"].to_numpy(dtype=float),
            "shared_customers": pairs["shared"].to_numpy(dtype=np.int64),
        }
    )
