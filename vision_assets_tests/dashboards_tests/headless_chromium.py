"""Open pages in Debian's headless Chromium and report what a person would see, over the DevTools protocol.

A small client of the Chrome DevTools Protocol (CDP) over the ``websockets`` package the project already
has: no Playwright or Selenium (both download their own browsers). For each page it records the console
errors and uncaught exceptions, every request for something that is not inside the page or on disk
(anything but ``file:``, ``data:``, ``blob:``, ``about:``), what each dashboard panel drew, and a
full-page screenshot. Host names do not resolve in this browser at all, so a page that tried to reach
the network could not, and the attempt is still reported.
"""

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

CHROMIUM = "/usr/bin/chromium"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
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
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1400,1000",
)

# What each panel of a dashboard drew, read from the DOM after vega-embed finished.
_PANELS_JS = """
(() => [...document.querySelectorAll('section[data-panel]')].map(section => {
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
}))()
"""


@dataclass
class PageReport:
    url: str
    rendered: str = ""
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    panels: list[dict] = field(default_factory=list)
    screenshot: Path | None = None
    probe: object = None


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None


class _Session:
    """One CDP websocket: commands get ids, events are queued for whoever waits on them."""

    def __init__(self, connection) -> None:
        self._connection = connection
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self.events: list[dict] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self._connection:
            message = json.loads(raw)
            if "id" in message and message["id"] in self._pending:
                self._pending.pop(message["id"]).set_result(message)
            else:
                self.events.append(message)

    async def send(
        self, method: str, params: dict | None = None, session_id: str | None = None, timeout: float = 60
    ) -> dict:
        command_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[command_id] = future
        message = {"id": command_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        await self._connection.send(json.dumps(message))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def wait_for_event(self, method: str, session_id: str, since: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events[since:]:
                if event.get("method") == method and event.get("sessionId") == session_id:
                    return event
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no {method} within {timeout} s")

    def close(self) -> None:
        self._reader.cancel()


def _console_errors(events: list[dict], session_id: str) -> list[str]:
    errors = []
    for event in events:
        if event.get("sessionId") != session_id:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(
                " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(
                f"{params['entry'].get('source')}: {params['entry'].get('text')} {params['entry'].get('url', '')}"
            )
    return errors


def _outside_requests(events: list[dict], session_id: str) -> list[str]:
    return [
        event["params"]["request"]["url"]
        for event in events
        if event.get("sessionId") == session_id
        and event.get("method") == "Network.requestWillBeSent"
        and not event["params"]["request"]["url"].startswith(LOCAL_SCHEMES)
    ]


async def _inspect(
    session: _Session, page: Path, screenshot: Path | None, width: int, probe: str | None
) -> PageReport:
    target = await session.send("Target.createTarget", {"url": "about:blank"})
    attached = await session.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
    sid = attached["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        await session.send(f"{domain}.enable", session_id=sid)
    await session.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        session_id=sid,
    )
    report = PageReport(url=page.resolve().as_uri())
    since = len(session.events)
    await session.send("Page.navigate", {"url": report.url}, session_id=sid)
    await session.wait_for_event("Page.loadEventFired", sid, since)
    ready = await session.send(
        "Runtime.evaluate",
        {
            "expression": "(window.dashboardReady || Promise.resolve()).then(() => document.body.dataset.rendered)",
            "awaitPromise": True,
            "returnByValue": True,
        },
        session_id=sid,
    )
    report.rendered = ready["result"].get("value", "")
    panels = await session.send(
        "Runtime.evaluate", {"expression": _PANELS_JS, "returnByValue": True}, session_id=sid
    )
    report.panels = panels["result"]["value"]
    if probe:
        probed = await session.send(
            "Runtime.evaluate",
            {"expression": probe, "awaitPromise": True, "returnByValue": True},
            session_id=sid,
        )
        report.probe = probed["result"].get("value")
    if screenshot is not None:
        metrics = await session.send("Page.getLayoutMetrics", session_id=sid)
        height = min(int(metrics["cssContentSize"]["height"]) + 1, 12000)
        await session.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session_id=sid,
        )
        shot = await session.send("Page.captureScreenshot", {"format": "png"}, session_id=sid)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        report.screenshot = screenshot
    await asyncio.sleep(0.2)  # late console messages and requests of the page arrive as events
    report.console_errors = _console_errors(session.events, sid)
    report.outside_requests = _outside_requests(session.events, sid)
    await session.send("Target.closeTarget", {"targetId": target["targetId"]})
    return report


async def _inspect_all(
    port_file: Path, pages: list[tuple[Path, Path | None]], width: int, probes: dict[str, str]
) -> list[PageReport]:
    deadline = time.monotonic() + 30
    while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("Chromium did not open its DevTools port within 30 s")
        await asyncio.sleep(0.1)
    port, path = port_file.read_text().splitlines()[:2]
    async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as connection:
        session = _Session(connection)
        try:
            return [await _inspect(session, page, shot, width, probes.get(page.stem)) for page, shot in pages]
        finally:
            session.close()


def inspect_pages(
    pages: list[tuple[Path, Path | None]], width: int = 1400, probes: dict[str, str] | None = None
) -> list[PageReport]:
    """Open each ``(page, screenshot path or None)`` in one fresh headless Chromium, in order.

    ``probes`` maps a page's file stem to a JavaScript expression run after the page drew (and after its
    screenshot); its value, awaited if it is a promise, is the report's ``probe``.
    """
    with tempfile.TemporaryDirectory(prefix="vision-chromium-") as profile:
        process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            return asyncio.run(_inspect_all(Path(profile) / "DevToolsActivePort", pages, width, probes or {}))
        finally:
            _stop_with_its_helpers(process)


def _stop_with_its_helpers(process: subprocess.Popen) -> None:
    """Chromium and the helpers it started (renderer, GPU, crash handler: its process group) stopped, so
    none still writes into the profile folder while it is removed ("Directory not empty: 'Default'")."""
    group = process.pid  # start_new_session made it the group's leader
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # is any process of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
