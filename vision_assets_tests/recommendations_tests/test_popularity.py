"""The popularity baseline, the fallback that fills personal lists, and the popular lists."""

import pandas as pd
import pytest

from vision_assets.recommendations.popularity import (
    FALLBACK_SOURCE,
    PERSONAL_SOURCE,
    PopularityRecommender,
    fill_with_fallback,
    popular_lists,
)

from .conftest import DAY, interactions


def test_popularity_counts_people_not_events():
    frame = interactions([("fan", "replayed")] * 10 + [("u1", "shared"), ("u2", "shared"), ("u3", "shared")])
    recommendations = PopularityRecommender().fit(frame).recommend(["newcomer", "u1"], k=2)
    lists = recommendations.groupby("user")["item"].apply(list).to_dict()
    assert lists["newcomer"] == ["shared", "replayed"]
    assert lists["u1"] == ["replayed"]  # u1 already has "shared"


def test_only_the_recent_window_counts():
    old = interactions(
        [("u1", "old_hit"), ("u2", "old_hit"), ("u3", "old_hit")], day=DAY - pd.Timedelta(days=60)
    )
    new = interactions([("u4", "new_hit")], day=DAY)
    recommendations = PopularityRecommender(window_days=28).fit(pd.concat([old, new])).recommend(["x"], k=5)
    assert recommendations["item"].tolist() == ["new_hit"]


def test_the_fallback_fills_short_lists_and_serves_new_customers_labelled():
    personal = pd.DataFrame({"user": ["known"], "scope": ["all"], "rank": [1], "item": ["C"], "score": [0.9]})
    fallback = pd.DataFrame(
        {
            "user": ["known", "known", "new", "new"],
            "scope": "all",
            "rank": [1, 2, 1, 2],
            "item": ["C", "P", "C", "P"],
            "score": [3.0, 2.0, 3.0, 2.0],
        }
    )
    filled = fill_with_fallback(personal, fallback, k=2)
    known = filled[filled["user"] == "known"]
    assert known[["rank", "item", "source"]].values.tolist() == [
        [1, "C", PERSONAL_SOURCE],
        [2, "P", FALLBACK_SOURCE],
    ]
    assert (filled[filled["user"] == "new"]["source"] == FALLBACK_SOURCE).all()
    assert fill_with_fallback(personal.iloc[0:0], fallback.iloc[0:0], k=2).empty


@pytest.fixture
def shop():
    products = pd.DataFrame(
        {
            "product_key": ["books:1", "books:2", "books:3", "flicks:1"],
            "business_line": ["books", "books", "books", "flicks"],
            "product_name": ["One", "Two", "Three", "Film"],
            "category": ["fantasy", "fantasy", "mystery", "fantasy"],
            "creator_name": ["Ann", "Ann", "Bo", "Studio"],
            "creator_type": ["author", "author", "author", "studio"],
        }
    )
    regions = pd.DataFrame(
        {"customer_key": ["c1", "c2", "c3", "c4"], "region_name": ["North", "North", "South", "South"]}
    )
    earlier = interactions(
        [("c1", "books:1"), ("c2", "books:1"), ("c3", "books:1"), ("c4", "books:2")],
        day=DAY - pd.Timedelta(days=20),
    )
    last_week = interactions(
        [("c1", "books:3"), ("c2", "books:3"), ("c3", "books:3"), ("c4", "books:1"), ("c1", "flicks:1")],
        day=DAY,
    )
    return pd.concat([earlier, last_week], ignore_index=True), products, regions


def test_popular_lists_rank_products_creators_genres_regions_and_trends(shop):
    frame, products, regions = shop
    lists = popular_lists(frame, products, regions, top_n=2)
    books = lists[lists["business_line"] == "books"]

    def entries(name, scope="books"):
        chosen = books[(books["popularity_list"] == name) & (books["scope"] == scope)].sort_values("rank")
        return chosen["item_name"].tolist()

    assert entries("business_line") == ["One", "Three"]  # 4 customers, then 3
    assert entries("genre", "fantasy") == ["One", "Two"]
    # c3 and c4 live in the South: One has both; Two and Three one each, a tie kept in product-key order
    assert entries("region", "South") == ["One", "Two"]
    assert entries("creator") == ["Ann", "Bo"]
    assert entries("genre_ranking") == ["fantasy", "mystery"]
    assert entries("trending") == ["Three"]  # 3 customers this week, none before; One is flat
    assert not lists.duplicated(["popularity_list", "business_line", "scope", "rank"]).any()
    assert (lists["window_end"] == DAY.date()).all()


def test_no_interactions_give_empty_lists(shop):
    _, products, regions = shop
    assert popular_lists(interactions([]), products, regions).empty
