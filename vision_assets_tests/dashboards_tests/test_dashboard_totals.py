"""Every headline a dashboard shows equals the warehouse's own figure for the same window, to the cent.

The expected figures are queried from the marts facts (fct_sales, fct_engagement, fct_reviews, dim_customer),
not from the demand tables the pages read, so a dashboard that dropped, double-counted or mis-windowed
anything would disagree. Each page is read as a person sees it (its headline tiles) and as Dagster recorded
it (the materialization's metadata).
"""

import re
from datetime import date

import dagster as dg
import pytest

from vision_assets_tests.dashboards_tests.conftest import query

pytestmark = pytest.mark.slow

PAGES = [
    "sales_by_business_line",
    "customer_spending",
    "geography",
    "product_performance",
    "content_engagement",
    "demand_outlook",
]


def shown_totals(pages, name: str) -> dict[str, str]:
    """The headline tiles of a page: total key -> exact value written in the page."""
    html = (pages / f"{name}.html").read_text()
    return dict(re.findall(r'<div class="kpi" data-total="([^"]+)" data-value="([^"]*)"', html))


def recorded_totals(result: dg.ExecuteInProcessResult, name: str) -> dict[str, object]:
    materialization = result.asset_materializations_for_node(_node(result, name))[0]
    return {
        key.removeprefix("total/"): value.value
        for key, value in materialization.metadata.items()
        if key.startswith("total/")
    }


def _node(result: dg.ExecuteInProcessResult, name: str) -> str:
    for event in result.get_asset_materialization_events():
        if event.asset_key == dg.AssetKey(["dashboards", name]):
            return event.step_key
    raise AssertionError(f"dashboards/{name} did not materialize")


def window(result, name: str) -> tuple[date, date]:
    metadata = result.asset_materializations_for_node(_node(result, name))[0].metadata
    return date.fromisoformat(metadata["window_start"].value), date.fromisoformat(
        metadata["window_end"].value
    )


def month_window_sql(column: str, start: date, last_month: date) -> str:
    return f"{column} >= date '{start}' and {column} < date '{last_month}' + interval 1 month"


def scalar(database, sql: str) -> float:
    return float(query(database, sql).iloc[0, 0] or 0)


def assert_shown(built, name: str, expected: dict[str, float]) -> None:
    shown = shown_totals(built["pages"], name)
    recorded = recorded_totals(built["result"], name)
    for key, value in expected.items():
        assert key in recorded, f"{name} records no total {key}"
        assert _same_to_the_cent(recorded[key], value), (name, key, recorded[key], value)
        if key in shown:
            assert _same_to_the_cent(shown[key], value), (name, key, shown[key], value)


def _same_to_the_cent(shown: object, expected: float) -> bool:
    """Both sides are rounded to the cent, so any real difference is at least 0.01."""
    return abs(float(shown) - float(expected)) < 0.006


def test_the_run_materializes_every_dashboard_and_the_index(built):
    assert built["result"].success
    for name in [*PAGES, "index"]:
        assert (built["pages"] / f"{name}.html").exists()
    index = (built["pages"] / "index.html").read_text()
    assert all(f'href="{name}.html"' in index for name in PAGES)


def test_sales_page_equals_fct_sales_for_its_days(built):
    database = built["database"]
    start, end = window(built["result"], "sales_by_business_line")
    days = f"sale_date between date '{start}' and date '{end}'"
    expected = {
        "net_revenue_usd": scalar(
            database, f"select round(sum(net_amount_usd), 2) from marts.fct_sales where {days}"
        ),
        "units_sold": scalar(database, f"select sum(quantity) from marts.fct_sales where {days}"),
    }
    by_line = query(
        database,
        f"select business_line, round(sum(net_amount_usd), 2) as usd from marts.fct_sales "
        f"where {days} group by 1",
    )
    expected |= {f"net_revenue_usd.{row.business_line}": float(row.usd) for row in by_line.itertuples()}
    assert len(by_line) == 4
    assert_shown(built, "sales_by_business_line", expected)
    assert set(shown_totals(built["pages"], "sales_by_business_line")) >= {"net_revenue_usd", "units_sold"}


def test_geography_page_equals_fct_sales_by_country(built):
    database = built["database"]
    start, end = window(built["result"], "geography")
    days = f"sale_date between date '{start}' and date '{end}'"
    by_country = query(
        database,
        f"""
        select coalesce(g.country_code, 'unknown') as country, round(sum(s.net_amount_usd), 2) as usd
        from marts.fct_sales s join marts.dim_geography g using (geography_key) where {days} group by 1""",
    )
    expected = {
        f"net_revenue_usd.{row.country}": float(row.usd)
        for row in by_country.itertuples()
        if row.country != "unknown"
    }
    expected["unknown_place_net_revenue_usd"] = float(
        by_country.loc[by_country["country"] == "unknown", "usd"].sum()
    )
    expected["net_revenue_usd"] = scalar(
        database, f"select round(sum(net_amount_usd), 2) from marts.fct_sales where {days}"
    )
    expected["customers"] = scalar(database, "select count(*) from marts.dim_customer")
    assert len(expected) > 10
    assert_shown(built, "geography", expected)


def test_spending_page_equals_fct_sales_by_person_for_its_months(built):
    database = built["database"]
    start, last_month = window(built["result"], "customer_spending")
    months = month_window_sql("s.sale_date", start, last_month)
    people = query(
        database,
        f"""
        select c.is_multi_line_customer as multi, count(distinct c.customer_key) as customers,
               round(sum(s.net_amount_usd), 2) as usd
        from marts.fct_sales s
        join marts.bridge_customer_account b using (account_key)
        join marts.dim_customer c on c.customer_key = b.customer_key
        where {months} group by 1""",
    ).set_index("multi")
    expected = {
        "net_spend_usd": float(people["usd"].sum()),
        "spending_customers": float(people["customers"].sum()),
        "cross_business_customers": float(people.loc[True, "customers"]) if True in people.index else 0.0,
        "cross_business_net_spend_usd": float(people.loc[True, "usd"]) if True in people.index else 0.0,
        "single_line_net_spend_usd": float(people.loc[False, "usd"]) if False in people.index else 0.0,
    }
    assert_shown(built, "customer_spending", expected)
    assert start.month != last_month.month, "the fixture's window crosses a month boundary"


def test_product_page_equals_sales_and_reviews_for_its_months(built):
    database = built["database"]
    start, last_month = window(built["result"], "product_performance")
    expected = {
        "net_revenue_usd": scalar(
            database,
            "select round(sum(net_amount_usd), 2) from marts.fct_sales where "
            + month_window_sql("sale_date", start, last_month),
        ),
        "review_count": scalar(
            database,
            "select count(*) from marts.fct_reviews where "
            + month_window_sql("review_date", start, last_month),
        ),
        "average_rating": scalar(
            database,
            "select round(avg(rating), 2) from marts.fct_reviews where "
            + month_window_sql("review_date", start, last_month),
        ),
    }
    assert_shown(built, "product_performance", expected)


def test_engagement_page_equals_fct_engagement_of_the_content_lines(built):
    database = built["database"]
    start, last_month = window(built["result"], "content_engagement")
    months = month_window_sql("activity_date", start, last_month)
    by_line = query(
        database,
        f"""
        select business_line, round(sum(engaged_minutes), 2) as minutes, count(*) as events
        from marts.fct_engagement where {months} and business_line in ('books', 'flicks', 'music') group by 1""",
    )
    expected = {f"engaged_minutes.{row.business_line}": float(row.minutes) for row in by_line.itertuples()}
    expected["engaged_minutes"] = float(by_line["minutes"].sum())
    expected["engagement_events"] = float(by_line["events"].sum())
    assert_shown(built, "content_engagement", expected)


def test_outlook_page_shows_the_latest_forecast_of_the_company(built):
    database = built["database"]
    latest = "made_on = (select max(made_on) from predictions.demand_forecast) and level = 'company'"
    expected = {
        "next_28_days.units": round(scalar(
            database, f"select sum(yhat) from predictions.demand_forecast where {latest} and measure = 'units'")),
        "next_28_days.net_revenue_usd": scalar(
            database,
            f"select round(sum(yhat), 2) from predictions.demand_forecast where {latest} and measure = 'net_revenue_usd'",
        ),
    }
    assert expected["next_28_days.units"] > 0
    assert_shown(built, "demand_outlook", expected)
    scored = scalar(database, "select count(*) from predictions.forecast_accuracy")
    assert scored > 0  # the forecast made two days before the last has met two of its days
