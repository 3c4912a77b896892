"""The churn model on a synthetic membership history where fading members leave, and on bad input."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.recommendations.churn import (
    BILLING_COLUMNS,
    CHURN_SCORE_COLUMNS,
    ENGAGEMENT_COLUMNS,
    MEMBERSHIP_COLUMNS,
    PRIOR_EVENTS,
    ending_labels,
    membership_features,
    model_inputs,
    retry_interval_days,
    score_active_memberships,
    train_churn_model,
)

FIRST = pd.Timestamp("2026-08-01")


def synthetic_history(days: int, memberships: int = 400, seed: int = 11):
    """Half the members engage ~2 times a day and rarely leave; the other half barely engage and leave
    at 3% a day. Returns fct_membership-, fct_engagement- and fct_billing-shaped frames."""
    rng = np.random.default_rng(seed)
    status_rows, engagement_rows = [], []
    for number in range(memberships):
        fading = number % 2 == 1
        key, account, customer = f"flicks:M{number}", f"flicks:A{number}", f"C{number}"
        for day in range(days):
            date = FIRST + pd.Timedelta(days=day)
            ends = rng.random() < (0.03 if fading else 0.002)
            status_rows.append((date, key, "flicks", account, customer, "basic", not ends, ends, 100 + day))
            engagement_rows += [(account, customer, "flicks", date)] * rng.poisson(0.1 if fading else 2.0)
            if ends:
                break
    memberships_frame = pd.DataFrame(status_rows, columns=MEMBERSHIP_COLUMNS)
    engagement = pd.DataFrame(engagement_rows, columns=ENGAGEMENT_COLUMNS)
    return memberships_frame, engagement, pd.DataFrame(columns=BILLING_COLUMNS)


@pytest.fixture(scope="module")
def history():
    return synthetic_history(days=70)


def test_the_model_learns_that_fading_members_leave(history):
    model = train_churn_model(*history)
    assert model.is_trained
    assert model.horizon_days == 20  # 70 days: 7 of warm-up, then a third of the rest
    assert model.holdout_auc > 0.75
    assert model.training_endings > 0 and model.holdout_endings > 0
    assert model.cutoff < pd.Timestamp(history[0]["status_date"].max())

    scores = score_active_memberships(model, *history)
    assert list(scores.columns) == CHURN_SCORE_COLUMNS
    assert scores["churn_probability_30d"].between(0, 1).all()
    assert scores["membership_key"].is_unique
    engaged = scores["events_7d"] >= 7
    assert (
        scores.loc[~engaged, "churn_probability_30d"].mean()
        > 2 * scores.loc[engaged, "churn_probability_30d"].mean()
    )


def test_a_short_history_falls_back_to_the_base_rate():
    model = train_churn_model(*synthetic_history(days=20, memberships=50))
    assert not model.is_trained
    assert np.isnan(model.holdout_auc)
    assert model.notes
    scores = score_active_memberships(model, *synthetic_history(days=20, memberships=50))
    assert (scores["model"] == "base_rate").all()
    assert scores["churn_probability_30d"].nunique() == 1


def test_a_history_without_endings_trains_nothing():
    memberships, engagement, billing = synthetic_history(days=40, memberships=30)
    memberships = memberships.assign(ended_on_day=False, is_active=True)
    model = train_churn_model(memberships, engagement, billing)
    assert not model.is_trained
    assert (
        score_active_memberships(model, memberships, engagement, billing)["churn_probability_30d"] == 0
    ).all()


def test_no_memberships_at_all():
    empty = pd.DataFrame(columns=MEMBERSHIP_COLUMNS)
    engagement = pd.DataFrame(columns=ENGAGEMENT_COLUMNS)
    model = train_churn_model(empty, engagement, pd.DataFrame(columns=BILLING_COLUMNS))
    assert not model.is_trained
    assert score_active_memberships(model, empty, engagement, pd.DataFrame(columns=BILLING_COLUMNS)).empty


def test_features_and_labels_on_a_hand_made_membership():
    day = pd.Timestamp("2026-10-10")
    memberships = pd.DataFrame(
        {
            "status_date": [day, day, day + pd.Timedelta(days=3)],
            "membership_key": ["m1", "m2", "m1"],
            "business_line": "music",
            "account_key": ["a1", "a2", "a1"],
            "customer_key": ["c1", "c1", "c1"],
            "plan": "duo",
            "is_active": [True, True, False],
            "ended_on_day": [False, False, True],
            "membership_age_days": [25, 300, 28],
        }
    )
    engagement = pd.DataFrame(
        {
            "account_key": ["a1", "a1", "a2", "b1", "b1", "b1", "b2"],
            "customer_key": ["c1", "c1", "c1", "c1", "c1", "c1", "c2"],
            "business_line": ["music", "music", "music", "books", "books", "books", "books"],
            "activity_date": [
                day - pd.Timedelta(days=2),
                day - pd.Timedelta(days=10),
                day - pd.Timedelta(days=1),
                *[day - pd.Timedelta(days=ago) for ago in (1, 5, 40)],
                day,
            ],
        }
    )
    billing = pd.DataFrame(
        {
            "membership_key": ["m1", "m1", "m2", "m2"],
            "billing_date": [
                day - pd.Timedelta(days=30),
                day - pd.Timedelta(days=1),
                day - pd.Timedelta(days=4),
                day - pd.Timedelta(days=1),
            ],
            "event_type": ["payment", "failed_payment", "failed_payment", "payment"],
        }
    )
    features = membership_features(memberships, engagement, billing, [day]).set_index("membership_key")
    m1 = features.loc["m1"]
    assert (m1["events_7d"], m1["events_28d"], m1["days_since_last_event"]) == (1, 2, 2)
    # m1's account has 2 events, m2's 1: against the average member's 1.5, each with PRIOR_EVENTS.
    assert m1["relative_engagement"] == pytest.approx((2 + PRIOR_EVENTS) / (1.5 + PRIOR_EVENTS))
    m2 = features.loc["m2"]
    assert m2["relative_engagement"] == pytest.approx((1 + PRIOR_EVENTS) / (1.5 + PRIOR_EVENTS))
    # c1 reads Books (b1, no membership: 2 events in 28 days, one older) where such accounts have (2 + 1) / 2.
    assert m1["relative_engagement_elsewhere"] == pytest.approx((2 + PRIOR_EVENTS) / (1.5 + PRIOR_EVENTS))
    assert m1["payment_failed_unresolved"] == 1.0  # failed yesterday, not paid since
    assert m2["payment_failed_unresolved"] == 0.0  # failed, then paid
    assert m1["days_since_last_payment"] == 30
    assert (m1["days_to_renewal"], m2["days_to_renewal"]) == (5, 30)  # m2 renewed today
    # m2's failed charge was charged again 3 days later: a renewal can lapse 3 days after it falls due.
    assert (m1["days_to_renewal_retry"], m2["days_to_renewal_retry"]) == (8, 33)
    assert m1["other_active_memberships"] == 1
    labels = ending_labels(features.reset_index(), memberships, horizon_days=3)
    assert labels.tolist() == [True, False]
    assert ending_labels(features.reset_index(), memberships, horizon_days=2).tolist() == [False, False]


def test_the_retry_interval_is_read_from_the_billing_history():
    day = pd.Timestamp("2026-09-01")

    def billing(*charges):
        return pd.DataFrame(
            [(key, day + pd.Timedelta(days=offset), kind) for key, offset, kind in charges],
            columns=BILLING_COLUMNS,
        )

    assert retry_interval_days(billing(("m1", 0, "payment"))) == 0  # no failed charge yet
    assert retry_interval_days(billing(("m1", 0, "failed_payment"))) == 0  # its retry not yet due
    history = billing(
        ("m1", 0, "failed_payment"),
        ("m1", 1, "invoice"),  # not a charge
        ("m1", 3, "payment"),
        ("m2", 2, "failed_payment"),
        ("m2", 5, "failed_payment"),  # the retry failed: a lapse
        ("m3", 4, "failed_payment"),
        ("m3", 9, "payment"),
    )
    assert retry_interval_days(history) == 3  # gaps 3, 3 and 5


def test_a_renewal_counts_only_when_its_retry_falls_within_the_horizon():
    features = pd.DataFrame(
        {
            "relative_engagement": 1.0,
            "relative_engagement_elsewhere": 1.0,
            "payment_failed_unresolved": 0.0,
            "days_to_renewal": [4.0, 5.0, 30.0],
            "days_to_renewal_retry": [7.0, 8.0, 33.0],
            "business_line": "flicks",
        }
    )
    assert model_inputs(features, horizon_days=7)["renewal_retry_in_horizon"].tolist() == [1.0, 0.0, 0.0]
    assert model_inputs(features, horizon_days=30)["renewal_retry_in_horizon"].tolist() == [1.0, 1.0, 0.0]
