"""The five dashboards and their index as Dagster assets, downstream of the warehouse tables they show.

Each asset loads its tables through the warehouse IO manager (DuckDB or Snowflake alike), hands them to
its chart module, and writes one self-contained HTML page under ``paths.dashboards_dir()``. The
materialization records the page, a preview (the headline chart as an image and a table) and every
total the page shows, so the Dagster UI tells the story without opening the file and plots each total
over time.
"""

import json
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster._check import CheckError
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

from vision_assets import paths
from vision_assets.dashboards import engagement, geography, outlook, page, products, sales, spending
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, BUSINESS_LINES
from vision_assets.predictions.assets.common import (
    DEMAND_COLUMNS,
    DEMAND_SOURCES,
    PRODUCT_COLUMNS,
    cells_from,
)
from vision_assets.quality import ledger
from vision_assets.trust.declared import declared_lineage
from vision_assets.trust.panel import render_html
from vision_assets.trust.report import TrustReport, build_report
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY, final_unless_transient, warehouse_pool

GROUP = "dashboards"
OWNERS = ["team:analytics"]
KINDS = {"html", "altair"}


def _table(key: str, columns: list[str] | None = None) -> dg.AssetIn:
    """A warehouse table as an input; with ``columns``, only those are read (the IO manager selects them)."""
    return dg.AssetIn(key=key.split("."), metadata={"columns": columns} if columns else None)


def _metadata_value(value: float | str) -> dg.MetadataValue:
    if isinstance(value, (bool, str)):
        return dg.MetadataValue.text(str(value))
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    return dg.MetadataValue.float(float(value))


def _asset_graph(context: dg.AssetExecutionContext) -> BaseAssetGraph:
    """The code location's asset graph; a run started outside a code location (``execute_in_process``,
    ``materialize``) knows only its own job's assets, and its trust panels report on those."""
    try:
        return context.repository_def.asset_graph
    except CheckError:
        return context.job_def.asset_layer.asset_graph


def _write_trust_panel(context: dg.AssetExecutionContext, name: str, page_file: str) -> tuple[Path, TrustReport]:
    """The page's trust panel, beside it: the verdict, what would change it, a picture of where its figures
    come from; then how fresh each asset on the way is and which checks passed. The step reports on the
    asset it is materializing, as materialized now by its run."""
    graph = _asset_graph(context)
    report = build_report(context.instance, graph, context.asset_key, materializing_run_id=context.run_id)
    panel = paths.dashboards_dir() / page.trust_panel_file_name(name)
    panel.parent.mkdir(parents=True, exist_ok=True)
    panel.write_text(render_html(report, graph, back_link=page_file), encoding="utf-8")
    context.log.info(f"Trust panel {panel}: {report.verdict}, {report.reason}")
    return panel, report


def _freshness(report: TrustReport) -> page.DataFreshness:
    return page.DataFreshness(report.data_through, report.verdict, report.lines_behind())


def _freshness_metadata(report: TrustReport, panel: Path) -> dict[str, dg.MetadataValue]:
    return {
        "trust_panel": dg.MetadataValue.path(str(panel)),
        "trust_verdict": dg.MetadataValue.text(f"{report.verdict}: {report.reason}"),
        "data_through": dg.MetadataValue.text(report.data_through.isoformat() if report.data_through else ""),
        "lines_behind": dg.MetadataValue.json(
            {line: day.isoformat() if day else None for line, day in report.lines_behind().items()}
        ),
    }


def _publish(context: dg.AssetExecutionContext, dashboard: page.Dashboard) -> dg.MaterializeResult:
    trust_panel, report = _write_trust_panel(context, dashboard.name, dashboard.file_name)
    written = page.write_dashboard(dashboard, paths.dashboards_dir(), _freshness(report))
    context.log.info(f"Wrote {written.page} ({written.page.stat().st_size / 1e6:.1f} MB)")
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(written.page)),
            **_freshness_metadata(report, trust_panel),
            "preview": dg.MetadataValue.md(page.markdown_preview(dashboard, written.preview_png)),
            "preview_png": dg.MetadataValue.path(str(written.preview)),
            "window_start": dg.MetadataValue.text(dashboard.window_start.isoformat()),
            "window_end": dg.MetadataValue.text(dashboard.window_end.isoformat()),
            "window": dg.MetadataValue.text(dashboard.window_label),
            "sources": dg.MetadataValue.text(", ".join(dashboard.sources)),
            **{f"total/{key}": _metadata_value(value) for key, value in dashboard.totals.items()},
        }
    )


_COMMON = {"group_name": GROUP, "owners": OWNERS, "kinds": KINDS}
# Retried when the warehouse was briefly unavailable, and only then (final_unless_transient).
_READS_WAREHOUSE = {**_COMMON, "pool": warehouse_pool(), "retry_policy": WAREHOUSE_RETRY_POLICY}


def _tiles(tiles: dict[str, tuple[str, str, list[str]]]) -> dict[str, dg.MetadataValue]:
    """A dashboard's headline tiles as its columns: (type, what the tile shows, the columns it sums up).

    The column schema lists the tiles; the column lineage takes each back to the warehouse columns it is
    computed from, and from there to the raw tables and landing files (``vision trust``).
    """
    return {
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(
                columns=[
                    dg.TableColumn(name, type_, description=text) for name, (type_, text, _) in tiles.items()
                ]
            )
        ),
        "dagster/column_lineage": dg.MetadataValue.column_lineage(
            declared_lineage({name: references for name, (_, _, references) in tiles.items()})
        ),
    }


_DEMAND = "demand.fct_daily_demand"
_SPEND = "demand.fct_customer_spend_monthly"
_PERFORMANCE = "demand.fct_product_performance"
_CONTENT = "demand.fct_content_engagement"
_OFFERS = "recommendations.user_recommendations"
_PLACES = "marts.dim_geography"


@dg.asset(
    key=["dashboards", sales.NAME],
    ins={"daily_demand": _table("demand.fct_daily_demand", sales.DEMAND_COLUMNS)},
    metadata=_tiles(
        {
            "net_revenue_usd": (
                "double",
                "Net revenue of all lines in the window, after discounts and refunds (USD).",
                [f"{_DEMAND}.net_revenue_usd"],
            ),
            "units_sold": ("bigint", "Units sold in the window.", [f"{_DEMAND}.units_sold"]),
            "leading_line": (
                "varchar",
                "The business line with the most net revenue, and its share.",
                [f"{_DEMAND}.net_revenue_usd", f"{_DEMAND}.business_line"],
            ),
            **{
                f"net_revenue_usd.{line}": (
                    "double",
                    f"Net revenue of {line} in the window (USD).",
                    [f"{_DEMAND}.net_revenue_usd", f"{_DEMAND}.business_line"],
                )
                for line in BUSINESS_LINES
            },
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def sales_by_business_line(
    context: dg.AssetExecutionContext, daily_demand: pd.DataFrame
) -> dg.MaterializeResult:
    """Sales split by business line: net revenue and units by line and by day, and which line leads.

    Read from demand.fct_daily_demand summed over products and places, so its totals equal marts.fct_sales
    for the same days to the cent. Filter by date range (drag on the timeline) and by line in the page.
    """
    return _publish(context, sales.build(daily_demand))


@dg.asset(
    key=["dashboards", spending.NAME],
    ins={
        "spend": _table("demand.fct_customer_spend_monthly", spending.SPEND_COLUMNS),
        "segments": _table("analytics.customer_segments", spending.SEGMENT_COLUMNS),
    },
    metadata=_tiles(
        {
            "net_spend_usd": (
                "double",
                "Net spend of all customers in the window (USD).",
                [f"{_SPEND}.net_spend_usd"],
            ),
            "spending_customers": ("bigint", "People who spent in the window.", [f"{_SPEND}.customer_key"]),
            "net_spend_per_customer_usd": (
                "double",
                "Net spend per spending person (USD).",
                [f"{_SPEND}.net_spend_usd", f"{_SPEND}.customer_key"],
            ),
            "cross_business_customers": (
                "bigint",
                "People with accounts in two or more business lines who spent.",
                [f"{_SPEND}.customer_key", f"{_SPEND}.is_multi_line_customer"],
            ),
            "cross_business_net_spend_per_customer_usd": (
                "double",
                "Net spend per cross-business customer (USD).",
                [f"{_SPEND}.net_spend_usd", f"{_SPEND}.customer_key", f"{_SPEND}.is_multi_line_customer"],
            ),
            "single_line_net_spend_per_customer_usd": (
                "double",
                "Net spend per single-line customer (USD).",
                [f"{_SPEND}.net_spend_usd", f"{_SPEND}.customer_key", f"{_SPEND}.is_multi_line_customer"],
            ),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def customer_spending(
    context: dg.AssetExecutionContext, spend: pd.DataFrame, segments: pd.DataFrame
) -> dg.MaterializeResult:
    """Customer spending: spend per person over the months and across lines, by segment, and
    cross-business customers (accounts in two or more lines) against single-line ones.

    Read from demand.fct_customer_spend_monthly (people resolved across the four businesses) and the
    segments of analytics.customer_segments; whole UTC months.
    """
    return _publish(context, spending.build(spend, segments))


@dg.asset(
    key=["dashboards", geography.NAME],
    ins={
        "daily_demand": _table("demand.fct_daily_demand", geography.DEMAND_COLUMNS),
        "places": _table("marts.dim_geography"),
    },
    metadata=_tiles(
        {
            "net_revenue_usd": (
                "double",
                "Net revenue of all places in the window (USD).",
                [f"{_DEMAND}.net_revenue_usd"],
            ),
            "customers": ("bigint", "People, by their current billing place.", [f"{_PLACES}.customer_count"]),
            "countries_with_sales": (
                "bigint",
                "Countries with any net revenue in the window.",
                [
                    f"{_DEMAND}.net_revenue_usd",
                    f"{_DEMAND}.geography_key",
                    f"{_PLACES}.geography_key",
                    f"{_PLACES}.country_code",
                ],
            ),
            "top_country": (
                "varchar",
                "The country with the most net revenue.",
                [
                    f"{_DEMAND}.net_revenue_usd",
                    f"{_DEMAND}.geography_key",
                    f"{_PLACES}.geography_key",
                    f"{_PLACES}.country_code",
                    f"{_PLACES}.country_name",
                ],
            ),
            "unknown_place_net_revenue_usd": (
                "double",
                "Net revenue of accounts whose place has not landed yet (USD).",
                [f"{_DEMAND}.net_revenue_usd", f"{_DEMAND}.geography_key"],
            ),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def geography_dashboard(
    context: dg.AssetExecutionContext, daily_demand: pd.DataFrame, places: pd.DataFrame
) -> dg.MaterializeResult:
    """Geography: a map of customers and net revenue by country and billing city, and the top regions of
    each business line.

    The map's country outlines ship with Vision (Natural Earth), so the page draws offline. Revenue is
    placed where customers are billed (marts.dim_geography); revenue of accounts whose place has not
    landed yet is shown as 'no known place'.
    """
    return _publish(context, geography.build(daily_demand, places))


@dg.asset(
    key=["dashboards", products.NAME],
    ins={"performance": _table("demand.fct_product_performance", products.PERFORMANCE_COLUMNS)},
    metadata=_tiles(
        {
            "net_revenue_usd": (
                "double",
                "Net revenue of all products in the window, membership plans included (USD).",
                [f"{_PERFORMANCE}.net_revenue_usd"],
            ),
            "units_sold": ("bigint", "Units sold in the window.", [f"{_PERFORMANCE}.units_sold"]),
            "review_count": (
                "bigint",
                "Reviews and ratings in the window.",
                [f"{_PERFORMANCE}.review_count"],
            ),
            "average_rating": (
                "double",
                "Average rating: summed ratings over the number of ratings.",
                [f"{_PERFORMANCE}.rating_sum", f"{_PERFORMANCE}.review_count"],
            ),
            "products_reviewed": (
                "bigint",
                "Products with at least one review in the window.",
                [f"{_PERFORMANCE}.product_key", f"{_PERFORMANCE}.review_count"],
            ),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def product_performance(context: dg.AssetExecutionContext, performance: pd.DataFrame) -> dg.MaterializeResult:
    """Product performance and reviews: sales volume against average rating and review count, and the best
    and worst performers of each category.

    Read from demand.fct_product_performance; units for Books and Mart, minutes for streamed Flicks and
    Music titles; membership plans count in revenue but are not reviewed.
    """
    return _publish(context, products.build(performance))


@dg.asset(
    key=["dashboards", engagement.NAME],
    ins={
        "content": _table("demand.fct_content_engagement", engagement.ENGAGEMENT_COLUMNS),
        "popular": _table("recommendations.popular_items", engagement.POPULAR_COLUMNS),
        "offers": _table("recommendations.user_recommendations", engagement.RECOMMENDATION_COLUMNS),
        "similar": _table("recommendations.similar_items", engagement.SIMILAR_COLUMNS),
        "catalog": _table("marts.dim_product", engagement.PRODUCT_COLUMNS),
    },
    metadata=_tiles(
        {
            "engaged_minutes": (
                "double",
                "Minutes read, watched and listened in the window (Books, Flicks, Music).",
                [f"{_CONTENT}.engaged_minutes"],
            ),
            "engagement_events": (
                "bigint",
                "Engagement events in the window.",
                [f"{_CONTENT}.engagement_events"],
            ),
            "titles_engaged": ("bigint", "Distinct titles engaged with.", [f"{_CONTENT}.product_key"]),
            "customers_with_recommendations": (
                "bigint",
                "People the recommender offers something to.",
                [f"{_OFFERS}.customer_key"],
            ),
            "distinct_items_recommended": (
                "bigint",
                "Distinct items offered.",
                [f"{_OFFERS}.product_key"],
            ),
            "fallback_share": (
                "double",
                "Share of recommendations that fall back to popularity.",
                [f"{_OFFERS}.source"],
            ),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def content_engagement(
    context: dg.AssetExecutionContext,
    content: pd.DataFrame,
    popular: pd.DataFrame,
    offers: pd.DataFrame,
    similar: pd.DataFrame,
    catalog: pd.DataFrame,
) -> dg.MaterializeResult:
    """Content engagement and recommendations: minutes by genre, creator and title for Books, Flicks and
    Music; what the recommender offers against what people engage with; the popular lists; similar items.
    """
    return _publish(context, engagement.build(content, popular, offers, similar, catalog))


_FORECAST = "predictions.demand_forecast"
_ACCURACY = "predictions.forecast_accuracy"


@dg.asset(
    key=["dashboards", outlook.NAME],
    ins={
        "forecasts": _table(_FORECAST, outlook.FORECAST_COLUMNS),
        "accuracy": _table(_ACCURACY, outlook.ACCURACY_COLUMNS),
        "daily_demand": _table(_DEMAND, DEMAND_COLUMNS),
        "catalog": _table("marts.dim_product", PRODUCT_COLUMNS),
    },
    metadata=_tiles(
        {
            "next_28_days.units": (
                "double",
                "Units expected over the 28 days after the latest forecast was made, all lines (sold or played).",
                [f"{_FORECAST}.yhat", f"{_FORECAST}.measure", f"{_FORECAST}.level", f"{_FORECAST}.made_on"],
            ),
            "next_28_days.net_revenue_usd": (
                "double",
                "Net revenue expected over those 28 days (USD).",
                [f"{_FORECAST}.yhat", f"{_FORECAST}.measure", f"{_FORECAST}.level", f"{_FORECAST}.made_on"],
            ),
            "change_on_last_28_days.units": (
                "double",
                "Expected units over the actual units of the 28 days before, minus one.",
                [f"{_FORECAST}.yhat", *DEMAND_SOURCES],
            ),
            "past_forecast_error.units.business_line": (
                "double",
                "WAPE of every scored forecast of the business lines' units: how far off past forecasts were.",
                [f"{_ACCURACY}.absolute_error", f"{_ACCURACY}.actual", f"{_ACCURACY}.level"],
            ),
            "made_on": ("varchar", "The day the latest forecast was made.", [f"{_FORECAST}.made_on"]),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def demand_outlook(
    context: dg.AssetExecutionContext,
    forecasts: pd.DataFrame,
    accuracy: pd.DataFrame,
    daily_demand: pd.DataFrame,
    catalog: pd.DataFrame,
) -> dg.MaterializeResult:
    """The demand outlook: the last eight weeks and the next 28 days of units and net revenue, for the
    company, each business line and each category, with the forecast's 80 % and 95 % bands; and how past
    forecasts fared against what happened, by level and days ahead.

    Read from the latest forecast of predictions.demand_forecast, the scored points of
    predictions.forecast_accuracy, and demand.fct_daily_demand for the history.
    """
    return _publish(context, outlook.build(forecasts, cells_from(daily_demand, catalog), accuracy))


_DASHBOARDS = [
    sales_by_business_line,
    customer_spending,
    geography_dashboard,
    product_performance,
    content_engagement,
    demand_outlook,
]
_DASHBOARD_NAMES = [sales.NAME, spending.NAME, geography.NAME, products.NAME, engagement.NAME, outlook.NAME]


def _read_summaries(directory: Path) -> list[dict]:
    return [json.loads(page.summary_path(directory, name).read_text()) for name in _DASHBOARD_NAMES]


def _headline_tiles(dashboard: dg.AssetsDefinition) -> list[str]:
    """The tiles the index shows of a dashboard: its first four (``page.summary_of``)."""
    schema = dashboard.specs_by_key[dashboard.key].metadata["dagster/column_schema"].schema
    return [f"dashboards.{dashboard.key.path[-1]}.{column.name}" for column in schema.columns[:4]]


_QUALITY_COLUMNS = [
    "day", "business_line", "source_table", "status", "rows_quarantined", "quarantine_reasons", "refusal",
]


def quality_notes(quality: pd.DataFrame) -> page.IndexQuality:
    """The index's data-quality section from analytics.data_quality, in sentences an analyst reads."""
    notes = []
    for row in ledger.notable(quality).itertuples():
        what = f"{BUSINESS_LINE_NAMES[row.business_line]} {row.source_table}"
        when = f"{row.day:%d %b %Y}"
        if row.rows_quarantined:
            notes.append(f"{row.rows_quarantined} rows of {what} quarantined on {when}: {row.quarantine_reasons}")
        if row.status != ledger.LOADED:
            notes.append(f"{what} on {when}: {row.status}" + (f", {row.refusal}" if row.refusal else ""))
    return page.IndexQuality(ledger.latest_complete_day(quality), tuple(notes[:_QUALITY_NOTES_SHOWN]))


_QUALITY_NOTES_SHOWN = 20


@dg.asset(
    key=["dashboards", "index"],
    deps=[dashboard.key for dashboard in _DASHBOARDS],
    ins={"quality": _table("analytics.data_quality", _QUALITY_COLUMNS)},
    metadata=_tiles(
        {
            "dashboard": ("varchar", "The dashboard's title and question, linked to its page.", []),
            "window": ("varchar", "The days or months the dashboard covers.", []),
            "headline": (
                "varchar",
                "The dashboard's first four headline figures.",
                [tile for dashboard in _DASHBOARDS for tile in _headline_tiles(dashboard)],
            ),
            "data_quality": (
                "varchar",
                (
                    "Per business line the latest day with every table loaded, and the recent rows held back, "
                    "refused or missing days."
                ),
                [f"analytics.data_quality.{column}" for column in _QUALITY_COLUMNS],
            ),
        }
    ),
    **_READS_WAREHOUSE,
)
@final_unless_transient
def dashboards_index(context: dg.AssetExecutionContext, quality: pd.DataFrame) -> dg.MaterializeResult:
    """The dashboards' front page (index.html): how far the data reaches and which business line is behind,
    each dashboard's question, window and headline figures, linked, and the data quality of the recent
    landings (rows held back with their reasons, refused or missing days). Open it from data/dashboards/ in
    any browser, with no network."""
    directory = paths.dashboards_dir()
    summaries = _read_summaries(directory)
    trust_panel, report = _write_trust_panel(context, "index", "index.html")
    index = page.write_index(summaries, directory, _freshness(report), quality_notes(quality))
    listing = "\n".join(
        f"- **{summary['title']}** ({summary['window']}): "
        + "; ".join(f"{label} {value}" for label, value in summary["headline"])
        for summary in summaries
    )
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(index)),
            "preview": dg.MetadataValue.md(listing),
            **_freshness_metadata(report, trust_panel),
        }
    )


dashboard_assets = [*_DASHBOARDS, dashboards_index]
