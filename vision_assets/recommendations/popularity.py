"""Popularity: the baseline every personal recommender must beat, the fallback for new customers, and the
"most popular" lists analysts and storefronts show.

An item's popularity is the number of distinct customers who engaged with it (bought, read, watched,
listened, saved, rated, ...) in a recent window: counting people, not events, keeps one customer playing a
track all day from making it a hit. The summed interaction weight breaks ties.
"""

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from vision_assets.recommendations.interactions import validate_interactions
from vision_assets.recommendations.ranking import (
    InteractionMatrix,
    empty_recommendations,
    exclude_seen,
    scope_columns,
    top_k,
    user_batches,
)

POPULARITY_WINDOW_DAYS = 28
TREND_RECENT_DAYS = 7
TREND_MIN_RECENT_CUSTOMERS = 3
FALLBACK_SOURCE = "popularity_fallback"
PERSONAL_SOURCE = "collaborative_filtering"


def item_popularity(interactions: pd.DataFrame) -> pd.DataFrame:
    """Per item: distinct customers, summed weight, and the score that ranks them (customers + tie-break)."""
    frame = validate_interactions(interactions)
    popularity = frame.groupby("item", sort=True).agg(
        distinct_customers=("user", "nunique"), weighted_interactions=("weight", "sum")
    )
    top_weight = max(1.0, float(popularity["weighted_interactions"].max())) if len(popularity) else 1.0
    # Customers first; the weight only orders items with the same number of customers (it adds < 1).
    popularity["score"] = (
        popularity["distinct_customers"] + 0.5 * popularity["weighted_interactions"] / top_weight
    )
    return popularity


def recent(interactions: pd.DataFrame, days: int, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Interactions in the ``days`` UTC days up to and including ``end``'s day (by default the latest)."""
    frame = validate_interactions(interactions)
    if frame.empty:
        return frame
    end = frame["occurred_at"].max() if end is None else end
    start = end.normalize() - pd.Timedelta(days=days - 1)
    return frame[
        (frame["occurred_at"] >= start) & (frame["occurred_at"] < end.normalize() + pd.Timedelta(days=1))
    ]


class PopularityRecommender:
    """Recommends every customer the most popular items of the recent window they have not engaged with.

    Customers with no history get the same list, which is what makes it the fallback for new customers.
    """

    def __init__(self, window_days: int = POPULARITY_WINDOW_DAYS) -> None:
        self.window_days = window_days
        self.seen: InteractionMatrix | None = None
        self.scores = pd.Series(dtype=float)

    def fit(self, interactions: pd.DataFrame) -> "PopularityRecommender":
        self.seen = InteractionMatrix.from_interactions(interactions)
        popularity = item_popularity(recent(interactions, self.window_days))
        self.scores = popularity["score"].reindex(self.seen.items).fillna(0.0)
        return self

    def recommend(
        self, users: Iterable, k: int = 10, scopes: Mapping[str, Iterable] | None = None
    ) -> pd.DataFrame:
        if self.seen is None:
            raise RuntimeError("fit the recommender first")
        items = self.seen.items
        columns = scope_columns(items, scopes)
        row = self.scores.to_numpy(dtype=np.float32)
        frames = []
        for keys, rows in user_batches(pd.Index(list(users)), self.seen.users):
            scores = exclude_seen(np.tile(row, (len(keys), 1)), self.seen.values, rows)
            frames.append(top_k(keys, scores, items, columns, k))
        return pd.concat(frames, ignore_index=True) if frames else empty_recommendations()


def fill_with_fallback(personal: pd.DataFrame, fallback: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each user's and scope's personal list, topped up to ``k`` from the fallback list, labelled by source.

    A customer the personal model knows nothing about gets the fallback list whole; one with a short
    personal list (few items with any evidence) gets it completed. Items are never repeated within a list.
    """
    combined = pd.concat(
        [
            personal.assign(source=PERSONAL_SOURCE, _priority=0),
            fallback.assign(source=FALLBACK_SOURCE, _priority=1),
        ],
        ignore_index=True,
    )
    if combined.empty:
        return empty_recommendations().assign(source=pd.Series(dtype=object))
    combined = combined.sort_values(["user", "scope", "_priority", "rank"], kind="stable")
    combined = combined.drop_duplicates(["user", "scope", "item"], keep="first")
    combined["rank"] = combined.groupby(["user", "scope"]).cumcount() + 1
    combined = combined[combined["rank"] <= k]
    return combined.drop(columns="_priority").reset_index(drop=True)


def popular_lists(
    interactions: pd.DataFrame,
    products: pd.DataFrame,
    customer_regions: pd.DataFrame,
    top_n: int = 10,
    window_days: int = POPULARITY_WINDOW_DAYS,
    trend_days: int = TREND_RECENT_DAYS,
) -> pd.DataFrame:
    """The "most popular" lists over the last ``window_days`` days, ``top_n`` entries each.

    ``products`` has ``product_key``, ``business_line``, ``product_name``, ``category`` (genre for media,
    category for marketplace products), ``creator_name`` and ``creator_type``; ``customer_regions`` has
    ``customer_key`` and ``region_name``. One row per list entry:

    * ``business_line``: the line's top products;
    * ``genre``: the top products of each genre (category) of a line;
    * ``region``: the top products of a line in each customer region;
    * ``creator``: the line's top authors, studios, artists and brands (by customers across their items);
    * ``genre_ranking``: the line's genres themselves, most popular first;
    * ``trending``: products whose customers in the last ``trend_days`` days rose most against their
      weekly average over the rest of the window (at least ``TREND_MIN_RECENT_CUSTOMERS`` recent customers).
    """
    window = recent(interactions, window_days)
    if window.empty:
        return _empty_lists()
    end = window["occurred_at"].max().normalize()
    start = end - pd.Timedelta(days=window_days - 1)
    catalog = products.set_index("product_key")
    enriched = window.join(
        catalog[["business_line", "product_name", "category", "creator_name", "creator_type"]],
        on="item",
        how="inner",
    )
    enriched = enriched.merge(
        customer_regions.rename(columns={"customer_key": "user"}), on="user", how="left"
    ).fillna({"region_name": "unknown"})

    lists = [
        _ranked_products(enriched, "business_line", ["business_line"], lambda g: g["business_line"], top_n),
        _ranked_products(
            enriched.dropna(subset=["category"]),
            "genre",
            ["business_line", "category"],
            lambda g: g["category"],
            top_n,
        ),
        _ranked_products(
            enriched, "region", ["business_line", "region_name"], lambda g: g["region_name"], top_n
        ),
        _ranked_groups(enriched.dropna(subset=["creator_name"]), "creator", "creator_name", top_n),
        _ranked_groups(enriched.dropna(subset=["category"]), "genre_ranking", "category", top_n),
        _trending(enriched, end, trend_days, window_days, top_n),
    ]
    result = pd.concat([frame for frame in lists if len(frame)], ignore_index=True)
    result["window_start"] = start.date()
    result["window_end"] = end.date()
    return result[POPULAR_LIST_COLUMNS].reset_index(drop=True)


POPULAR_LIST_COLUMNS = [
    "popularity_list",
    "business_line",
    "scope",
    "rank",
    "item_type",
    "product_key",
    "item_name",
    "creator_name",
    "genre",
    "popularity_score",
    "distinct_customers",
    "weighted_interactions",
    "window_start",
    "window_end",
]


def _empty_lists() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in POPULAR_LIST_COLUMNS})


def _rank_within(frame: pd.DataFrame, by: list[str], top_n: int) -> pd.DataFrame:
    frame = frame.sort_values(
        [*by, "popularity_score", "distinct_customers", "ranked_key"],
        ascending=[True] * len(by) + [False, False, True],
        kind="stable",
    )
    frame["rank"] = frame.groupby(by).cumcount() + 1
    return frame[frame["rank"] <= top_n]


def _ranked_products(
    enriched: pd.DataFrame, list_name: str, by: list[str], scope, top_n: int
) -> pd.DataFrame:
    if enriched.empty:
        return _empty_lists()
    stats = enriched.groupby([*by, "item"], as_index=False).agg(
        distinct_customers=("user", "nunique"),
        weighted_interactions=("weight", "sum"),
        product_name=("product_name", "first"),
        creator_name=("creator_name", "first"),
        category=("category", "first"),
    )
    stats["popularity_score"] = stats["distinct_customers"].astype(float)
    stats["ranked_key"] = stats["item"]
    ranked = _rank_within(stats, by, top_n)
    return pd.DataFrame(
        {
            "popularity_list": list_name,
            "business_line": ranked["business_line"],
            "scope": scope(ranked),
            "rank": ranked["rank"],
            "item_type": "product",
            "product_key": ranked["item"],
            "item_name": ranked["product_name"],
            "creator_name": ranked["creator_name"],
            "genre": ranked["category"],
            "popularity_score": ranked["popularity_score"],
            "distinct_customers": ranked["distinct_customers"],
            "weighted_interactions": ranked["weighted_interactions"],
        }
    )


def _ranked_groups(enriched: pd.DataFrame, list_name: str, column: str, top_n: int) -> pd.DataFrame:
    if enriched.empty:
        return _empty_lists()
    stats = enriched.groupby(["business_line", column], as_index=False).agg(
        distinct_customers=("user", "nunique"),
        weighted_interactions=("weight", "sum"),
        creator_type=("creator_type", "first"),
    )
    stats["popularity_score"] = stats["distinct_customers"].astype(float)
    stats["ranked_key"] = stats[column]
    ranked = _rank_within(stats, ["business_line"], top_n)
    is_creator = column == "creator_name"
    return pd.DataFrame(
        {
            "popularity_list": list_name,
            "business_line": ranked["business_line"],
            "scope": ranked["business_line"],
            "rank": ranked["rank"],
            "item_type": ranked["creator_type"] if is_creator else "genre",
            "product_key": None,
            "item_name": ranked[column],
            "creator_name": ranked[column] if is_creator else None,
            "genre": None if is_creator else ranked[column],
            "popularity_score": ranked["popularity_score"],
            "distinct_customers": ranked["distinct_customers"],
            "weighted_interactions": ranked["weighted_interactions"],
        }
    )


def _trending(
    enriched: pd.DataFrame, end: pd.Timestamp, trend_days: int, window_days: int, top_n: int
) -> pd.DataFrame:
    recent_start = end - pd.Timedelta(days=trend_days - 1)
    earlier_days = window_days - trend_days
    if earlier_days <= 0:
        return _empty_lists()
    is_recent = enriched["occurred_at"] >= recent_start
    recent_stats = (
        enriched[is_recent]
        .groupby(["business_line", "item"], as_index=False)
        .agg(
            distinct_customers=("user", "nunique"),
            weighted_interactions=("weight", "sum"),
            product_name=("product_name", "first"),
            creator_name=("creator_name", "first"),
            category=("category", "first"),
        )
    )
    earlier = enriched[~is_recent].groupby("item")["user"].nunique().rename("earlier_customers")
    stats = recent_stats.join(earlier, on="item").fillna({"earlier_customers": 0})
    stats = stats[stats["distinct_customers"] >= TREND_MIN_RECENT_CUSTOMERS]
    if stats.empty:
        return _empty_lists()
    # Customers this period against the average period before it; +1 keeps a brand-new item finite.
    earlier_per_period = stats["earlier_customers"] * trend_days / earlier_days
    stats["popularity_score"] = (stats["distinct_customers"] + 1.0) / (earlier_per_period + 1.0)
    stats["ranked_key"] = stats["item"]
    ranked = _rank_within(stats, ["business_line"], top_n)
    return pd.DataFrame(
        {
            "popularity_list": "trending",
            "business_line": ranked["business_line"],
            "scope": ranked["business_line"],
            "rank": ranked["rank"],
            "item_type": "product",
            "product_key": ranked["item"],
            "item_name": ranked["product_name"],
            "creator_name": ranked["creator_name"],
            "genre": ranked["category"],
            "popularity_score": ranked["popularity_score"],
            "distinct_customers": ranked["distinct_customers"],
            "weighted_interactions": ranked["weighted_interactions"],
        }
    )
