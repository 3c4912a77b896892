"""Dashboard 1, sales split by business line: which line earns the most, and how each moves day by day."""

from typing import TYPE_CHECKING

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

NAME = "sales_by_business_line"
SOURCES = ("demand.fct_daily_demand",)
# The columns of demand.fct_daily_demand this page reads.
DEMAND_COLUMNS = [
    "demand_date",
    "business_line",
    "units_sold",
    "purchase_count",
    "refund_count",
    "gross_revenue_usd",
    "discount_usd",
    "refund_usd",
    "net_revenue_usd",
]
_MEASURES = [
    "units_sold",
    "purchase_count",
    "refund_count",
    "gross_revenue_usd",
    "discount_usd",
    "refund_usd",
    "net_revenue_usd",
]


def daily_sales_by_line(daily_demand: pd.DataFrame) -> pd.DataFrame:
    """Day x business line sums of fct_daily_demand (every line appears each day, zero when quiet)."""
    frame = daily_demand.assign(demand_date=pd.to_datetime(daily_demand["demand_date"]))
    daily = frame.groupby(["demand_date", "business_line"], as_index=False)[_MEASURES].sum()
    days = pd.date_range(daily["demand_date"].min(), daily["demand_date"].max(), freq="D")
    grid = pd.MultiIndex.from_product([days, list(BUSINESS_LINES)], names=["demand_date", "business_line"])
    return with_line_names(
        daily.set_index(["demand_date", "business_line"]).reindex(grid, fill_value=0).reset_index()
    )


def line_totals(daily: pd.DataFrame) -> pd.DataFrame:
    totals = daily.groupby("business_line", as_index=False)[_MEASURES].sum()
    totals["net_revenue_usd"] = totals["net_revenue_usd"].map(cents)
    total = totals["net_revenue_usd"].sum()
    totals["share_of_net_revenue"] = totals["net_revenue_usd"] / total if total else 0.0
    return with_line_names(totals.sort_values("net_revenue_usd", ascending=False, ignore_index=True))


def _charts(daily: pd.DataFrame) -> "alt.VConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    choice = line_filter()
    brush = alt.selection_interval(encodings=["x"], name="days")
    base = alt.Chart(daily).transform_filter(LINE_FILTER_EXPR)
    over_time = (
        base.mark_area(opacity=0.85)
        .encode(
            x=alt.X("demand_date:T", title="Day (UTC)"),
            y=alt.Y("sum(net_revenue_usd):Q", title="Net revenue (USD)", stack=True),
            color=line_colour(),
            tooltip=[
                alt.Tooltip("demand_date:T", title="Day"),
                "line:N",
                alt.Tooltip("sum(net_revenue_usd):Q", title="Net revenue", format="$,.2f"),
            ],
        )
        .add_params(brush)
        .properties(
            width=820, height=220, title="Net revenue per day — drag across days to filter the bars below"
        )
    )
    in_window = base.transform_filter(brush)
    revenue = (
        in_window.mark_bar()
        .encode(
            y=alt.Y("line:N", sort="-x", title=None),
            x=alt.X("sum(net_revenue_usd):Q", title="Net revenue (USD)"),
            color=line_colour(legend=False),
            tooltip=[
                "line:N",
                alt.Tooltip("sum(net_revenue_usd):Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("sum(gross_revenue_usd):Q", title="Gross revenue", format="$,.2f"),
                alt.Tooltip("sum(refund_usd):Q", title="Refunds", format="$,.2f"),
            ],
        )
        .properties(width=380, height=160, title="Net revenue by line (selected days)")
    )
    units = (
        in_window.mark_bar()
        .encode(
            y=alt.Y("line:N", sort="-x", title=None),
            x=alt.X("sum(units_sold):Q", title="Units sold"),
            color=line_colour(legend=False),
            tooltip=["line:N", alt.Tooltip("sum(units_sold):Q", title="Units", format=",")],
        )
        .properties(width=380, height=160, title="Units sold by line (selected days)")
    )
    return alt.vconcat(over_time, alt.hconcat(revenue, units)).add_params(choice)


def _share_chart(totals: pd.DataFrame) -> "alt.Chart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    return (
        alt.Chart(totals)
        .mark_arc(innerRadius=60)
        .encode(
            theta=alt.Theta("net_revenue_usd:Q"),
            color=line_colour(),
            tooltip=[
                "line:N",
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("share_of_net_revenue:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width=260, height=260)
    )


def _revenue_bridge(totals: pd.DataFrame) -> "alt.Chart":
    """Gross to net per line: what discounts and refunds take away."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    long = totals.melt(
        id_vars=["line"],
        value_vars=["gross_revenue_usd", "discount_usd", "refund_usd", "net_revenue_usd"],
        var_name="measure",
        value_name="usd",
    )
    long["measure"] = long["measure"].map(
        {
            "gross_revenue_usd": "Gross",
            "discount_usd": "Discounts",
            "refund_usd": "Refunds",
            "net_revenue_usd": "Net",
        }
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("measure:N", sort=["Gross", "Discounts", "Refunds", "Net"], title=None),
            y=alt.Y("usd:Q", title="USD"),
            color=line_colour(legend=False),
            column=alt.Column("line:N", title=None, sort=[LINE_NAMES[line] for line in BUSINESS_LINES]),
            tooltip=["line:N", "measure:N", alt.Tooltip("usd:Q", format="$,.2f")],
        )
        .properties(width=150, height=180)
        .resolve_scale(y="independent")
    )


def build(daily_demand: pd.DataFrame) -> Dashboard:
    """The page from demand.fct_daily_demand (its DEMAND_COLUMNS, any number of days)."""
    if daily_demand.empty:
        raise ValueError("demand.fct_daily_demand has no rows: there are no sales to show yet")
    daily = daily_sales_by_line(daily_demand)
    totals_by_line = line_totals(daily)
    leader = totals_by_line.iloc[0]
    totals: dict[str, float | int | str] = {
        "net_revenue_usd": cents(daily_demand["net_revenue_usd"].sum()),
        "gross_revenue_usd": cents(daily_demand["gross_revenue_usd"].sum()),
        "units_sold": int(daily_demand["units_sold"].sum()),
        "purchase_count": int(daily_demand["purchase_count"].sum()),
        "leading_line": str(leader["line"]),
        "leading_line_share": round(float(leader["share_of_net_revenue"]), 4),
    }
    for row in totals_by_line.itertuples():
        totals[f"net_revenue_usd.{row.business_line}"] = cents(row.net_revenue_usd)
        totals[f"units_sold.{row.business_line}"] = int(row.units_sold)
    table = pd.DataFrame(
        {
            "Business line": totals_by_line["line"],
            "Net revenue (USD)": totals_by_line["net_revenue_usd"].round(2),
            "Share of net revenue": totals_by_line["share_of_net_revenue"].map("{:.1%}".format),
            "Gross revenue (USD)": totals_by_line["gross_revenue_usd"].round(2),
            "Discounts (USD)": totals_by_line["discount_usd"].round(2),
            "Refunds (USD)": totals_by_line["refund_usd"].round(2),
            "Units sold": totals_by_line["units_sold"].astype(int),
            "Purchases": totals_by_line["purchase_count"].astype(int),
            "Refunds (count)": totals_by_line["refund_count"].astype(int),
        }
    )
    first, last = daily["demand_date"].min().date(), daily["demand_date"].max().date()
    return Dashboard(
        name=NAME,
        title="Sales by business line",
        question=f"Which business line earns the most? {leader['line']} leads with "
        f"{leader['share_of_net_revenue']:.0%} of net revenue.",
        sources=SOURCES,
        window_start=first,
        window_end=last,
        totals=totals,
        kpis=(
            Kpi("net_revenue_usd", "Net revenue, all lines", note="after discounts and refunds"),
            Kpi("units_sold", "Units sold", "count"),
            Kpi(
                "leading_line",
                "Leading line",
                "text",
                note=f"{leader['share_of_net_revenue']:.1%} of net revenue",
            ),
            *(Kpi(f"net_revenue_usd.{line}", f"Net revenue, {LINE_NAMES[line]}") for line in BUSINESS_LINES),
        ),
        panels=(
            Panel(
                "revenue_over_time",
                "Revenue and units over time",
                "Daily net revenue stacked by business line. Drag across the top chart to choose days; pick one "
                "line in the drop-down to isolate it.",
                chart=_charts(daily),
            ),
            Panel(
                "revenue_share",
                "Share of net revenue",
                "Each line's share of net revenue over the whole window.",
                chart=_share_chart(totals_by_line),
            ),
            Panel(
                "gross_to_net",
                "From gross to net revenue",
                "What discounts and refunds take from each line's gross revenue (each line on its own scale).",
                chart=_revenue_bridge(totals_by_line),
            ),
            Panel(
                "line_totals",
                "Totals by business line",
                "The window's figures per line; they add up to the headline totals.",
                table=table,
                kind="table",
            ),
        ),
        preview=table,
        preview_panel="revenue_over_time",
        notes=(
            (
                "Net revenue = gross revenue - discounts - refunds; membership payments count as revenue of "
                "their line. Days are UTC; geography and products are summed away."
            ),
        ),
    )
