"""Properties of the live store, whatever the order, batching and repetition the broker delivers in.

Redelivery after a crash, a producer's retry and a consumer reclaiming another's entries all come down to
this: the same entries again, in other batches, in another order. Whatever Hypothesis draws, the store must
hold each event once and its per-minute metrics must equal a recount from scratch.
"""

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vision_assets.live.events import EVENT_FIELD, STREAMS, check_entries, encode
from vision_assets.live.publisher import events_of_day
from vision_assets.live.store import ensure_live_tables, write_batch
from vision_assets.simulate.world import World
from vision_assets.warehouse import live_connection

_WORLD = World(start=date(2026, 4, 1), scale=0.1, seed=13)
EVENTS = events_of_day(_WORLD.simulate_day(date(2026, 4, 1)))[:400]
ENTRIES = [
    (STREAMS[item.event["line"]], f"{1_775_000_000_000 + position}-0", {EVENT_FIELD: encode(item.event)})
    for position, item in enumerate(EVENTS)
]
RECOUNT = """
select event_minute, business_line, count(*) as events, count(distinct account_key) as active_customers,
       sum(engaged_minutes) as minutes_engaged,
       count(distinct case when source_table = 'orders' then order_key end) as orders,
       sum(net_amount_usd) as net_revenue_usd
from live.events group by 1, 2 order by 1, 2
"""
STORED = """
select event_minute, business_line, events, active_customers, minutes_engaged, orders, net_revenue_usd
from live.metrics_per_minute order by 1, 2
"""

deliveries = st.lists(
    st.lists(st.integers(min_value=0, max_value=len(ENTRIES) - 1), min_size=1, max_size=120),
    min_size=1, max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=deliveries, everything_at_the_end=st.booleans())
def test_any_delivery_order_and_repetition_counts_each_event_once(monkeypatch, batches, everything_at_the_end):
    with tempfile.TemporaryDirectory() as folder:
        monkeypatch.setenv("VISION_LIVE_DUCKDB_PATH", str(Path(folder) / "vision_live.duckdb"))
        if everything_at_the_end:
            batches = [*batches, list(range(len(ENTRIES)))]
        connection = live_connection()
        try:
            ensure_live_tables(connection)
            for positions in batches:
                write_batch(connection, check_entries([ENTRIES[p] for p in positions]), "consumer-1")
            keys = connection.query("select event_key from live.events")["event_key"]
            stored, recount = connection.query(STORED), connection.query(RECOUNT)
            repeated = int(connection.query("select sum(repeated_events) from live.ingest_batches").iloc[0, 0])
        finally:
            connection.close()
    delivered = {p for positions in batches for p in positions}
    assert keys.is_unique
    assert set(keys) == {f"{EVENTS[p].event['line']}:{EVENTS[p].event['event_id']}" for p in delivered}
    assert repeated == sum(len(positions) for positions in batches) - len(delivered)
    assert stored.equals(recount)


def test_the_sample_holds_every_streamed_table_once_per_event():
    tables = {(item.event["line"], item.event["table"]) for item in EVENTS}
    assert {table for _, table in tables} == {"engagement", "orders", "billing"}
    assert len({(item.event["line"], item.event["event_id"]) for item in EVENTS}) == len(EVENTS)
