"""The probabilistic record-linkage model: Splink's Fellegi-Sunter, trained on the accounts themselves.

Splink scores every pair of accounts that a blocking rule brings together: each comparison (first name,
last name, email, place, sign-up date, business line) falls into a level, each level carries a weight
learned from the data (how much likelier that level is for one person's two accounts than for two
strangers'), and the weights add up to a match probability. Names and places are adjusted for how common
the value is: two "Smith"s in New York say less than two "Kowalczyk"s in Leeds.

No labels are needed: u (how often strangers agree) comes from random pairs, m (how often one person's
accounts agree) from expectation maximisation on pairs that share an email and, separately, a last name
and a city.
Splink runs the SQL on DuckDB here; its Spark backend takes the same settings to 100+ million records.
"""

import logging
from dataclasses import dataclass

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.exceptions import EMTrainingException

from vision_assets.identity.retraining import VISION_MODEL_KEY_PREFIX

# Pairs below this probability are not kept at all: far under any threshold worth choosing.
KEEP_PAIRS_ABOVE = 0.001
RANDOM_PAIRS_FOR_U = 3e6
TRAINING_SEED = 1234

_FIRST_NAME = cl.CustomComparison(
    output_column_name="first_name",
    comparison_description="First name: exact, nickname of one another, or how alike",
    comparison_levels=[
        cll.NullLevel("first_name"),
        cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
        cll.ArrayIntersectLevel("first_name_forms", min_intersection=1).configure(
            label_for_charts="Nickname of one another (Bob, Robert)"),
        cll.JaroWinklerLevel("first_name", 0.92),
        cll.JaroWinklerLevel("first_name", 0.80),
        cll.ElseLevel(),
    ],
)
_LAST_NAME = cl.CustomComparison(
    output_column_name="last_name",
    comparison_description="Last name: exact, one typo apart, or how alike",
    comparison_levels=[
        cll.NullLevel("last_name"),
        cll.ExactMatchLevel("last_name").configure(tf_adjustment_column="last_name"),
        cll.DamerauLevenshteinLevel("last_name", 1),
        cll.JaroWinklerLevel("last_name", 0.88),
        cll.ElseLevel(),
    ],
)
# An address one typo from another's is a typo only if the names do not contradict it: a wife's slip on
# her husband's mailbox is not evidence that she is him.
_FIRST_NAMES_AGREE = (
    "(first_name_l is null or first_name_r is null or list_has_any(first_name_forms_l, first_name_forms_r)"
    " or jaro_winkler_similarity(first_name_l, first_name_r) >= 0.8)"
)
_EMAIL = cl.CustomComparison(
    output_column_name="email",
    comparison_description="Email: the same mailbox, a typo apart, or another",
    comparison_levels=[
        cll.CustomLevel(
            "email_normalized_l is null or email_normalized_r is null or shared_mailbox_l or shared_mailbox_r",
            label_for_charts="Missing, or a household's shared mailbox",
        ).configure(is_null_level=True),
        cll.ExactMatchLevel("email_normalized"),
        # Only a slip in the letters counts. jsmith and jsmith7, or richard_davis and richarddavis at a
        # provider that keeps underscores, are two mailboxes: what a provider gives the second John Smith.
        cll.CustomLevel(
            "damerau_levenshtein(email_local_l, email_local_r) <= 1 and email_domain_l = email_domain_r"
            f" and email_letters_l <> email_letters_r and {_FIRST_NAMES_AGREE}",
            label_for_charts="One letter dropped or swapped, same provider, first names agree",
        ),
        cll.ElseLevel(),
    ],
)
_PLACE = cl.CustomComparison(
    output_column_name="place",
    comparison_description="Billing place: the same city, the same country (a city unknown or another), or elsewhere",
    comparison_levels=[
        cll.CustomLevel(
            "country_code_l is null or country_code_r is null", label_for_charts="Country missing"
        ).configure(is_null_level=True),
        cll.ExactMatchLevel("place_key").configure(tf_adjustment_column="place_key"),
        cll.CustomLevel(
            "country_code_l = country_code_r and (place_key_l is null or place_key_r is null)",
            label_for_charts="Same country, a city missing",
        ),
        cll.ExactMatchLevel("country_code"),
        cll.ElseLevel(),
    ],
)
_SIGNED_UP = cl.CustomComparison(
    output_column_name="signed_up_at",
    comparison_description="Sign-up dates: the same day, the same year, or further apart",
    comparison_levels=[
        cll.NullLevel("signed_up_at"),
        cll.AbsoluteTimeDifferenceLevel("signed_up_at", input_is_string=False, threshold=1, metric="day"),
        cll.AbsoluteTimeDifferenceLevel("signed_up_at", input_is_string=False, threshold=365, metric="day"),
        cll.ElseLevel(),
    ],
)
SAME_BUSINESS_LEVEL = "Two accounts in the same business"
_BUSINESS_LINE = cl.CustomComparison(
    output_column_name="business_line",
    comparison_description="Business: two accounts in one business, or one in each of two",
    comparison_levels=[
        cll.NullLevel("business_line"),
        cll.ExactMatchLevel("business_line").configure(label_for_charts=SAME_BUSINESS_LEVEL),
        cll.ElseLevel(),
    ],
)

# Pairs worth scoring: anything sharing a mailbox, a full name, or a last or first name within a city.
# Together they reach one person's accounts through a typo, a nickname, a move or a new address, while
# a city of millions never compares everyone with everyone (nor every "info@" with every other).
BLOCKING_RULES = (
    block_on("email_normalized"),
    block_on("first_name", "last_name"),
    block_on("last_name", "place_key"),
    block_on("first_name", "place_key"),
)
# Rules that admit almost no strangers, for estimating how many pairs are matches at all.
_DETERMINISTIC_RULES = (
    "l.email_normalized = r.email_normalized and l.first_name = r.first_name and not l.shared_mailbox",
    "l.first_name = r.first_name and l.last_name = r.last_name and l.email_local = r.email_local",
)


# (label, blocking rule) of each expectation-maximisation session.
_TRAINING_SESSIONS = (
    # A household's shared mailbox would teach the model that one person's accounts often carry two
    # first names; its pairs stay out of training as they stay out of the evidence.
    ("same unshared mailbox", "l.email_normalized = r.email_normalized and not l.shared_mailbox"),
    # The email levels read the first names too, so the second session blocks on neither.
    ("same last name and place", "l.last_name = r.last_name and l.place_key = r.place_key"),
)
# How many of the pairs that are one person the deterministic rules are taken to find (Splink's method).
_DETERMINISTIC_RECALL = 0.7


def linkage_settings(probability_two_random_accounts_match: float = 0.0001) -> SettingsCreator:
    return SettingsCreator(
        probability_two_random_records_match=probability_two_random_accounts_match,
        link_type="dedupe_only",
        unique_id_column_name="account_key",
        comparisons=[_FIRST_NAME, _LAST_NAME, _EMAIL, _PLACE, _SIGNED_UP, _BUSINESS_LINE],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
        # What each account typed, for the clerical-review list.
        additional_columns_to_retain=["customer_name", "email", "country_code", "city"],
    )


def same_business_share(model: dict) -> float | None:
    """How often the model learned that one person's two accounts are in the same business (its m)."""
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if level.get("label_for_charts") == SAME_BUSINESS_LEVEL:
                return level.get("m_probability")
    return None


def _probability_two_random_accounts_match(table) -> float:
    """The prior: pairs the deterministic rules find, over their recall, over all pairs (Splink's method).

    Counted with Splink's blocking analysis and computed here rather than by Splink's estimator, which
    gives 0 when the rules find no pair (a table without an obvious duplicate) and fails outright when
    they find every pair; here half a pair is added and the prior stays below one half.
    """
    [*_, summary] = count_comparisons_from_blocking_rules(
        table,
        blocking_rules=list(_DETERMINISTIC_RULES),
        link_type="dedupe_only",
        unique_id_column_name="account_key",
        record_sample_proportion=1.0,
    )
    total = max(summary["total_possible_comparison_count"], 1)
    return min(0.5, (summary["cumulative_comparison_count"] + 0.5) / _DETERMINISTIC_RECALL / total)


@dataclass
class ScoredPairs:
    """Every blocked pair of accounts with its match probability and weight, and the model that scored them."""

    pairs: pd.DataFrame  # account_key_l, account_key_r, match_weight, match_probability, *_l/_r columns
    model: dict  # Splink's settings with the prior and the trained m and u probabilities (JSON-serialisable)
    trained: bool  # whether the model was trained on these accounts (False: a trained model was reused)


def score_pairs(features: pd.DataFrame, trained_model: dict | None = None) -> ScoredPairs:
    """Score every blocked pair of ``features`` (see identity.features).

    Without ``trained_model`` the model is trained on ``features`` first (a few seconds: u from random
    pairs, m by expectation maximisation). With one (a ``ScoredPairs.model`` returned before), its prior
    and m and u probabilities are used as they are and only the pairs are scored: Splink's way of running
    a trained model on new records. Term frequencies (common names, big cities) are always those of
    ``features``.
    """
    # Splink warns about every comparison level a small table never shows; the model records what it
    # could not learn (vision_skipped_training_sessions), so only errors reach the log.
    logging.getLogger("splink").setLevel(logging.ERROR)
    database = DuckDBAPI()
    table = database.register(features, dataset_display_name="accounts")
    if trained_model is not None:
        settings = {key: value for key, value in trained_model.items() if not key.startswith(VISION_MODEL_KEY_PREFIX)}
        linker = Linker(table, settings, log_level=None)
        model = trained_model
    else:
        linker, model = _trained_linker(table)
    predictions = linker.inference.predict(threshold_match_probability=KEEP_PAIRS_ABOVE)
    return ScoredPairs(pairs=predictions.as_pandas_dataframe(), model=model, trained=trained_model is None)


def _trained_linker(table) -> tuple[Linker, dict]:
    prior = _probability_two_random_accounts_match(table)
    linker = Linker(table, linkage_settings(prior), log_level=None)
    training = linker.training
    training.estimate_u_using_random_sampling(max_pairs=RANDOM_PAIRS_FOR_U, seed=TRAINING_SEED)
    skipped = []
    for label, rule in _TRAINING_SESSIONS:
        try:
            training.estimate_parameters_using_expectation_maximisation(rule)
        except (ValueError, EMTrainingException) as error:
            # Too few pairs to learn from (a handful of accounts): the m probabilities this session would
            # have learned keep Splink's defaults, and the model records that it did.
            skipped.append(f"{label}: {error}")
    model = linker.misc.save_model_to_json()
    model[f"{VISION_MODEL_KEY_PREFIX}skipped_training_sessions"] = skipped
    return linker, model
