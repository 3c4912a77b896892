"""The interaction frame built from the marts: weights as documented, nothing that is not taste."""

import pandas as pd
import pytest

from vision_assets.recommendations.interactions import (
    INTERACTION_COLUMNS,
    interactions_from_marts,
    validate_interactions,
)

AT = pd.Timestamp("2026-10-01 12:00")


def _sales(rows):
    return pd.DataFrame(rows, columns=["sale_type", "customer_key", "product_key", "sold_at"])


def _engagement(rows):
    return pd.DataFrame(
        rows, columns=["customer_key", "product_key", "event_type", "engagement_category", "engaged_at"]
    )


def _reviews(rows):
    return pd.DataFrame(rows, columns=["customer_key", "product_key", "rating", "reviewed_at"])


def test_each_signal_gets_its_documented_weight():
    frame = interactions_from_marts(
        _sales(
            [
                ("order_line", "c1", "books:B1", AT),
                ("membership_payment", "c1", "books:plan:x", AT),
                ("refund", "c1", "books:B1", AT),
            ]
        ),
        _engagement(
            [
                ("c1", "flicks:T1", "stream", "consume", AT),
                ("c1", "music:M1", "skip", "preview", AT),
                ("c1", "music:M2", "like", "save", AT),
                ("c1", "books:B2", "sample", "preview", AT),
                ("c1", "mart:P1", "view", "browse", AT),
                ("c1", "mart:P2", "add_to_cart", "cart", AT),
            ]
        ),
        _reviews([("c1", "books:B1", 5, AT), ("c1", "books:B3", 2, AT), ("c1", "books:B4", 3, AT)]),
    )
    weights = frame.groupby("item")["weight"].apply(list).to_dict()
    assert weights == {
        "books:B1": [5.0, 3.0],  # the purchase, then the 5-star rating
        "flicks:T1": [3.0],
        "music:M2": [2.0],
        "books:B2": [1.0],
        "mart:P1": [0.5],
        "mart:P2": [2.0],
        "books:B4": [0.5],
    }
    assert list(frame.columns) == INTERACTION_COLUMNS


def test_rows_without_a_customer_are_dropped_and_empty_marts_give_an_empty_frame():
    frame = interactions_from_marts(
        _sales([("order_line", None, "books:B1", AT)]), _engagement([]), _reviews([])
    )
    assert frame.empty
    assert list(frame.columns) == INTERACTION_COLUMNS
    assert interactions_from_marts(_sales([]), _engagement([]), _reviews([])).empty


def test_other_data_must_name_the_four_columns():
    with pytest.raises(ValueError, match="missing"):
        validate_interactions(pd.DataFrame({"user": ["u"], "item": ["i"]}))
    cleaned = validate_interactions(
        pd.DataFrame(
            {
                "user": ["u", None, "u"],
                "item": ["i", "i", "j"],
                "weight": [1, 1, 0],
                "occurred_at": [AT, AT, AT],
            }
        )
    )
    assert cleaned[["user", "item"]].values.tolist() == [["u", "i"]]
