"""What the recommendation and analytics assets share: how they read warehouse tables, the settings every
one of them takes, the metadata they record, and the grain checks on what they wrote."""

import dagster as dg
import pandas as pd

from vision_assets.identity.clusters import with_current_customers
from vision_assets.recommendations.measurement import Measurement
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY, warehouse_pool

OWNERS = ["team:data-science"]
TOP_N = 10
ALL_LINES_SCOPE = "all_lines"

# Retried when the warehouse was briefly unavailable, and only then (final_unless_transient).
RECOMMENDATIONS = {
    "group_name": "recommendations",
    "owners": OWNERS,
    "pool": warehouse_pool(),
    "retry_policy": WAREHOUSE_RETRY_POLICY,
}
ANALYTICS = {**RECOMMENDATIONS, "group_name": "analytics"}


def table_input(key: str, columns: list[str] | None = None) -> dg.AssetIn:
    """A warehouse table as an input, reading only ``columns`` (the IO manager selects them; all if None)."""
    return dg.AssetIn(key=key.split("."), metadata={"columns": columns} if columns else None)


# Days built before two customers were merged (or one split) carry the key of that day: the bridge gives
# each account's customer now.
BRIDGE_INPUT = table_input("marts.bridge_customer_account", ["account_key", "customer_key"])


def following_customers(bridge: pd.DataFrame, *facts: pd.DataFrame) -> list[pd.DataFrame]:
    """The facts with each account's customer as identity resolution sees it now (with_current_customers)."""
    return [with_current_customers(frame, bridge) for frame in facts]


def recommendable_products(products: pd.DataFrame) -> pd.DataFrame:
    """Everything in the catalog except membership plans (a plan is a subscription, not content)."""
    return products[products["product_type"] != "membership_plan"]


def measurement_metadata(prefix: str, measurement: Measurement) -> dict[str, dg.MetadataValue]:
    return {
        f"{prefix}_seconds": dg.MetadataValue.float(round(measurement.seconds, 2)),
        f"{prefix}_peak_memory_mb": dg.MetadataValue.float(round(measurement.peak_rss_mb, 1)),
        f"{prefix}_memory_increase_mb": dg.MetadataValue.float(round(measurement.peak_increase_mb, 1)),
    }


def table_metadata(frame: pd.DataFrame, schema: dg.TableSchema) -> dict[str, dg.MetadataValue]:
    return {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": dg.MetadataValue.table_schema(schema),
    }


def schema_columns(schema: dg.TableSchema) -> list[str]:
    return [column.name for column in schema.columns]


# The model checks are computed with the model, inside the materialization. The grain checks re-read what
# the IO manager wrote, so a table that lost or duplicated rows on its way into the warehouse is caught,
# whichever warehouse it is.
def duplicates(frame: pd.DataFrame, grain: list[str]) -> int:
    return int(frame.duplicated(grain).sum())


def grain_result(
    frame: pd.DataFrame, grain: list[str], extra_problems: dict[str, int] | None = None
) -> dg.AssetCheckResult:
    problems = {f"rows sharing ({', '.join(grain)})": duplicates(frame, grain), **(extra_problems or {})}
    found = {name: count for name, count in problems.items() if count}
    return dg.AssetCheckResult(
        passed=not found,
        description="; ".join(f"{count} {name}" for name, count in found.items())
        or f"{len(frame)} rows, grain holds",
        metadata={
            "rows": dg.MetadataValue.int(len(frame)),
            **{name: dg.MetadataValue.int(count) for name, count in problems.items()},
        },
    )
