"""How well identity resolution (``marts.bridge_customer_account``) recognises people, against a ground truth.

A *link* is a pair of accounts put in the same customer. Resolution is scored on links, the way record
linkage is usually scored, so a person with four accounts weighs more than one with two:

* precision: of the links made, the share joining accounts of the same person;
* recall: of the links that should exist (pairs of accounts of one person), the share made;
* false merges: customers holding accounts of two or more different people, the error analysts feel most
  (one person's spend inflated by a stranger's), counted separately because one false merge can hide among
  many correct links;
* false splits: people whose accounts ended in two or more customers (one person seen as strangers).

Plain pandas, no warehouse and no Dagster, so it can be unit-tested with a handful of rows.
"""

import pandas as pd


def _pair_count(group_sizes: pd.Series) -> int:
    """Pairs that can be drawn inside each group, summed: n accounts make n * (n - 1) / 2 links."""
    return int((group_sizes * (group_sizes - 1) // 2).sum())


def evaluate_identity_links(bridge: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float | int]:
    """Score ``bridge`` (business_line, account_id, customer_key) against ``truth``.

    ``truth`` has one row per account: line, account_id and the person_id who really holds it.

    Only accounts present in both frames are scored, so a truth covering more days than were loaded
    does not count as missed links.
    """
    scored = bridge[["business_line", "account_id", "customer_key"]].merge(
        truth[["line", "account_id", "person_id"]].rename(columns={"line": "business_line"}),
        on=["business_line", "account_id"],
        how="inner",
    )
    return _scores(scored)


def evaluate_customers(customers: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float | int]:
    """Score ``resolve``'s result (account_key, customer_key) against a truth keyed by account_key too."""
    scored = customers[["account_key", "customer_key"]].merge(
        truth[["account_key", "person_id"]], on="account_key", how="inner"
    )
    return _scores(scored)


def _scores(scored: pd.DataFrame) -> dict[str, float | int]:
    """The scores of accounts that each carry their customer_key and their true person_id."""
    predicted_links = _pair_count(scored.groupby("customer_key").size())
    true_links = _pair_count(scored.groupby("person_id").size())
    correct_links = _pair_count(scored.groupby(["customer_key", "person_id"]).size())
    people_per_customer = scored.groupby("customer_key")["person_id"].nunique()
    customers_per_person = scored.groupby("person_id")["customer_key"].nunique()
    return {
        "accounts": len(scored),
        "customers": int(scored["customer_key"].nunique()),
        "people": int(scored["person_id"].nunique()),
        "predicted_links": predicted_links,
        "true_links": true_links,
        "correct_links": correct_links,
        "precision": correct_links / predicted_links if predicted_links else 1.0,
        "recall": correct_links / true_links if true_links else 1.0,
        "false_merges": int((people_per_customer > 1).sum()),
        "false_merge_share": float((people_per_customer > 1).mean()) if len(people_per_customer) else 0.0,
        "split_people": int((customers_per_person > 1).sum()),
        "split_people_share": float((customers_per_person > 1).mean()) if len(customers_per_person) else 0.0,
    }
