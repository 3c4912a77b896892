"""Identity links scored by hand on a tiny example: who was linked, who should have been, who was merged."""

import pandas as pd
import pytest

from vision_assets.identity.evaluation import evaluate_identity_links

# Ann holds three accounts, Bob two, Cat one.
TRUTH = pd.DataFrame(
    [
        ("books", "B1", "ann"),
        ("music", "M1", "ann"),
        ("mart", "S1", "ann"),
        ("books", "B2", "bob"),
        ("flicks", "F2", "bob"),
        ("music", "M3", "cat"),
    ],
    columns=["line", "account_id", "person_id"],
)


def bridge(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["business_line", "account_id", "customer_key"])


def test_a_perfect_resolution_scores_one_and_merges_nobody():
    scores = evaluate_identity_links(
        bridge(("books", "B1", "c1"), ("music", "M1", "c1"), ("mart", "S1", "c1"),
               ("books", "B2", "c2"), ("flicks", "F2", "c2"), ("music", "M3", "c3")),
        TRUTH,
    )
    assert scores["precision"] == 1.0
    assert scores["recall"] == 1.0
    assert scores["false_merges"] == 0
    assert scores["true_links"] == 4  # ann: 3 pairs, bob: 1 pair


def test_a_missed_account_lowers_recall_only():
    # Ann's mart account stays on its own: 2 of her 3 links are lost.
    scores = evaluate_identity_links(
        bridge(("books", "B1", "c1"), ("music", "M1", "c1"), ("mart", "S1", "c9"),
               ("books", "B2", "c2"), ("flicks", "F2", "c2"), ("music", "M3", "c3")),
        TRUTH,
    )
    assert scores["precision"] == 1.0
    assert scores["recall"] == pytest.approx(2 / 4)
    assert scores["false_merges"] == 0
    assert scores["split_people"] == 1
    assert scores["split_people_share"] == pytest.approx(1 / 3)


def test_merging_two_people_is_a_false_merge_and_costs_precision():
    # Bob's and Cat's accounts put in one customer: 2 wrong links (F2-M3, B2-M3) beside 1 right one.
    scores = evaluate_identity_links(
        bridge(("books", "B1", "c1"), ("music", "M1", "c1"), ("mart", "S1", "c1"),
               ("books", "B2", "c2"), ("flicks", "F2", "c2"), ("music", "M3", "c2")),
        TRUTH,
    )
    assert scores["false_merges"] == 1
    assert scores["false_merge_share"] == pytest.approx(1 / 2)  # of the two customers made
    assert scores["predicted_links"] == 6
    assert scores["precision"] == pytest.approx(4 / 6)
    assert scores["recall"] == 1.0


def test_accounts_outside_the_truth_are_not_scored():
    scores = evaluate_identity_links(
        bridge(("books", "B1", "c1"), ("music", "M1", "c1"), ("books", "B99", "c1")),
        TRUTH,
    )
    assert scores["accounts"] == 2
    assert scores["predicted_links"] == 1
    assert scores["precision"] == 1.0
    assert scores["recall"] == 1.0  # of the links among the scored accounts
