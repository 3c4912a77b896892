"""Each page opens in headless Chromium from disk with no network and no console error: the dashboards draw
their charts, and each trust panel leads with its verdict, draws its lineage and folds its asset table away.

Needs Debian's Chromium and its driver (``apt-get install -y chromium chromium-driver``), driven through
Selenium (``browser.py``); without either the tests are skipped, saying so. Screenshots land in
``test-artifacts/dashboards/`` (git-ignored) for a person to look at.
"""

import pytest
from selenium.webdriver.common.by import By

from vision_assets.paths import REPO_ROOT
from vision_assets_tests.dashboards_tests.browser import (
    headless_chromium,
    inspect_page,
    missing_browser,
    open_page,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser())),
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


PAGES = [*CHARTS, "index"]
TRUST_PANELS = [f"{name}.trust" for name in PAGES]


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def reports(built, browser):
    return {
        name: inspect_page(
            browser, built["pages"] / f"{name}.html", ARTIFACTS / f"{name}.png", PROBES.get(name)
        )
        for name in [*PAGES, *TRUST_PANELS]
    }


@pytest.mark.parametrize("name", [*PAGES, *TRUST_PANELS])
def test_page_opens_offline_without_errors(reports, name):
    report = reports[name]
    assert report.outside_requests == [], f"{name} asked the network for {report.outside_requests}"
    assert report.console_errors == [], f"{name} logged errors: {report.console_errors}"
    if name in PAGES:
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


# Where each block of a trust panel is drawn, and whether the lineage picture's boxes hold their labels.
_TRUST_LAYOUT_JS = """
const top = (selector) => document.querySelector(selector).getBoundingClientRect().top;
const nodes = [...document.querySelectorAll('svg.lineage g.node')];
return {
  first_block: document.querySelector('main').firstElementChild.id,
  tops: ['#verdict', '#changes', 'svg.lineage', 'details.upstream'].map(top),
  viewport: window.innerHeight,
  nodes: nodes.length,
  drawn: nodes.filter(node => node.querySelector('rect').getBBox().width > 0).length,
  overflowing: nodes.filter(node => {
      const label = node.querySelector('text').getBBox(), box = node.querySelector('rect').getBBox();
      return label.x + label.width > box.x + box.width;
    }).map(node => node.dataset.asset),
  unpainted: nodes.filter(node =>
      getComputedStyle(node.querySelector('rect')).fill === 'rgb(0, 0, 0)').length,
  edges: document.querySelectorAll('svg.lineage path.edge').length,
  table_rows: document.querySelectorAll('details.upstream tbody tr').length,
};
"""


@pytest.mark.parametrize("name", TRUST_PANELS)
def test_a_trust_panel_leads_with_its_verdict_and_draws_its_lineage(built, browser, name):
    open_page(browser, built["pages"] / f"{name}.html")
    layout = browser.execute_script(_TRUST_LAYOUT_JS)
    assert layout["first_block"] == "verdict"
    verdict, changes, picture, table = layout["tops"]
    assert verdict < changes < picture < table, layout["tops"]
    assert verdict < layout["viewport"] / 2, "the verdict is not at the top of the first screen"
    # One box per asset in the table, each drawn, coloured by its state and wide enough for its name.
    assert layout["nodes"] == layout["table_rows"] > 1
    assert layout["drawn"] == layout["nodes"]
    assert layout["unpainted"] == 0
    assert layout["overflowing"] == []
    assert layout["edges"] >= layout["nodes"] - 1


def test_a_trust_panels_asset_table_is_folded_until_asked_for(built, browser):
    open_page(browser, built["pages"] / "sales_by_business_line.trust.html")
    table = browser.find_element(By.CSS_SELECTOR, "details.upstream table")
    assert not table.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "details.upstream > summary").click()
    assert table.is_displayed()
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) > 1
