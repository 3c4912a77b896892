"""Open pages in Debian's headless Chromium through Selenium, and report what a person would see.

Selenium drives ``/usr/bin/chromium`` through ``/usr/bin/chromedriver``, both Debian's (``chromium``,
``chromium-driver``); given both paths, Selenium Manager is never asked to find or download either. For each
page it records the console errors and uncaught exceptions (Chromium's ``browser`` log), every request for
something that is not inside the page or on disk (anything but ``file:``, ``data:``, ``blob:``, ``about:``,
from the network events of the ``performance`` log), what each dashboard panel drew, and a full-page
screenshot. Host names do not resolve in this browser at all, so a page that tried to reach the network
could not, and the attempt is still reported.
"""

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
WIDTH = 1400
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # Nothing resolves: a request that leaves the machine fails fast instead of going out.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    f"--window-size={WIDTH},1000",
)
# A screenshot is at most this tall (a page longer than that is cut).
_TALLEST_SCREENSHOT = 12000

# What each panel of a dashboard drew, read from the DOM after vega-embed finished.
_PANELS_JS = """
return [...document.querySelectorAll('section[data-panel]')].map(section => {
  const svg = section.querySelector('svg');
  const marks = svg ? [...svg.querySelectorAll('g.role-mark')]
      .filter(g => !g.closest('.role-axis, .role-legend, .role-title, .role-axis-grid')) : [];
  const items = marks.reduce((n, g) => n + g.querySelectorAll(':scope > path, :scope > circle, '
      + ':scope > rect, :scope > text, :scope > line, :scope > g').length, 0);
  const shapes = svg ? [...svg.querySelectorAll('g.mark-shape path')]
      .filter(p => (p.getAttribute('d') || '').length > 20) : [];
  const background = shapes.length ? shapes[0].getAttribute('fill') : null;
  return {
    panel: section.dataset.panel,
    kind: section.dataset.kind,
    svg: Boolean(svg),
    width: svg ? svg.getBoundingClientRect().width : 0,
    height: svg ? svg.getBoundingClientRect().height : 0,
    items: items,
    shapes: shapes.length,
    shaded_shapes: shapes.filter(p => p.getAttribute('fill') !== background).length,
    points: svg ? svg.querySelectorAll('g.mark-symbol path').length : 0,
    table_rows: section.querySelectorAll('table tbody tr').length,
  };
});
"""


@dataclass
class PageReport:
    url: str
    # A dashboard's ``data-rendered`` once its charts are drawn ("done"); None on a page with no charts.
    rendered: str | None = None
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    panels: list[dict] = field(default_factory=list)
    screenshot: Path | None = None
    probe: object = None


def missing_browser() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    absent = [
        f"{package} ({path})"
        for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))
        if not path.exists()
    ]
    if not absent:
        return None
    return (
        f"Debian's {' and '.join(absent)} not installed: `apt-get install -y chromium chromium-driver` to run "
        "the dashboards' browser tests"
    )


@contextlib.contextmanager
def headless_chromium() -> Iterator[webdriver.Chrome]:
    """One headless Chromium, driven by Debian's chromedriver, quit (with its profile) on the way out."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: webdriver.Chrome, page: Path) -> None:
    """``page`` from disk, in a window ``WIDTH`` wide, its charts drawn; what earlier pages logged dropped."""
    driver.get_log("browser")
    driver.get_log("performance")
    driver.set_window_size(WIDTH, 1000)
    driver.get(page.resolve().as_uri())


def inspect_page(
    driver: webdriver.Chrome, page: Path, screenshot: Path | None = None, probe: str | None = None
) -> PageReport:
    """Open ``page`` and report what it logged, asked for, drew, and (with ``screenshot``) looked like.

    ``probe`` is a JavaScript expression run after the page drew (and after its screenshot); its value,
    awaited if it is a promise, is the report's ``probe``.
    """
    open_page(driver, page)
    report = PageReport(url=driver.current_url)
    report.rendered = driver.execute_script(
        "return (window.dashboardReady || Promise.resolve()).then(() => document.body.dataset.rendered)"
    )
    report.panels = driver.execute_script(_PANELS_JS)
    if screenshot is not None:
        report.screenshot = _full_page_screenshot(driver, screenshot)
    if probe:
        report.probe = driver.execute_script(f"return {probe.strip()}")
    time.sleep(0.2)  # late console messages and requests of the page reach the logs
    report.console_errors = [
        entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
    ]
    report.outside_requests = _outside_requests(driver.get_log("performance"))
    return report


def _full_page_screenshot(driver: webdriver.Chrome, path: Path) -> Path:
    window_extra = driver.execute_script("return window.outerHeight - window.innerHeight")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(height + window_extra, _TALLEST_SCREENSHOT))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(driver.get_screenshot_as_png())
    driver.set_window_size(WIDTH, 1000)
    return path


def _outside_requests(performance_log: list[dict]) -> list[str]:
    events = (json.loads(entry["message"])["message"] for entry in performance_log)
    return [
        event["params"]["request"]["url"]
        for event in events
        if event["method"] == "Network.requestWillBeSent"
        and not event["params"]["request"]["url"].startswith(LOCAL_SCHEMES)
    ]
