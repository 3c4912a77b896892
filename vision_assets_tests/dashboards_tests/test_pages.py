"""The chart modules and the page writer on small hand-made frames: no Dagster, no warehouse, no browser."""

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from vision_assets import pages
from vision_assets.dashboards import geography, page, sales
from vision_assets.dashboards.places import (
    CITY_COORDINATES,
    ISO_A3_BY_COUNTRY_CODE,
    locate_places,
    world_shapes,
)
from vision_assets.dashboards.theme import LINE_COLOURS
from vision_assets.simulate.reference import PLACES


def daily_demand() -> pd.DataFrame:
    rows = []
    for day, line, geo, units, net in [
        ("2026-05-01", "books", "g-london", 2, 20.10),
        ("2026-05-01", "mart", "g-buffalo", 1, 99.99),
        ("2026-05-02", "mart", "g-buffalo", 3, 150.00),
        ("2026-05-02", "flicks", "unknown", 1, 9.99),
        ("2026-05-03", "music", "g-london", 1, -4.99),
    ]:
        rows.append(
            {
                "demand_date": pd.Timestamp(day),
                "business_line": line,
                "geography_key": geo,
                "units_sold": units,
                "purchase_count": 1,
                "refund_count": 0,
                "gross_revenue_usd": max(net, 0),
                "discount_usd": 0.0,
                "refund_usd": max(-net, 0),
                "net_revenue_usd": net,
            }
        )
    return pd.DataFrame(rows)


def places() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geography_key": ["g-london", "g-buffalo", "unknown"],
            "country_code": ["GB", "US", None],
            "country_name": ["United Kingdom", "United States", "Unknown"],
            "region": ["England", "New York", None],
            "city": [" london", "BUFFALO", None],
            "customer_count": [3, 2, 0],
        }
    )


def test_every_simulated_city_and_country_can_be_drawn():
    countries_in_shapes = {
        geometry["properties"]["iso_a3"] for geometry in world_shapes()["objects"]["countries"]["geometries"]
    }
    for country, _currency, _region, city, _postcode, _weight in PLACES:
        assert (country, city) in CITY_COORDINATES, city
        assert ISO_A3_BY_COUNTRY_CODE[country] in countries_in_shapes, country


def test_cities_are_matched_whatever_their_case_and_spacing():
    located = locate_places(places())
    assert located["city_name"].tolist()[:2] == ["London", "Buffalo"]
    assert located["latitude"].notna().tolist() == [True, True, False]


def test_sales_page_shows_the_sums_of_its_frame_and_loads_nothing_from_outside():
    dashboard = sales.build(daily_demand())
    assert dashboard.totals["net_revenue_usd"] == 275.09
    assert dashboard.totals["net_revenue_usd.mart"] == 249.99
    assert dashboard.totals["leading_line"] == "Mart"
    assert (dashboard.window_start, dashboard.window_end) == (date(2026, 5, 1), date(2026, 5, 3))
    html = page.render_dashboard(dashboard)
    assert 'data-total="net_revenue_usd" data-value="275.09"' in html
    assert "$275.09" in html
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "vegaEmbed" in html


def test_geography_keeps_unknown_places_in_the_totals_but_off_the_map():
    dashboard = geography.build(daily_demand(), places())
    assert dashboard.totals["net_revenue_usd"] == 275.09
    assert dashboard.totals["unknown_place_net_revenue_usd"] == 9.99
    assert dashboard.totals["net_revenue_usd.US"] == 249.99
    assert dashboard.totals["net_revenue_usd.GB"] == 15.11
    assert dashboard.totals["customers"] == 5


def test_the_europe_map_fits_its_box():
    projection = geography._mercator_for_box(600, 500, geography.EUROPE_BOX)
    assert projection["translate"] == [300, 250]
    west, east, south, north = geography.EUROPE_BOX
    assert projection["center"][0] == pytest.approx((west + east) / 2)
    assert south < projection["center"][1] < north


def test_a_dashboard_refuses_to_show_a_total_it_does_not_have():
    dashboard = sales.build(daily_demand())
    with pytest.raises(ValueError, match="does not have"):
        page.Dashboard(**{**dashboard.__dict__, "kpis": (page.Kpi("no_such_total", "Nothing"),)})


def test_written_page_preview_and_summary(tmp_path):
    written = page.write_dashboard(sales.build(daily_demand()), tmp_path)
    assert written.page.read_text().startswith("<!DOCTYPE html>")
    assert written.preview.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    index = page.write_index([page.summary_of(sales.build(daily_demand()))], tmp_path)
    assert 'href="sales_by_business_line.html"' in index.read_text()


PACKAGE = Path(pages.__file__).parents[1]
TEMPLATES = Path(pages.__file__).parent / "templates"


def test_the_stylesheet_is_the_only_style_of_every_page():
    # No style written in Python: no <style> block, no style attribute, no CSS rule in a string.
    style_block = re.compile(r"<style[\s>]")
    style_attribute = re.compile(r"<[a-z][^>]*\sstyle=")
    css_rule = re.compile(r"\{[^{}\n]*\b(color|background|margin|padding|font|border|display)\s*:")
    for module in PACKAGE.rglob("*.py"):
        source = module.read_text()
        assert not style_block.search(source) and not style_attribute.search(source), module
        assert not css_rule.search(source), module
    # The templates: the base inlines the stylesheet, and nothing else styles a page.
    for template in TEMPLATES.glob("*.j2"):
        text = template.read_text()
        assert not style_attribute.search(text), template
        assert bool(style_block.search(text)) == (template.name == "base.html.j2"), template
        if not template.name.startswith(("_", "base")):
            assert text.startswith('{% extends "base.html.j2" %}'), template
    assert re.findall(r"<style>(.*?)</style>", (TEMPLATES / "base.html.j2").read_text(), re.DOTALL) == [
        "\n{{ stylesheet | safe }}\n"
    ]
    dashboard = sales.build(daily_demand())
    for html in (page.render_dashboard(dashboard), page.render_index([page.summary_of(dashboard)])):
        assert re.findall(r"<style>\n(.*?)\n</style>", html, re.DOTALL) == [pages.stylesheet()]


def test_each_colour_is_named_once_and_the_charts_colours_are_not_copied_into_the_stylesheet():
    stylesheet = pages.stylesheet()
    root, rules = re.match(r".*?:root \{(.*?)\}(.*)", stylesheet, re.DOTALL).groups()
    named = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", root))
    assert sorted(re.findall(r"#[0-9a-f]{6}", root)) == sorted(named.values())
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", rules), "a rule writes a colour, not its name in :root"
    assert set(re.findall(r"var\(--([a-z-]+)\)", rules)) <= {*named, "state"}
    # The business lines' colours are the charts' (theme.py), not the stylesheet's.
    assert not set(LINE_COLOURS.values()) & {colour.lower() for colour in named.values()}


def test_before_four_weeks_of_demand_the_outlook_page_shows_the_history_and_says_when_forecasting_starts():
    """A warehouse younger than the forecast's four weeks has no forecast rows: the page still renders."""
    from vision_assets.dashboards import outlook
    from vision_assets.predictions.series import demand_cells

    days = pd.date_range("2026-03-01", periods=10, freq="D")
    demand = pd.DataFrame(
        [
            {
                "demand_date": day,
                "business_line": line,
                "product_key": product,
                "units_sold": 2.0 + offset,
                "engagement_events": 5.0 + offset,
                "net_revenue_usd": 10.0 * (1 + offset),
            }
            for offset, day in enumerate(days)
            for line, product in (("books", "books:b1"), ("music", "music:t1"))
        ]
    )
    products = pd.DataFrame(
        {"product_key": ["books:b1", "music:t1"], "product_type": ["book", "track"], "category": ["fiction", "pop"]}
    )
    empty = pd.DataFrame(columns=["made_on", "target_date"])

    dashboard = outlook.build(empty, demand_cells(demand, products), pd.DataFrame())

    assert dashboard.totals["made_on"] == "no forecast yet"
    assert "four weeks of demand have landed (10 days so far)" in dashboard.question
    html = page.render_dashboard(dashboard)
    assert "No forecast yet" in html and "Units by business line so far" in html
