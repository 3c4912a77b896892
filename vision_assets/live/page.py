"""The live page: today so far per business line, the last hour by minute, what is trending, the lane's state.

Written from the live tables by :func:`write_live_page` every few seconds while ``make live`` runs (and once
when it stops); the page reloads itself, and opens offline like the dashboards (one file, the stylesheet
inlined, no chart library). A page written before the lane ever ran says how to start it.
"""

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from vision_assets import paths
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, BUSINESS_LINES
from vision_assets.live.store import read_live
from vision_assets.pages import render
from vision_assets.warehouse import LiveLaneNotStarted

REFRESH_SECONDS = 5
LAST_MINUTES = 60
DEAD_LETTERS_SHOWN = 10


@dataclass(frozen=True)
class LineToday:
    business_line: str
    name: str
    figures: list[tuple[str, str, str]]
    last_event_at: str


def live_page_path() -> Path:
    return paths.dashboards_dir() / "live.html"


def write_live_page(path: Path | None = None) -> Path:
    """Write the live page atomically (a reader never sees half a page) and return its path."""
    path = Path(path or live_page_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render("live.html.j2", refresh_seconds=REFRESH_SECONDS, written_at=datetime.now(UTC), **_content())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".live-", suffix=".html")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(html)
    os.replace(temporary, path)
    return path


def _content() -> dict:
    try:
        batches = read_live(
            "select count(*) as batches, coalesce(sum(repeated_events), 0) as repeated, max(visible_at) as visible_at "
            "from live.ingest_batches"
        ).iloc[0]
    except LiveLaneNotStarted:
        return {"lane": None}
    totals = read_live(
        "select (select count(*) from live.events) as events, (select count(*) from live.dead_letters) as dead, "
        "(select max(event_date) from live.events) as day"
    ).iloc[0]
    if int(totals["events"]) == 0 and int(totals["dead"]) == 0:
        return {"lane": None}
    lane = {
        "events": f"{int(totals['events']):,}",
        "batches": f"{int(batches['batches']):,}",
        "repeated": f"{int(batches['repeated']):,}",
        "dead_letters": f"{int(totals['dead']):,}",
        "visible_at": _time(batches["visible_at"]),
        "day": pd.Timestamp(totals["day"]).date() if not pd.isna(totals["day"]) else None,
    }
    return {
        "lane": lane,
        "today": _today(),
        **_minutes(),
        "trending": _trending(),
        "dead_letters": read_live(
            f"select stream, entry_id, reason from live.dead_letters order by entry_id desc limit {DEAD_LETTERS_SHOWN}"
        ).to_dict("records"),
    }


def _today() -> list[LineToday]:
    frame = read_live("select * from live.today_so_far").set_index("business_line")
    lines = []
    for line in BUSINESS_LINES:
        if line not in frame.index:
            continue
        row = frame.loc[line]
        lines.append(LineToday(
            business_line=line,
            name=BUSINESS_LINE_NAMES[line],
            figures=[
                ("Events", f"{int(row['events']):,}", "events"),
                ("Active customers", f"{int(row['active_customers']):,}", "active_customers"),
                ("Minutes engaged", f"{float(row['minutes_engaged']):,.0f}", "minutes_engaged"),
                ("Orders", f"{int(row['orders']):,}", "orders"),
                ("Net revenue", f"${float(row['net_revenue_usd']):,.2f}", "net_revenue_usd"),
            ],
            last_event_at=_time(row["last_event_at"]),
        ))
    return lines


def _minutes() -> dict:
    frame = read_live(
        "select event_minute, business_line, events from live.metrics_per_minute "
        f"where event_minute > (select max(event_minute) from live.metrics_per_minute) - interval '{LAST_MINUTES} minutes'"
    )
    table = frame.pivot_table(index="event_minute", columns="business_line", values="events", aggfunc="sum")
    lines = [line for line in BUSINESS_LINES if line in table.columns]
    rows = [
        (minute.strftime("%Y-%m-%d %H:%M"), [f"{int(value):,}" if not pd.isna(value) else "0" for value in row])
        for minute, row in table[lines].sort_index(ascending=False).iterrows()
    ]
    return {"minute_lines": [BUSINESS_LINE_NAMES[line] for line in lines], "minutes": rows}


def _trending() -> list[dict]:
    frame = read_live("select * from live.trending_titles order by business_line, trend_rank")
    return [
        {
            "name": BUSINESS_LINE_NAMES.get(row.business_line, row.business_line),
            "rank": int(row.trend_rank),
            "product": row.product_key.split(":", 1)[-1],
            "events": f"{int(row.events):,}",
            "customers": f"{int(row.customers):,}",
            "minutes": f"{float(row.minutes_engaged):,.0f}",
        }
        for row in frame.itertuples()
    ]


def _time(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
