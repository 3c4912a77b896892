"""The live store on the production warehouse: the same batches through the Snowflake connection (fakesnow)."""

from datetime import date

import fakesnow
import pandas as pd
import pytest

from vision_assets import warehouse
from vision_assets.live.events import EVENT_FIELD, STREAMS, check_entries, encode
from vision_assets.live.publisher import events_of_day
from vision_assets.live.store import ensure_live_tables, write_batch
from vision_assets.simulate.world import World
from vision_assets_tests.raw_tests.test_snowflake_path import SNOWFLAKE_ENV


@pytest.fixture
def snowflake(monkeypatch):
    for name, value in SNOWFLAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PRIVATE_KEY_PATH", raising=False)
    monkeypatch.setenv("VISION_WAREHOUSE", "snowflake")
    warehouse.current_warehouse.cache_clear()
    with fakesnow.patch(extra_targets=["snowflake.connector.pandas_tools.write_pandas"]):
        yield
    warehouse.current_warehouse.cache_clear()


def entries_of(events, first_id: int = 1):
    return [
        (STREAMS[item.event["line"]], f"{1_770_000_000_000 + position}-0", {EVENT_FIELD: encode(item.event)})
        for position, item in enumerate(events, start=first_id)
    ]


def test_batches_become_visible_once_in_snowflakes_live_schema(snowflake):
    world = World(start=date(2026, 3, 1), scale=0.2, seed=3)
    events = events_of_day(world.simulate_day(date(2026, 3, 1)))
    entries = entries_of(events)
    connection = warehouse.live_connection()
    assert type(connection).__name__ == "SnowflakeLiveConnection"
    try:
        ensure_live_tables(connection)
        first = write_batch(connection, check_entries(entries[:500]), "consumer-1")
        again = write_batch(connection, check_entries(entries[250:]), "consumer-1")  # half redelivered
        totals = connection.query(
            "select count(*) as events, count(distinct event_key) as keys, sum(net_amount_usd) as revenue "
            "from live.events"
        ).iloc[0]
        per_minute = connection.query(
            "select sum(events) as events, sum(net_revenue_usd) as revenue from live.metrics_per_minute"
        ).iloc[0]
        today = connection.query("select sum(events) as events from live.today_so_far").iloc[0]
    finally:
        connection.close()
    assert (first.new_events, again.new_events, again.repeated_events) == (500, len(events) - 500, 250)
    assert int(totals["events"]) == int(totals["keys"]) == len(events)
    assert int(per_minute["events"]) == int(today["events"]) == len(events)
    assert float(per_minute["revenue"]) == pytest.approx(float(totals["revenue"]), abs=0.001)
    assert not pd.isna(totals["revenue"])
