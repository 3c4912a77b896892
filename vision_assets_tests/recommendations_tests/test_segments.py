"""RFM segments on hand-made customers whose scores and labels are known."""

import pandas as pd

from vision_assets.recommendations.segments import SEGMENT_LABELS, quintile_scores, rfm_segments

AS_OF = pd.Timestamp("2026-10-30")
# customer: (days since last activity, active days ending then, net spend in USD)
CUSTOMERS = {
    "champion": (0, 20, 500.0),
    "big_spender_gone_quiet": (40, 15, 400.0),
    "middling": (10, 5, 50.0),
    "newcomer": (1, 1, 10.0),
    "faded": (60, 2, 20.0),
}


def _activity(customers=CUSTOMERS):
    rows = []
    for customer, (recency, days, _) in customers.items():
        last = AS_OF - pd.Timedelta(days=recency)
        rows += [
            (customer, last - pd.Timedelta(days=offset) + pd.Timedelta(hours=9), "books")
            for offset in range(days)
        ]
    return pd.DataFrame(rows, columns=["customer_key", "occurred_at", "business_line"])


def _revenue(customers=CUSTOMERS):
    return pd.DataFrame(
        [
            (customer, AS_OF - pd.Timedelta(days=recency), spend)
            for customer, (recency, _, spend) in customers.items()
        ],
        columns=["customer_key", "occurred_at", "net_amount_usd"],
    )


def _everyone(*extra):
    return pd.DataFrame({"customer_key": [*CUSTOMERS, *extra]})


def test_each_customer_lands_in_the_expected_segment():
    segments = rfm_segments(_activity(), _revenue(), _everyone("never_active"), AS_OF).set_index(
        "customer_key"
    )
    assert segments["segment_label"].to_dict() == {
        "champion": "Champions",
        "big_spender_gone_quiet": "Can't lose them",
        "middling": "Need attention",
        "newcomer": "New or occasional",
        "faded": "Lost",
        "never_active": "Dormant",
    }
    champion = segments.loc["champion"]
    assert (
        champion["rfm_code"],
        champion["recency_days"],
        champion["active_days"],
        champion["monetary_usd"],
    ) == ("555", 0, 20, 500.0)
    assert segments.loc["big_spender_gone_quiet", "rfm_code"] == "244"
    assert pd.isna(segments.loc["never_active", "rfm_code"])
    assert set(segments["segment_label"]) <= set(SEGMENT_LABELS)


def test_activity_outside_the_window_or_after_the_day_does_not_count():
    activity = pd.concat(
        [
            _activity({"ancient": (120, 3, 0.0)}),
            _activity({"future": (-2, 1, 0.0)}),
        ]
    )
    segments = rfm_segments(
        activity, _revenue({}), pd.DataFrame({"customer_key": ["ancient", "future"]}), AS_OF
    )
    assert segments["segment_label"].tolist() == ["Dormant", "Dormant"]


def test_ties_share_the_higher_score_and_a_single_customer_is_a_champion():
    assert quintile_scores(pd.Series([0.0, 0.0, 0.0, 1.0, 2.0])).tolist() == [3, 3, 3, 4, 5]
    assert quintile_scores(pd.Series([], dtype=float)).empty
    alone = {"only": (0, 3, 30.0)}
    segments = rfm_segments(
        _activity(alone), _revenue(alone), pd.DataFrame({"customer_key": ["only"]}), AS_OF
    )
    assert segments["segment_label"].tolist() == ["Champions"]


def test_no_activity_at_all_makes_everyone_dormant():
    empty_activity = _activity({})
    segments = rfm_segments(empty_activity, _revenue({}), _everyone(), AS_OF)
    assert (segments["segment_label"] == "Dormant").all()
    assert len(segments) == len(CUSTOMERS)
