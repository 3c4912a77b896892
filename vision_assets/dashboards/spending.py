"""Dashboard 2, customer spending: what a person spends a month, across lines, by segment, and whether
customers of several businesses spend more than customers of one.

"Cross-business" is ``is_multi_line_customer`` of ``fct_customer_spend_monthly``: the person holds
accounts in more than one line (identity resolved across the four businesses), whether or not they
spent in all of them that month.
"""

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vision_assets.dashboards.page import Dashboard, Kpi, Panel
from vision_assets.dashboards.theme import (
    BUSINESS_LINES,
    LINE_FILTER_EXPR,
    LINE_NAMES,
    cents,
    line_colour,
    line_filter,
    with_line_names,
)

if TYPE_CHECKING:
    import altair as alt

NAME = "customer_spending"
SOURCES = ("demand.fct_customer_spend_monthly", "analytics.customer_segments")
SPEND_COLUMNS = [
    "spend_month",
    "customer_key",
    "business_line",
    "purchase_count",
    "net_spend_usd",
    "customer_month_net_spend_usd",
    "customer_month_line_count",
    "is_multi_line_customer",
]
# analytics.customer_segments: one row per customer with a readable segment label.
SEGMENT_COLUMNS = ["customer_key", "segment_label"]
NO_SEGMENT = "Not segmented"
CROSS = "Cross-business customers"
SINGLE = "Single-line customers"
_GROUP_COLOURS = {CROSS: "#6f42c1", SINGLE: "#9aa5b1"}


def _customer_group(is_multi_line: pd.Series) -> pd.Series:
    return np.where(is_multi_line.astype(bool), CROSS, SINGLE)


def customer_months(spend: pd.DataFrame) -> pd.DataFrame:
    """One row per person and month: the person's spend across all lines, and their group."""
    months = spend.drop_duplicates(["spend_month", "customer_key"])[
        [
            "spend_month",
            "customer_key",
            "customer_month_net_spend_usd",
            "customer_month_line_count",
            "is_multi_line_customer",
        ]
    ]
    return months.assign(group=_customer_group(months["is_multi_line_customer"]))


def customer_totals(spend: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per person over the window: net spend, months active, group and segment."""
    people = spend.groupby("customer_key", as_index=False).agg(
        net_spend_usd=("net_spend_usd", "sum"),
        months_with_spend=("spend_month", "nunique"),
        lines_with_spend=("business_line", "nunique"),
        is_multi_line_customer=("is_multi_line_customer", "max"),
    )
    people = people.merge(segments[SEGMENT_COLUMNS], on="customer_key", how="left", validate="one_to_one")
    people["segment_label"] = people["segment_label"].fillna(NO_SEGMENT)
    return people.assign(group=_customer_group(people["is_multi_line_customer"]))


def _spend_by_month(spend: pd.DataFrame) -> "alt.VConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    by_month = with_line_names(
        spend.groupby(["spend_month", "business_line"], as_index=False).agg(
            net_spend_usd=("net_spend_usd", "sum"), customers=("customer_key", "nunique")
        )
    )
    by_month["month"] = pd.to_datetime(by_month["spend_month"]).dt.strftime("%Y-%m")
    base = alt.Chart(by_month).transform_filter(LINE_FILTER_EXPR)
    total = (
        base.mark_bar()
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("sum(net_spend_usd):Q", title="Net spend (USD)"),
            color=line_colour(),
            tooltip=[
                "month:O",
                "line:N",
                alt.Tooltip("sum(net_spend_usd):Q", title="Net spend", format="$,.2f"),
                alt.Tooltip("sum(customers):Q", title="Customers who spent", format=","),
            ],
        )
        .properties(width=380, height=220, title="Net spend per month")
    )
    per_customer = (
        base.transform_calculate(spend_per_customer="datum.net_spend_usd / datum.customers")
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("spend_per_customer:Q", title="Net spend per customer who spent in the line (USD)"),
            color=line_colour(legend=False),
            tooltip=[
                "month:O",
                "line:N",
                alt.Tooltip("spend_per_customer:Q", title="Per customer", format="$,.2f"),
                alt.Tooltip("customers:Q", title="Customers", format=","),
            ],
        )
        .properties(width=380, height=220, title="Spend per customer in each line")
    )
    return alt.hconcat(total, per_customer).add_params(line_filter())


def _cross_vs_single(months: pd.DataFrame, people: pd.DataFrame) -> "alt.HConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    group_colours = alt.Scale(domain=list(_GROUP_COLOURS), range=list(_GROUP_COLOURS.values()))
    monthly = months.groupby(["spend_month", "group"], as_index=False).agg(
        net_spend_usd=("customer_month_net_spend_usd", "sum"), customers=("customer_key", "nunique")
    )
    monthly["month"] = pd.to_datetime(monthly["spend_month"]).dt.strftime("%Y-%m")
    monthly["spend_per_customer"] = monthly["net_spend_usd"] / monthly["customers"]
    average = (
        alt.Chart(monthly)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="Month"),
            xOffset="group:N",
            y=alt.Y("spend_per_customer:Q", title="Average monthly spend per customer (USD)"),
            color=alt.Color("group:N", title=None, scale=group_colours, legend=alt.Legend(orient="top")),
            tooltip=[
                "month:O",
                "group:N",
                alt.Tooltip("spend_per_customer:Q", title="Per customer", format="$,.2f"),
                alt.Tooltip("customers:Q", format=","),
            ],
        )
        .properties(width=300, height=220, title="Average spend per customer and month")
    )
    top = max(float(np.quantile(people["net_spend_usd"].clip(lower=0), 0.98)), 1.0)
    edges = np.linspace(0.0, float(np.ceil(top / 20) * 20), 21)
    binned = (
        people.assign(
            band=pd.cut(
                people["net_spend_usd"].clip(lower=0, upper=edges[-1]), bins=edges, include_lowest=True
            )
        )
        .groupby(["band", "group"], observed=True, as_index=False)
        .agg(customers=("customer_key", "count"))
    )
    binned["from_usd"] = binned["band"].map(lambda band: band.left).astype(float)
    binned["to_usd"] = binned["band"].map(lambda band: band.right).astype(float)
    binned = binned.drop(columns="band")
    distribution = (
        alt.Chart(binned)
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X(
                "from_usd:Q", bin="binned", title="Net spend over the window (USD, top 2% in the last bar)"
            ),
            x2="to_usd:Q",
            y=alt.Y("customers:Q", title="Customers", stack=True),
            color=alt.Color("group:N", title=None, scale=group_colours, legend=None),
            tooltip=[
                "group:N",
                alt.Tooltip("from_usd:Q", title="From", format="$,.0f"),
                alt.Tooltip("to_usd:Q", title="To", format="$,.0f"),
                alt.Tooltip("customers:Q", format=","),
            ],
        )
        .properties(width=380, height=220, title="How much people spend")
    )
    by_lines = months.groupby("customer_month_line_count", as_index=False).agg(
        net_spend_usd=("customer_month_net_spend_usd", "sum"), customer_months=("customer_key", "count")
    )
    by_lines["spend_per_customer_month"] = by_lines["net_spend_usd"] / by_lines["customer_months"]
    lines_used = (
        alt.Chart(by_lines)
        .mark_bar(color="#6f42c1")
        .encode(
            x=alt.X("customer_month_line_count:O", title="Lines the person bought from in the month"),
            y=alt.Y("spend_per_customer_month:Q", title="Average spend in the month (USD)"),
            tooltip=[
                alt.Tooltip("customer_month_line_count:O", title="Lines"),
                alt.Tooltip("spend_per_customer_month:Q", title="Per customer", format="$,.2f"),
                alt.Tooltip("customer_months:Q", title="Customer-months", format=","),
            ],
        )
        .properties(width=200, height=220, title="Spend by lines used")
    )
    return alt.hconcat(average, distribution, lines_used)


def _segments(spend: pd.DataFrame, people: pd.DataFrame) -> tuple["alt.HConcatChart", pd.DataFrame]:
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    summary = people.groupby("segment_label", as_index=False).agg(
        customers=("customer_key", "count"), net_spend_usd=("net_spend_usd", "sum")
    )
    summary["spend_per_customer"] = summary["net_spend_usd"] / summary["customers"]
    summary = summary.sort_values("net_spend_usd", ascending=False, ignore_index=True)
    by_line = with_line_names(
        spend.merge(people[["customer_key", "segment_label"]], on="customer_key")
        .groupby(["segment_label", "business_line"], as_index=False)["net_spend_usd"]
        .sum()
    )
    order = summary["segment_label"].tolist()
    per_customer = (
        alt.Chart(summary)
        .mark_bar(color="#6f42c1")
        .encode(
            y=alt.Y("segment_label:N", sort=order, title=None),
            x=alt.X("spend_per_customer:Q", title="Net spend per customer (USD)"),
            tooltip=[
                alt.Tooltip("segment_label:N", title="Segment"),
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("spend_per_customer:Q", title="Per customer", format="$,.2f"),
                alt.Tooltip("net_spend_usd:Q", title="Net spend", format="$,.2f"),
            ],
        )
        .properties(width=300, height=max(120, 26 * len(order)), title="Spend per customer by segment")
    )
    mix = (
        alt.Chart(by_line)
        .mark_bar()
        .encode(
            y=alt.Y("segment_label:N", sort=order, title=None),
            x=alt.X(
                "sum(net_spend_usd):Q",
                stack="normalize",
                title="Share of the segment's spend",
                axis=alt.Axis(format="%"),
            ),
            color=line_colour(),
            order=alt.Order("line:N"),
            tooltip=[
                alt.Tooltip("segment_label:N", title="Segment"),
                "line:N",
                alt.Tooltip("sum(net_spend_usd):Q", title="Net spend", format="$,.2f"),
            ],
        )
        .properties(width=360, height=max(120, 26 * len(order)), title="Where each segment spends")
    )
    return alt.hconcat(per_customer, mix), summary


def build(spend: pd.DataFrame, segments: pd.DataFrame) -> Dashboard:
    """The page from demand.fct_customer_spend_monthly (SPEND_COLUMNS) and analytics.customer_segments."""
    if spend.empty:
        raise ValueError("demand.fct_customer_spend_monthly has no rows: there is no spending to show yet")
    months = customer_months(spend)
    people = customer_totals(spend, segments)
    total = cents(spend["net_spend_usd"].sum())
    groups = people.groupby("group").agg(
        customers=("customer_key", "count"), net_spend_usd=("net_spend_usd", "sum")
    )
    totals: dict[str, float | int | str] = {
        "net_spend_usd": total,
        "spending_customers": int(spend["customer_key"].nunique()),
        "net_spend_per_customer_usd": cents(total / spend["customer_key"].nunique()),
    }
    for label, key in ((CROSS, "cross_business"), (SINGLE, "single_line")):
        customers = int(groups["customers"].get(label, 0))
        net = cents(groups["net_spend_usd"].get(label, 0.0))
        totals[f"{key}_customers"] = customers
        totals[f"{key}_net_spend_usd"] = net
        totals[f"{key}_net_spend_per_customer_usd"] = cents(net / customers) if customers else 0.0
    by_line = spend.groupby("business_line")["net_spend_usd"].sum()
    for line in BUSINESS_LINES:
        totals[f"net_spend_usd.{line}"] = cents(by_line.get(line, 0.0))
    segment_chart, segment_summary = _segments(spend, people)
    preview = pd.DataFrame(
        {
            "Segment": segment_summary["segment_label"],
            "Customers": segment_summary["customers"].astype(int),
            "Net spend (USD)": segment_summary["net_spend_usd"].map(cents),
            "Net spend per customer (USD)": segment_summary["spend_per_customer"].map(cents),
        }
    )
    first, last = (
        pd.to_datetime(spend["spend_month"]).min().date(),
        pd.to_datetime(spend["spend_month"]).max().date(),
    )
    cross, single = (
        totals["cross_business_net_spend_per_customer_usd"],
        totals["single_line_net_spend_per_customer_usd"],
    )
    return Dashboard(
        name=NAME,
        title="Customer spending",
        question=f"How much does a customer spend, and do customers of several businesses spend more? "
        f"Cross-business customers spent ${cross:,.2f} each over the window, single-line ones ${single:,.2f}.",
        sources=SOURCES,
        window_start=first,
        window_end=last,
        window_grain="month",
        totals=totals,
        kpis=(
            Kpi("net_spend_usd", "Net spend, all customers"),
            Kpi("spending_customers", "Customers who spent", "count"),
            Kpi("net_spend_per_customer_usd", "Net spend per customer"),
            Kpi("cross_business_customers", "Cross-business customers", "count", note="accounts in 2+ lines"),
            Kpi("cross_business_net_spend_per_customer_usd", "Spend per cross-business customer"),
            Kpi("single_line_net_spend_per_customer_usd", "Spend per single-line customer"),
        ),
        panels=(
            Panel(
                "spend_by_month",
                "Spending over the months",
                "Net spend per month by line, and what a customer who bought in a line spent there. "
                "Pick one line in the drop-down to isolate it.",
                chart=_spend_by_month(spend),
            ),
            Panel(
                "cross_vs_single",
                "Cross-business against single-line customers",
                "Average spend per customer each month, the spread of spend over the window, and spend by how "
                "many lines a person bought from in the month.",
                chart=_cross_vs_single(months, people),
            ),
            Panel(
                "segments",
                "Segments",
                "Customer segments from analytics.customer_segments: spend per customer and the mix of lines "
                "each segment spends in.",
                chart=segment_chart,
            ),
            Panel(
                "segment_table",
                "Segments in figures",
                "Customers and net spend per segment over the window.",
                table=preview,
                kind="table",
            ),
        ),
        preview=preview,
        preview_panel="cross_vs_single",
        notes=(
            "Spend is net of discounts and refunds, in USD; a refund lowers spend in the month it happens.",
            f"Customers without a segment (new since segmentation last ran) are shown as '{NO_SEGMENT}'.",
            f"Lines shown: {', '.join(LINE_NAMES[line] for line in BUSINESS_LINES)}.",
        ),
    )
