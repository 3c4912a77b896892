"""The live page shows what the live tables hold, refreshes itself, and opens offline; before the lane has
run it says how to start it. The browser tests open it in headless Chromium, as the dashboards' do."""

import re
from datetime import date

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from vision_assets.live.consumer import LiveConsumer
from vision_assets.live.events import EVENT_FIELD, STREAMS
from vision_assets.live.page import REFRESH_SECONDS, write_live_page
from vision_assets.live.publisher import events_of_day, publish
from vision_assets.live.store import read_live
from vision_assets.simulate.world import World
from vision_assets_tests.dashboards_tests.browser import headless_chromium, inspect_page, missing_browser

needs_a_browser = pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))


@pytest.fixture
def streamed_day(client):
    world = World(start=date(2026, 7, 1), scale=0.2, seed=4)
    publish(client, events_of_day(world.simulate_day(date(2026, 7, 1))))
    client.xadd(STREAMS["mart"], {EVENT_FIELD: "<script>alert('not json')</script>"})
    consumer = LiveConsumer(client)
    while consumer.poll_once() is not None:
        pass
    return consumer


def _figure(html: str, line: str, kpi: str) -> str:
    section = html[html.index(f'data-line="{line}"'):]
    return re.search(rf'data-kpi="{kpi}"><div class="label">[^<]*</div><div class="value">([^<]*)<', section).group(1)


def test_the_page_shows_each_lines_day_so_far_as_the_live_tables_hold_it(live_dir, streamed_day):
    html = write_live_page().read_text()
    today = read_live("select * from live.today_so_far").set_index("business_line")
    for line in STREAMS:
        assert _figure(html, line, "events") == f"{int(today.loc[line, 'events']):,}"
        assert _figure(html, line, "net_revenue_usd") == f"${float(today.loc[line, 'net_revenue_usd']):,.2f}"
    assert f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" not in html  # a dead letter's text is not shown
    assert 'data-figure="dead-letters">1<' in html
    assert not re.search(r'(src|href)="https?:', html)


def test_before_the_lane_has_run_the_page_says_how_to_start_it(live_dir):
    html = write_live_page().read_text()
    assert "The live lane has not run yet" in html and "make live" in html


@needs_a_browser
@pytest.mark.slow
def test_the_live_page_opens_offline_and_reloads_itself_with_new_figures(live_dir, client, streamed_day):
    page = write_live_page()
    with headless_chromium() as browser:
        report = inspect_page(browser, page)
        assert report.console_errors == [] and report.outside_requests == []
        shown = browser.find_element(By.CSS_SELECTOR, '[data-figure="events"]').text
        assert shown == f"{int(read_live('select count(*) from live.events').iloc[0, 0]):,}"
        world = World(start=date(2026, 7, 2), scale=0.2, seed=9)
        publish(client, events_of_day(world.simulate_day(date(2026, 7, 2))))
        while streamed_day.poll_once() is not None:
            pass
        write_live_page()
        expected = f"{int(read_live('select count(*) from live.events').iloc[0, 0]):,}"
        assert expected != shown
        # No click, no script: the page's own refresh brings the new figures within a few refreshes.
        WebDriverWait(
            browser, REFRESH_SECONDS * 3, poll_frequency=0.25, ignored_exceptions=[StaleElementReferenceException]
        ).until(
            lambda driver: driver.find_element(By.CSS_SELECTOR, '[data-figure="events"]').text == expected
        )
