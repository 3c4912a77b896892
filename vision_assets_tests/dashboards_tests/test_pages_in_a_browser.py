"""Each page opens in headless Chromium from disk with no network, no console error, and draws its charts.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``); without it the test is
skipped, saying so. Screenshots land in ``test-artifacts/dashboards/`` (git-ignored) for a person to look at.
"""

import pytest

from vision_assets.paths import REPO_ROOT
from vision_assets_tests.dashboards_tests.headless_chromium import chromium_available, inspect_pages

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not chromium_available(),
        reason="Debian's chromium is not installed (/usr/bin/chromium): `apt-get install -y chromium` to run "
        "the dashboards' browser test",
    ),
]

ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboards"
CHARTS = {
    "sales_by_business_line": ["revenue_over_time", "revenue_share", "gross_to_net"],
    "customer_spending": ["spend_by_month", "cross_vs_single", "segments"],
    "geography": ["sales_map", "top_regions"],
    "product_performance": ["volume_vs_rating", "category_ratings"],
    "content_engagement": ["engagement", "recommendations", "popular"],
}
COUNTRIES_WITH_CUSTOMERS = 17
# Choose one business line in the page's drop-down (as a person would) and count what the charts then draw.
_LINE_FILTER_PROBE = """
(async () => {
  const select = document.querySelector('#%s select');
  const bars = () => document.querySelectorAll('#%s svg path[aria-roledescription="bar"]').length;
  const before = bars();
  select.value = 'Books';
  select.dispatchEvent(new Event('change'));
  await window.dashboardViews['%s'].runAsync();
  return {before: before, after: bars()};
})()
"""
PROBES = {
    "sales_by_business_line": _LINE_FILTER_PROBE
    % ("revenue_over_time", "revenue_over_time", "revenue_over_time")
}


@pytest.fixture(scope="module")
def reports(built):
    names = [*CHARTS, "index"]
    pages = [(built["pages"] / f"{name}.html", ARTIFACTS / f"{name}.png") for name in names]
    return dict(zip(names, inspect_pages(pages, probes=PROBES), strict=True))


@pytest.mark.parametrize("name", [*CHARTS, "index"])
def test_page_opens_offline_without_errors(reports, name):
    report = reports[name]
    assert report.outside_requests == [], f"{name} asked the network for {report.outside_requests}"
    assert report.console_errors == [], f"{name} logged errors: {report.console_errors}"
    assert report.rendered == "done"
    assert report.screenshot is not None and report.screenshot.stat().st_size > 10_000


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_expected_chart_is_drawn(reports, name):
    panels = {panel["panel"]: panel for panel in reports[name].panels}
    for key in CHARTS[name]:
        panel = panels[key]
        assert panel["svg"], f"{name}/{key} drew no SVG"
        assert panel["width"] > 100 and panel["height"] > 100, (
            f"{name}/{key} is {panel['width']}x{panel['height']}"
        )
        assert panel["items"] > 0, f"{name}/{key} has axes but no marks"
    for panel in panels.values():
        if panel["kind"] == "table":
            assert panel["table_rows"] > 0, f"{name}/{panel['panel']} is an empty table"


def test_the_map_shows_countries_shaded_by_revenue_and_city_points(reports):
    map_panel = next(panel for panel in reports["geography"].panels if panel["kind"] == "map")
    # Two maps (world and Europe), each drawing every country as land under the shaded ones.
    assert map_panel["shapes"] > 2 * 150
    assert map_panel["shaded_shapes"] >= COUNTRIES_WITH_CUSTOMERS
    assert map_panel["points"] >= 10


def test_the_business_line_drop_down_filters_the_charts(reports):
    drawn = reports["sales_by_business_line"].probe
    # Revenue and units by line: one bar per line, then only the chosen line's.
    assert drawn == {"before": 8, "after": 2}
