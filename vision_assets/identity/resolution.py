"""``resolve``: which accounts, across any businesses, belong to one person.

The pipeline is features (standard forms), linkage (Splink scores blocked pairs), threshold (chosen
from the model's own probabilities) and clusters (connected accounts, stable keys). ``resolve`` is the
pure entry point; ``resolve_identities`` returns everything the warehouse records beside it.
"""

import time
from dataclasses import dataclass, field

import pandas as pd

from vision_assets.identity.clusters import choose_threshold, cluster_accounts
from vision_assets.identity.features import with_features

# People hold one account per business when the model learned that fewer than this share of one
# person's account pairs sit in the same business; then a customer may not hold two accounts of one.
ONE_ACCOUNT_PER_BUSINESS_BELOW = 0.01
# The clerical-review band: links the model was least sure of, on either side of the threshold.
REVIEW_BAND = 0.15


@dataclass
class Resolution:
    """The customers, the pairs near the threshold, and how the model decided."""

    accounts: pd.DataFrame  # the input with its compared forms, one row per account
    customers: pd.DataFrame  # account_key, customer_key, anchor_account_key, match_probability
    review: pd.DataFrame  # scored pairs within REVIEW_BAND of the threshold, least certain first
    threshold: float
    expectations: dict[str, float]
    model: dict
    scored_pairs: int
    seconds: dict[str, float] = field(default_factory=dict)
    trained: bool = True  # False when a model trained before was reused (``trained_model``)


def resolve_identities(accounts: pd.DataFrame, trained_model: dict | None = None) -> Resolution:
    """Resolve ``accounts`` (see ``resolve``) and keep the evidence.

    ``trained_model`` (a ``Resolution.model`` of an earlier resolution) is used as it is instead of training
    one on ``accounts`` (see ``identity.retraining``, which decides when that is sound).
    """
    # Splink is imported when accounts are resolved, not when the code location loads (about 0.4 s that
    # every run worker and sensor tick would pay).
    from vision_assets.identity.linkage import same_business_share, score_pairs

    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    features = with_features(accounts)
    seconds["features"] = time.perf_counter() - clock
    if len(features) < 2:
        customers = _in_input_order(cluster_accounts(features, _no_links()), features)
        # Nothing to score: a model given is handed back as it is, so the next run can still reuse it.
        return Resolution(features, customers, _no_review(), 1.0, {}, trained_model or {}, 0, seconds, trained=False)
    scored = score_pairs(features, trained_model)
    seconds["linkage"] = time.perf_counter() - clock - sum(seconds.values())
    pairs = scored.pairs
    threshold, expectations = choose_threshold(pairs["match_probability"])
    links = pairs.loc[pairs["match_probability"] >= threshold, ["account_key_l", "account_key_r", "match_probability"]]
    same_business = same_business_share(scored.model)
    one_per_business = same_business is not None and same_business < ONE_ACCOUNT_PER_BUSINESS_BELOW
    customers = _in_input_order(
        cluster_accounts(features, links, one_account_per_business=one_per_business), features
    )
    expectations = {**expectations, "same_business_share": same_business, "one_account_per_business": one_per_business}
    seconds["clusters"] = time.perf_counter() - clock - sum(seconds.values())
    near = (pairs["match_probability"] - threshold).abs() <= REVIEW_BAND
    customer_of = customers.set_index("account_key")["customer_key"]
    review = pairs.loc[near].assign(
        distance_from_threshold=lambda frame: (frame["match_probability"] - threshold).abs(),
        linked=lambda frame: frame["account_key_l"].map(customer_of) == frame["account_key_r"].map(customer_of),
    ).sort_values(["distance_from_threshold", "account_key_l", "account_key_r"]).reset_index(drop=True)
    return Resolution(
        accounts=features,
        customers=customers,
        review=review,
        threshold=threshold,
        expectations=expectations,
        model=scored.model,
        scored_pairs=len(pairs),
        seconds=seconds,
        trained=scored.trained,
    )


def resolve(accounts: pd.DataFrame) -> pd.DataFrame:
    """Which person holds each account: ``account_key``, ``customer_key`` and ``match_probability``.

    ``accounts`` has one row per account with ``account_key`` (unique), ``business_line``,
    ``customer_name``, ``email``, ``country_code``, ``region``, ``city`` and ``signed_up_at``; any of
    them but ``account_key`` may be empty. The result has one row per account, in the input's order and
    with its keys as given. Accounts with one ``customer_key`` are one person. Keys are stable: the same
    accounts give the same keys, a new account joining a person keeps that person's key (as a new account
    signs up after the person's first), and when two customers merge the one who signed up first keeps
    theirs. ``match_probability`` is the
    probability of the weakest link that joined the account to its customer (empty for the customer's
    first account).
    """
    return resolve_identities(accounts).customers[["account_key", "customer_key", "match_probability"]]


def _in_input_order(customers: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    return customers.set_index("account_key").loc[features["account_key"]].reset_index()


def _no_review() -> pd.DataFrame:
    """The clerical-review list of a table too small to hold a pair: empty, with the scored pairs' columns."""
    columns = ["match_weight", "match_probability", "account_key_l", "account_key_r", "distance_from_threshold", "linked"]
    sides = ["customer_name", "email", "country_code", "city"]
    return pd.DataFrame(columns=[*columns, *(f"{name}_{side}" for name in sides for side in ("l", "r"))])


def _no_links() -> pd.DataFrame:
    return pd.DataFrame({"account_key_l": pd.Series(dtype=str), "account_key_r": pd.Series(dtype=str),
                         "match_probability": pd.Series(dtype=float)})
