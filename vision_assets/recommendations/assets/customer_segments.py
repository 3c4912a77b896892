"""Every customer in one RFM segment, across the four businesses: the analytics view of who is active."""

import dagster as dg
import pandas as pd

from vision_assets.recommendations import segments
from vision_assets.recommendations.assets.common import (
    ANALYTICS,
    BRIDGE_INPUT,
    following_customers,
    grain_result,
    table_input,
    table_metadata,
)
from vision_assets.trust.declared import declared_lineage, declared_schema
from vision_assets.warehouse import final_unless_transient

_FACTS = ("fct_sales", "fct_engagement", "fct_reviews")
_INTERACTION_TIMES = [
    "marts.fct_sales.sold_at",
    "marts.fct_engagement.engaged_at",
    "marts.fct_reviews.reviewed_at",
]
_ACTIVITY = [
    *(f"marts.{table}.{column}" for table in _FACTS for column in ("customer_key", "business_line")),
    *_INTERACTION_TIMES,
]
_REVENUE = ["marts.fct_sales.customer_key", "marts.fct_sales.sold_at", "marts.fct_sales.net_amount_usd"]

CUSTOMER_SEGMENTS_SCHEMA = declared_schema(
    {
        "customer_key": ("varchar", "The person (dim_customer), across all four businesses."),
        "segment_label": ("varchar", "Readable segment: " + ", ".join(segments.SEGMENT_LABELS) + "."),
        "segment_description": ("varchar", "What the segment means, in a sentence."),
        "rfm_code": (
            "varchar",
            "Recency, frequency and monetary scores as three digits (555 = best); empty if dormant.",
        ),
        "recency_score": (
            "bigint",
            "5 = among the fifth of customers active most recently; 1 = least recently.",
        ),
        "frequency_score": ("bigint", "5 = among the fifth with the most active days in the window."),
        "monetary_score": ("bigint", "5 = among the fifth with the highest net spend in the window."),
        "recency_days": ("bigint", "Days from the customer's last activity to the as-of day."),
        "active_days": ("bigint", "Distinct days with any activity in the 90-day window."),
        "monetary_usd": (
            "double",
            "Net spend in USD in the window: orders and membership payments less refunds.",
        ),
        "business_lines_active": ("bigint", "How many of the four businesses the customer was active in."),
        "last_active_at": ("timestamp", "The customer's last activity (UTC)."),
        "as_of_date": ("date", "The day the segments describe: the latest day with data."),
    }
)


_RFM = [*_ACTIVITY, *_REVENUE]
CUSTOMER_SEGMENTS_LINEAGE = declared_lineage(
    {
        "customer_key": ["marts.dim_customer.customer_key"],
        "segment_label": _RFM,
        "segment_description": _RFM,
        "rfm_code": _RFM,
        "recency_score": _ACTIVITY,
        "frequency_score": _ACTIVITY,
        "monetary_score": _REVENUE,
        "recency_days": _ACTIVITY,
        "active_days": _ACTIVITY,
        "monetary_usd": _REVENUE,
        "business_lines_active": _ACTIVITY,
        "last_active_at": _ACTIVITY,
        "as_of_date": _INTERACTION_TIMES,
    }
)


@dg.asset(
    key=["analytics", "customer_segments"],
    metadata={
        "dagster/column_schema": CUSTOMER_SEGMENTS_SCHEMA,
        "dagster/column_lineage": CUSTOMER_SEGMENTS_LINEAGE,
    },
    ins={
        "sales": table_input(
            "marts.fct_sales", ["customer_key", "account_key", "business_line", "sold_at", "net_amount_usd"]
        ),
        "engagement": table_input(
            "marts.fct_engagement", ["customer_key", "account_key", "business_line", "engaged_at"]
        ),
        "reviews": table_input(
            "marts.fct_reviews", ["customer_key", "account_key", "business_line", "reviewed_at"]
        ),
        "customers": table_input("marts.dim_customer", ["customer_key"]),
        "bridge": BRIDGE_INPUT,
    },
    kinds={"python", "pandas"},
    **ANALYTICS,
)
@final_unless_transient
def customer_segments(
    context: dg.AssetExecutionContext,
    bridge: pd.DataFrame,
    sales: pd.DataFrame,
    engagement: pd.DataFrame,
    reviews: pd.DataFrame,
    customers: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Every customer in one RFM segment with a readable label (Champions, Loyal customers, At risk, ...),
    across all four businesses: how recently they were active, on how many days of the last 90, and how
    much they spent (net USD).

    Scores are 1-5 by quintile among active customers, so they adapt as the business grows; customers with
    no activity in the window are Dormant. Rebuilt whole every day as of the latest day with data.
    """
    sales, engagement, reviews = following_customers(bridge, sales, engagement, reviews)
    activity = pd.concat(
        [
            sales[["customer_key", "business_line"]].assign(occurred_at=pd.to_datetime(sales["sold_at"])),
            engagement[["customer_key", "business_line"]].assign(
                occurred_at=pd.to_datetime(engagement["engaged_at"])
            ),
            reviews[["customer_key", "business_line"]].assign(
                occurred_at=pd.to_datetime(reviews["reviewed_at"])
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["customer_key", "occurred_at"])
    revenue = pd.DataFrame(
        {
            "customer_key": sales["customer_key"],
            "occurred_at": pd.to_datetime(sales["sold_at"]),
            "net_amount_usd": pd.to_numeric(sales["net_amount_usd"]).astype(float),
        }
    )
    as_of = activity["occurred_at"].max() if len(activity) else pd.Timestamp.now(tz="UTC").tz_localize(None)
    frame = segments.rfm_segments(activity, revenue, customers, as_of)
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    counts = frame["segment_label"].value_counts()
    return dg.Output(
        frame,
        metadata={
            **table_metadata(frame, CUSTOMER_SEGMENTS_SCHEMA),
            "as_of_date": dg.MetadataValue.text(str(pd.Timestamp(as_of).date())),
            **{
                f"customers/{label}": dg.MetadataValue.int(int(counts.get(label, 0)))
                for label in segments.SEGMENT_LABELS
            },
        },
    )


@dg.asset_check(
    asset=customer_segments,
    description="Exactly one segment per customer, and every label one of the documented ones.",
)
def customer_segments_grain(customer_segments: pd.DataFrame) -> dg.AssetCheckResult:
    return grain_result(
        customer_segments,
        ["customer_key"],
        {
            "unknown segment labels": int(
                (~customer_segments["segment_label"].isin(segments.SEGMENT_LABELS)).sum()
            )
        },
    )
