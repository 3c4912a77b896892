"""Identity resolution as Dagster assets: a thin wrapper around ``vision_assets.identity.resolve``.

The four businesses' staging customer tables are read through the warehouse IO manager (DuckDB or
Snowflake alike), resolved in-process on an embedded DuckDB by Splink (the accounts table is small: a
few hundred thousand rows at scale 30), and written back through the IO manager:

* ``marts.bridge_customer_account``: which person holds each account, read by dbt's dim_customer and facts;
* ``marts.customer_key_map``: every customer key to the customer who holds it now, for days built
  before two customers were found to be one;
* ``analytics.identity_clerical_review``: the links the model was least sure of, for a person to check;
* ``analytics.identity_resolution_quality``: where the simulator's ground truth exists, how the
  resolution scores against it.
"""

import json
import math
from datetime import UTC, datetime

import dagster as dg
import pandas as pd
from pydantic import Field

from vision_assets import paths
from vision_assets.code_versions import source_hash
from vision_assets.identity.clusters import customer_key_of
from vision_assets.identity.evaluation import evaluate_identity_links
from vision_assets.identity.resolution import REVIEW_BAND, Resolution, resolve_identities
from vision_assets.identity.retraining import (
    RETRAIN_AFTER,
    RETRAIN_WHEN_ACCOUNTS_CHANGE_BY,
    choose_model,
    stamped,
)
from vision_assets.landing.contracts import BUSINESS_LINES
from vision_assets.simulate.engine import IDENTITY_TRUTH_FILE
from vision_assets.trust.declared import declared_schema
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY, final_unless_transient, warehouse_pool

OWNERS = ["team:data-engineering"]
# This package computes all four tables, whatever layer their keys name (see vision_assets/code_versions.py).
CODE_VERSION = source_hash("identity")
BRIDGE_KEY = dg.AssetKey(["marts", "bridge_customer_account"])
KEY_MAP_KEY = dg.AssetKey(["marts", "customer_key_map"])
REVIEW_KEY = dg.AssetKey(["analytics", "identity_clerical_review"])
QUALITY_KEY = dg.AssetKey(["analytics", "identity_resolution_quality"])
# What resolution must reach on the simulator's population, where the truth is known (issue targets).
MIN_PRECISION = 0.995
MIN_RECALL = 0.98
MAX_FALSE_MERGE_SHARE = 0.001
REVIEW_PREVIEW_ROWS = 20

# The staged customer tables identity resolution reads, one per business line (dbt's staging models).
STAGED_CUSTOMER_KEYS = {line: dg.AssetKey(["staging", f"stg_{line}__customers"]) for line in BUSINESS_LINES}
STAGED_COLUMNS = [
    "account_key", "business_line", "account_id", "customer_name", "email", "country_code", "region", "city",
    "geography_key", "signed_up_at", "updated_at",
]

BRIDGE_SCHEMA = declared_schema({
    "account_key": ("string", "Globally unique account key, '<business_line>:<account_id>'; every fact carries it."),
    "business_line": ("string", "Business line of the account: books, flicks, music or mart."),
    "account_id": ("string", "The account's identifier in its own business line."),
    "customer_key": ("string", (
        "The person the account belongs to; joins to dim_customer. Derived from the person's first account "
        "to sign up, so it stays as they open more accounts."
    )),
    "match_probability": ("double", (
        "The model's probability for the weakest link on the chain that joined this account to its "
        "customer's first account; empty on that first account."
    )),
    "is_anchor_account": ("boolean", "True on the person's first account to sign up (ties by account_key)."),
    "anchor_account_key": ("string", "account_key of the person's anchor account."),
    "customer_name": ("string", "Name as typed on this account (trimmed only)."),
    "email": ("string", "Email as typed on this account (trimmed only)."),
    "normalized_name": ("string", "The name compared: 'first last' in lower case, whatever order was typed."),
    "normalized_email": ("string", "The mailbox compared: case, Gmail dots and plus-tags removed."),
    "country_code": ("string", "ISO 3166-1 alpha-2 country of the account's billing address."),
    "region": ("string", "State, province or region of the billing address."),
    "city": ("string", "City of the billing address."),
    "geography_key": ("string", "The billing place; joins to dim_geography."),
    "signed_up_at": ("timestamp", "When the account was created (UTC)."),
    "updated_at": ("timestamp", "When the account's latest version was exported (UTC)."),
})
KEY_MAP_SCHEMA = declared_schema({
    "former_customer_key": ("string", "A customer key as a fact, a list or a report may still carry it."),
    "customer_key": ("string", "The customer who holds it now: the key to join dim_customer with."),
    "account_key": ("string", "The account the former key was derived from."),
    "is_current_key": ("boolean", "True when the former key is still a customer's key."),
})
REVIEW_SCHEMA = declared_schema({
    "match_probability": ("double", "The model's probability that the two accounts are one person."),
    "linked": ("boolean", (
        "Whether the two accounts ended in one customer. A pair above the threshold may not have: when the "
        "customer already held an account of the same business, the stronger link won."
    )),
    "distance_from_threshold": ("double", "How far the probability is from the threshold: least certain first."),
    "match_weight": ("double", "The log2 Bayes factor the comparisons added up to."),
    "account_key_l": ("string", "One account of the pair."),
    "account_key_r": ("string", "The other account."),
    "customer_name_l": ("string", "Name typed on the first account."),
    "customer_name_r": ("string", "Name typed on the second account."),
    "email_l": ("string", "Email typed on the first account."),
    "email_r": ("string", "Email typed on the second account."),
    "place_l": ("string", "Country and city of the first account."),
    "place_r": ("string", "Country and city of the second account."),
})
QUALITY_SCHEMA = declared_schema({
    "accounts": ("bigint", "Accounts scored (present in both the bridge and the ground truth)."),
    "people": ("bigint", "Real people holding them."),
    "customers": ("bigint", "Customers the resolution made of them."),
    "precision": ("double", "Of the account pairs put in one customer, the share that are one person."),
    "recall": ("double", "Of the account pairs that are one person, the share put in one customer."),
    "false_merges": ("bigint", "Customers holding two or more real people."),
    "false_merge_share": ("double", "false_merges as a share of customers."),
    "split_people": ("bigint", "People whose accounts ended in two or more customers."),
    "split_people_share": ("double", "split_people as a share of people."),
})


class IdentityResolutionConfig(dg.Config):
    retrain: bool = Field(
        default=False,
        description=(
            "Train the linkage model on today's accounts even though the last trained model could be reused. "
            "It is retrained anyway when the identity code changed, when the accounts changed by more than "
            f"{RETRAIN_WHEN_ACCOUNTS_CHANGE_BY:.0%} since it was trained, or when it is over "
            f"{RETRAIN_AFTER.days} days old (the bridge's `model_training` metadata says which happened)."
        ),
    )


@dg.multi_asset(
    outs={
        "bridge": dg.AssetOut(
            key=BRIDGE_KEY,
            is_required=False,
            group_name="marts",
            description=(
                "Which real person holds each account of Vision Books, Flicks, Music and Mart: one row per "
                "account with its customer_key. Resolved by probabilistic record linkage (Splink, "
                "Fellegi-Sunter): first and last names (exact, nickname, typo), email (same mailbox after "
                "normalising, a typo apart), billing place, sign-up date and business are compared on "
                "blocked pairs, each agreement weighted by how much likelier it is for one person than for "
                "strangers (common names and big cities weigh less), with no labels. The match threshold is "
                "chosen from the model's own probabilities and recorded in the metadata; a household's "
                "shared mailbox is no evidence; a customer never holds two accounts of one business when "
                "the model learned that people hold one each. The trained model is reused from day to day "
                "while the accounts stay within a few percent of those it was trained on, for at most a week "
                "(vision_assets/identity/retraining.py)."
            ),
            metadata={"dagster/column_schema": BRIDGE_SCHEMA},
            kinds={"python", "splink"},
            owners=OWNERS,
            code_version=CODE_VERSION,
        ),
        "customer_key_map": dg.AssetOut(
            key=KEY_MAP_KEY,
            is_required=False,
            group_name="marts",
            description=(
                "Every customer key Vision can have issued, and the customer who holds it now. A key is "
                "derived from a customer's first account, so every account's own key is listed: when new "
                "evidence merges two customers, the one who signed up first keeps their key and the other's "
                "retired key points here to the survivor, for a report or list that kept it. (Daily facts "
                "carry the key of the day they were built; re-key them by account_key through "
                "bridge_customer_account, which also follows a split.) Derived from the accounts alone, so "
                "it is the same on every rebuild."
            ),
            metadata={"dagster/column_schema": KEY_MAP_SCHEMA},
            kinds={"python"},
            owners=OWNERS,
            code_version=CODE_VERSION,
        ),
        "clerical_review": dg.AssetOut(
            key=REVIEW_KEY,
            is_required=False,
            group_name="analytics",
            description=(
                f"Pairs of accounts whose match probability lies within {REVIEW_BAND} of the threshold, least "
                "certain first, with what each account typed: the links a person should look at before "
                "trusting a customer's history. Linked pairs that prove wrong are false merges; unlinked "
                "ones that prove right are one person seen as two."
            ),
            metadata={"dagster/column_schema": REVIEW_SCHEMA},
            kinds={"python", "splink"},
            owners=OWNERS,
            code_version=CODE_VERSION,
        ),
    },
    ins={
        line: dg.AssetIn(key=key, metadata={"columns": STAGED_COLUMNS}) for line, key in STAGED_CUSTOMER_KEYS.items()
    },
    check_specs=[
        dg.AssetCheckSpec(
            "every_account_has_one_customer",
            asset=BRIDGE_KEY,
            description="Each account of the four staging customer tables appears once, with a customer key.",
        )
    ],
    # Any of the three tables can be materialized on its own; each costs one resolution.
    can_subset=True,
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
@final_unless_transient
def identity_resolution(
    context: dg.AssetExecutionContext,
    books: pd.DataFrame,
    flicks: pd.DataFrame,
    music: pd.DataFrame,
    mart: pd.DataFrame,
    config: IdentityResolutionConfig,
):
    """Resolve every account of the four businesses to one customer per real person."""
    staged = pd.concat([books, flicks, music, mart], ignore_index=True)
    now = datetime.now(UTC)
    choice = choose_model(_last_model(context), len(staged), CODE_VERSION, now, retrain=config.retrain)
    resolution = resolve_identities(staged, trained_model=choice.model)
    if resolution.trained:
        resolution.model = stamped(resolution.model, len(staged), CODE_VERSION, now)
    context.log.info(f"Linkage model {choice.reason}")
    bridge = bridge_table(staged, resolution)
    selected = context.selected_output_names
    if "bridge" in selected:
        expected = staged["account_key"].nunique()
        resolved_once = (
            len(bridge) == expected and bridge["account_key"].is_unique and bridge["customer_key"].notna().all()
        )
        metadata = {**_bridge_metadata(bridge, resolution), "model_training": dg.MetadataValue.text(choice.reason)}
        yield dg.Output(bridge, output_name="bridge", metadata=metadata)
        yield dg.AssetCheckResult(
            check_name="every_account_has_one_customer",
            asset_key=BRIDGE_KEY,
            passed=bool(resolved_once),
            metadata={"staged_accounts": expected, "bridge_rows": len(bridge)},
        )
    if "customer_key_map" in selected:
        key_map = customer_key_map(bridge)
        yield dg.Output(
            key_map,
            output_name="customer_key_map",
            metadata={
                "dagster/row_count": dg.MetadataValue.int(len(key_map)),
                "retired_keys_in_use": dg.MetadataValue.int(int((~key_map["is_current_key"]).sum())),
            },
        )
    if "clerical_review" in selected:
        review = clerical_review_table(resolution)
        yield dg.Output(review, output_name="clerical_review", metadata=_review_metadata(review, resolution))
    context.log.info(
        f"Resolved {len(bridge)} accounts into {bridge['customer_key'].nunique()} customers at threshold "
        f"{resolution.threshold} in {sum(resolution.seconds.values()):.1f} s"
    )


def _last_model(context: dg.AssetExecutionContext) -> dict | None:
    """The linkage model recorded on the bridge's latest materialization, if any."""
    event = context.instance.get_latest_materialization_event(BRIDGE_KEY)
    materialization = event.asset_materialization if event is not None else None
    recorded = materialization.metadata.get("model") if materialization is not None else None
    return recorded.value if isinstance(recorded, dg.JsonMetadataValue) else None


def bridge_table(staged: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """The staged accounts with their customers and the standard forms they were compared in."""
    forms = resolution.accounts[["account_key", "first_name", "last_name", "email_normalized"]]
    bridge = staged[STAGED_COLUMNS].merge(resolution.customers, on="account_key", how="left").merge(
        forms, on="account_key", how="left"
    )
    bridge["normalized_name"] = (bridge["first_name"].fillna("") + " " + bridge["last_name"].fillna("")).str.strip()
    bridge["normalized_name"] = bridge["normalized_name"].where(bridge["normalized_name"] != "", None)
    bridge["is_anchor_account"] = bridge["account_key"] == bridge["anchor_account_key"]
    bridge = bridge.rename(columns={"email_normalized": "normalized_email"})
    columns = [column.name for column in BRIDGE_SCHEMA.columns]
    return bridge[columns].sort_values("account_key", ignore_index=True)


def customer_key_map(bridge: pd.DataFrame) -> pd.DataFrame:
    """Each account's own key (the key it gives a customer it anchors) to its customer's key now."""
    key_map = pd.DataFrame({
        "former_customer_key": bridge["account_key"].map(customer_key_of),
        "customer_key": bridge["customer_key"],
        "account_key": bridge["account_key"],
    })
    key_map["is_current_key"] = key_map["former_customer_key"].isin(set(bridge["customer_key"]))
    return key_map.sort_values("former_customer_key", ignore_index=True)


def clerical_review_table(resolution: Resolution) -> pd.DataFrame:
    review = resolution.review.copy()
    for side in ("l", "r"):
        review[f"place_{side}"] = (
            review[f"country_code_{side}"].fillna("") + " " + review[f"city_{side}"].fillna("")
        ).str.strip()
    columns = [column.name for column in REVIEW_SCHEMA.columns]
    for column in columns:
        if column not in review.columns:
            review[column] = None
    return review[columns]


def _bridge_metadata(bridge: pd.DataFrame, resolution: Resolution) -> dict[str, dg.MetadataValue]:
    linked = bridge["match_probability"].dropna()
    expectations = resolution.expectations
    return {
        "dagster/row_count": dg.MetadataValue.int(len(bridge)),
        "customers": dg.MetadataValue.int(int(bridge["customer_key"].nunique())),
        "match_threshold": dg.MetadataValue.float(resolution.threshold),
        "expected_precision": dg.MetadataValue.float(round(float(expectations.get("expected_precision", 1.0)), 5)),
        "expected_recall": dg.MetadataValue.float(round(float(expectations.get("expected_recall", 1.0)), 5)),
        "one_account_per_business": dg.MetadataValue.bool(bool(expectations.get("one_account_per_business"))),
        "scored_pairs": dg.MetadataValue.int(resolution.scored_pairs),
        "weakest_linked_probability": dg.MetadataValue.float(float(linked.min()) if len(linked) else 1.0),
        "resolution_seconds": dg.MetadataValue.float(round(sum(resolution.seconds.values()), 2)),
        "model_weights": dg.MetadataValue.md(model_weights_markdown(resolution.model)),
        "model": dg.MetadataValue.json(json.loads(json.dumps(resolution.model, default=str))),
    }


def model_weights_markdown(model: dict) -> str:
    """The trained model as an analyst reads it: each comparison level's m, u and match weight."""
    rows = ["| comparison | level | m | u | weight (log2 m/u) |", "|---|---|---|---|---|"]
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = f"{math.log2(m / u):+.1f}" if m and u else "n/a (no evidence)"
            label = level.get("label_for_charts") or level.get("sql_condition", "")
            rows.append(
                f"| {comparison['output_column_name']} | {label} | "
                f"{'' if m is None else f'{m:.4g}'} | {'' if u is None else f'{u:.4g}'} | {weight} |"
            )
    return "\n".join(rows)


def _review_metadata(review: pd.DataFrame, resolution: Resolution) -> dict[str, dg.MetadataValue]:
    preview = review.head(REVIEW_PREVIEW_ROWS)[
        ["match_probability", "linked", "customer_name_l", "customer_name_r", "email_l", "email_r", "place_l", "place_r"]
    ]
    return {
        "dagster/row_count": dg.MetadataValue.int(len(review)),
        "match_threshold": dg.MetadataValue.float(resolution.threshold),
        "linked_pairs_in_review": dg.MetadataValue.int(int(review["linked"].sum())),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False, floatfmt=".3f")),
    }


@dg.asset(
    key=QUALITY_KEY,
    group_name="analytics",
    ins={"bridge": dg.AssetIn(key=BRIDGE_KEY, metadata={"columns": ["business_line", "account_id", "customer_key"]})},
    metadata={"dagster/column_schema": QUALITY_SCHEMA},
    kinds={"python"},
    owners=OWNERS,
    code_version=CODE_VERSION,
    check_specs=[
        dg.AssetCheckSpec(
            "meets_identity_targets",
            asset=QUALITY_KEY,
            description=(
                f"Against the simulator's ground truth: pairwise precision at least {MIN_PRECISION:.1%}, recall "
                f"at least {MIN_RECALL:.0%}, false merges under {MAX_FALSE_MERGE_SHARE:.1%} of customers. A warning "
                "when there is no ground truth to score against (a production warehouse)."
            ),
        )
    ],
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
@final_unless_transient
def identity_resolution_quality(context: dg.AssetExecutionContext, bridge: pd.DataFrame):
    """How well identity resolution recognises people, measured on the simulator's ground truth: pairwise
    precision and recall of the links, false merges (customers holding two or more real people, the error an
    analyst feels most) and false splits (one person seen as two). Empty where no ground truth exists."""
    truth_file = paths.simulator_truth_root() / IDENTITY_TRUTH_FILE
    if not truth_file.exists():
        unscored = pd.DataFrame({
            column.name: pd.Series(dtype="int64" if column.type == "bigint" else "float64")
            for column in QUALITY_SCHEMA.columns
        })
        yield dg.Output(unscored,
                        metadata={"dagster/row_count": dg.MetadataValue.int(0), "ground_truth": "none"})
        yield dg.AssetCheckResult(
            check_name="meets_identity_targets",
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"No ground truth at {truth_file}: the resolution is unscored.",
        )
        return
    scores = evaluate_identity_links(bridge, pd.read_csv(truth_file, dtype=str))
    columns = [column.name for column in QUALITY_SCHEMA.columns]
    yield dg.Output(
        pd.DataFrame([{column: scores[column] for column in columns}]),
        metadata={
            "dagster/row_count": dg.MetadataValue.int(1),
            **{name: dg.MetadataValue.float(float(scores[name])) for name in
               ("precision", "recall", "false_merge_share", "split_people_share")},
            "false_merges": dg.MetadataValue.int(int(scores["false_merges"])),
        },
    )
    meets = (
        scores["precision"] >= MIN_PRECISION
        and scores["recall"] >= MIN_RECALL
        and scores["false_merge_share"] < MAX_FALSE_MERGE_SHARE
    )
    yield dg.AssetCheckResult(
        check_name="meets_identity_targets",
        passed=bool(meets),
        metadata={name: float(scores[name]) for name in ("precision", "recall", "false_merge_share")},
    )


identity_assets = [identity_resolution, identity_resolution_quality]
