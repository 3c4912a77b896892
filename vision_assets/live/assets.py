"""The live lane in the asset graph: streams, live tables and metrics, their checks, and the reconciliation.

The four streams are external assets (the apps write them); the live tables are external assets too,
written by the long-running consumer, which reports each refresh to the Dagster instance
(:mod:`vision_assets.live.reporting`). Lineage runs stream → ``live.events`` → the metrics, freshness is
counted in minutes, and the checks below can be run from the UI at any time (the consumer also reports
their result as it goes). ``analytics.live_reconciliation`` is an ordinary daily asset of the daily lane:
once a day's facts are built it compares them with what the live lane counted for that day.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, BUSINESS_LINES, SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.landing.zone import LandingZone
from vision_assets.live.events import STREAMS
from vision_assets.live.names import LIVE_LAYER, RECONCILIATION_CHECK, RECONCILIATION_KEY
from vision_assets.live.reconciliation import (
    COLUMNS,
    EVENT_COLUMNS,
    UNEXPLAINED,
    books_events,
    reconcile,
    unexplained_events,
)
from vision_assets.live.store import read_live
from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.trust.declared import declared_schema
from vision_assets.warehouse import (
    WAREHOUSE_RETRY_POLICY,
    LiveLaneNotStarted,
    current_warehouse,
    final_unless_transient,
    warehouse_pool,
)

OWNERS = ["team:data-platform"]
LIVE_EVENTS = dg.AssetKey(["live", "events"])
STREAM_KEYS = {line: dg.AssetKey(["streams", f"{line}_events"]) for line in BUSINESS_LINES}

stream_specs = [
    dg.AssetSpec(
        STREAM_KEYS[line],
        description=(
            f"The {BUSINESS_LINE_NAMES[line]} app's events as they happen: the Redis stream `{STREAMS[line]}`, "
            "one JSON object per entry (engagement, order lines and billing events; schema in the README). "
            "Written by the app, read by the live consumer."
        ),
        group_name="live",
        kinds={"redis"},
        owners=OWNERS,
        metadata={"stream": STREAMS[line]},
    )
    for line in BUSINESS_LINES
]

_WAREHOUSE_KIND = current_warehouse().name


def _live_spec(table: str, description: str, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    return dg.AssetSpec(
        [LIVE_LAYER, table], description=description, deps=deps, group_name="live",
        kinds={"python", _WAREHOUSE_KIND}, owners=OWNERS,
    )


live_specs = [
    _live_spec(
        "events",
        "Every event of the four apps' streams, once, seconds after it happened: who, what, when, minutes "
        "engaged and net amount (in the currency charged and in USD, as the daily facts count them). "
        "Provisional until the day's batch export lands and `analytics.live_reconciliation` agrees.",
        list(STREAM_KEYS.values()),
    ),
    _live_spec(
        "metrics_per_minute",
        "Per minute and business line: events, active customers, minutes engaged, orders and net revenue "
        "(USD). Recomputed from `live.events` for every minute a micro-batch touches, so a late event counts "
        "in its own minute.",
        [LIVE_EVENTS],
    ),
    _live_spec(
        "today_so_far",
        "Per business line, the latest day the lane has seen so far: events, active customers, minutes "
        "engaged, orders, net revenue (USD) and the time of the latest event. A view over `live.events`.",
        [LIVE_EVENTS],
    ),
    _live_spec(
        "trending_titles",
        "Per business line, the ten titles, tracks or products with the most engagement events in the last "
        "hour before the line's latest event. A view over `live.events`.",
        [LIVE_EVENTS],
    ),
    _live_spec(
        "dead_letters",
        "Stream entries the lane could not count (not JSON, unknown line or table, missing id or time, "
        "breaking the landing contract), once each, with the reason. Also copied to the stream "
        "`vision:events:dead_letter`.",
        list(STREAM_KEYS.values()),
    ),
]


# ------------------------------------------------------------------------------------------- live checks


def each_event_once() -> tuple[bool, dict]:
    """No event key twice in ``live.events``."""
    row = read_live("select count(*) as events, count(distinct event_key) as keys from live.events").iloc[0]
    return int(row["events"]) == int(row["keys"]), {"events": int(row["events"]), "distinct_keys": int(row["keys"])}


def metrics_match_events() -> tuple[bool, dict]:
    """``live.metrics_per_minute`` adds up to ``live.events``: the incremental recompute missed no minute."""
    row = read_live(
        "select (select count(*) from live.events) as events, "
        "(select coalesce(sum(events), 0) from live.metrics_per_minute) as counted, "
        "(select coalesce(sum(net_amount_usd), 0) from live.events) as revenue, "
        "(select coalesce(sum(net_revenue_usd), 0) from live.metrics_per_minute) as counted_revenue"
    ).iloc[0]
    passed = int(row["events"]) == int(row["counted"]) and float(row["revenue"]) == float(row["counted_revenue"])
    return passed, {key: float(value) for key, value in row.items()}


LIVE_CHECKS = {
    (LIVE_EVENTS, "each_event_once"): each_event_once,
    (dg.AssetKey(["live", "metrics_per_minute"]), "metrics_match_events"): metrics_match_events,
}


def _live_check(asset: dg.AssetKey, name: str, evaluate) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name=name, description=evaluate.__doc__)
    def check() -> dg.AssetCheckResult:
        passed, metadata = evaluate()
        return dg.AssetCheckResult(passed=passed, metadata=metadata)

    return check


live_checks = [_live_check(asset, name, evaluate) for (asset, name), evaluate in LIVE_CHECKS.items()]


# ---------------------------------------------------------------------------------------- reconciliation

_DAY_COLUMNS = {"engagement": "activity_date", "sales": "sale_date", "billing": "billing_date"}
_FACTS = {
    "engagement": ("marts.fct_engagement", ["engagement_key", "business_line", "engaged_minutes", "activity_date"]),
    "sales": (
        "marts.fct_sales", ["source_key", "business_line", "order_key", "net_amount_usd", "sale_type", "sale_date"]
    ),
    "billing": ("marts.fct_billing", ["billing_event_key", "business_line", "signed_amount_usd", "billing_date"]),
}


def export_landed_at(landing: LandingZone, day) -> datetime | None:
    """When the day's export closed: the latest ``_SUCCESS`` marker of its streamed tables (naive UTC)."""
    times = []
    for line in BUSINESS_LINES:
        for table in ("engagement", "orders", "billing"):
            contract = SOURCE_TABLES_BY_NAME.get(f"{line}_{table}")
            marker = landing_day_dir(landing.root_path, contract, day) / "_SUCCESS" if contract else None
            if marker is not None and marker.exists():
                times.append(marker.stat().st_mtime)
    return datetime.fromtimestamp(max(times), UTC).replace(tzinfo=None) if times else None


def _live_events_of(day) -> pd.DataFrame:
    try:
        return read_live(
            f"select {', '.join(EVENT_COLUMNS)}, published_at from live.events where event_date = ?", [day]
        )
    except LiveLaneNotStarted:
        return pd.DataFrame(columns=[*EVENT_COLUMNS, "published_at"])


@dg.asset(
    key=RECONCILIATION_KEY,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[LIVE_EVENTS],
    ins={name: dg.AssetIn(key=key.split("."), metadata={"columns": columns}) for name, (key, columns) in _FACTS.items()},
    group_name="live",
    kinds={"python", _WAREHOUSE_KIND},
    owners=OWNERS,
    tags={"layer": "analytics"},
    metadata={"partition_expr": "reconciled_day", "dagster/column_schema": declared_schema(COLUMNS)},
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
    check_specs=[
        dg.AssetCheckSpec(
            RECONCILIATION_CHECK,
            asset=RECONCILIATION_KEY,
            description=(
                "Every event the live lane counted for a day is in the daily facts with the same minutes "
                "and amount to the cent, and every fact was seen live; only events published after the "
                "day's export landed may differ. A day the lane did not run has nothing to reconcile."
            ),
        )
    ],
)
@final_unless_transient
def live_reconciliation(
    context: dg.AssetExecutionContext,
    landing_zone: LandingZone,
    engagement: pd.DataFrame,
    sales: pd.DataFrame,
    billing: pd.DataFrame,
) -> Iterator:
    """The live lane's count of each day against the daily facts (the books of record), per business line
    and measure (events, minutes engaged, orders, net revenue in USD), with every difference sorted into
    missing from live, not in the books, published after the export landed (explained) or value differs.
    A day the live lane did not run shows nothing live, and says so."""
    # A day outside the daily partitions (a simulated day ahead of the calendar) loads as a frame with no
    # columns: the same as a day with no rows.
    engagement, sales, billing = (
        frame.reindex(columns=_FACTS[name][1])
        for name, frame in (("engagement", engagement), ("sales", sales), ("billing", billing))
    )
    frames, streamed_days, unexplained, notes = [], [], 0, []
    for day in days_in_window(context.partition_time_window):
        live = _live_events_of(day)
        books = books_events(
            *(frame[frame[_DAY_COLUMNS[name]] == pd.Timestamp(day)] for name, frame in
              (("engagement", engagement), ("sales", sales), ("billing", billing)))
        )
        closed_at = export_landed_at(landing_zone, day)
        result = reconcile(live, books, closed_at)
        result.insert(0, "reconciled_day", pd.Timestamp(day))
        frames.append(result)
        if live.empty:
            notes.append(f"{day}: the live lane saw no event of this day, nothing to reconcile")
            continue
        streamed_days.append(day)
        day_unexplained = unexplained_events(result)
        unexplained += day_unexplained
        if day_unexplained:
            keys = "; ".join(key for key in result["example_keys"] if key)
            notes.append(f"{day}: {day_unexplained} unexplained event(s), e.g. {keys[:300]}")
    frame = pd.concat(frames, ignore_index=True)
    yield dg.Output(
        frame,
        metadata={
            "dagster/row_count": len(frame),
            "streamed_days": len(streamed_days),
            "unexplained_events": unexplained,
        },
    )
    streamed = frame[frame["reconciled_day"].isin([pd.Timestamp(day) for day in streamed_days])]
    yield dg.AssetCheckResult(
        check_name=RECONCILIATION_CHECK,
        passed=unexplained == 0,
        metadata={
            "streamed_days": len(streamed_days),
            "unexplained_events": unexplained,
            **{name: int(streamed.loc[streamed["measure"] == "events", name].sum())
               for name in (*UNEXPLAINED, "published_after_close")},
            "notes": dg.MetadataValue.md("\n".join(f"- {note}" for note in notes) or "every streamed day matches"),
        },
    )


live_assets = [*stream_specs, *live_specs, live_reconciliation]
