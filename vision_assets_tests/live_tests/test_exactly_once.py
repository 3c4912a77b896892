"""Each event counted once through every fault the lane must survive, with a real Redis server.

The expected figures are computed from the simulated exports themselves (the books of record), not from
the lane: a day's events, their minutes and amounts.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from vision_assets.live.consumer import LiveConsumer
from vision_assets.live.events import CONSUMER_GROUP, DEAD_LETTER_STREAM, EVENT_FIELD, STREAMS, encode
from vision_assets.live.publisher import TimedEvent, events_of_day, publish
from vision_assets.live.store import read_live
from vision_assets.simulate.world import World

DAY = date(2026, 3, 2)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def day_events() -> list[TimedEvent]:
    world = World(start=date(2026, 3, 1), scale=0.3, seed=5)
    world.simulate_day(date(2026, 3, 1))
    return events_of_day(world.simulate_day(DAY))


def drain(consumer: LiveConsumer) -> None:
    while consumer.poll_once() is not None:
        pass


def counted() -> pd.DataFrame:
    return read_live("select event_key, count(*) as times from live.events group by event_key")


def expected_keys(events: list[TimedEvent]) -> set[str]:
    return {f"{item.event['line']}:{item.event['event_id']}" for item in events}


def assert_each_once(events: list[TimedEvent]) -> None:
    seen = counted()
    assert set(seen["event_key"]) == expected_keys(events)
    assert (seen["times"] == 1).all()
    totals = read_live(
        "select (select count(*) from live.events) as events, (select sum(events) from live.metrics_per_minute) as in_metrics"
    ).iloc[0]
    assert int(totals["events"]) == int(totals["in_metrics"]) == len(expected_keys(events))


def nothing_pending(client) -> bool:
    return all(client.xpending(stream, CONSUMER_GROUP)["pending"] == 0 for stream in STREAMS.values())


def test_a_day_streamed_counts_what_the_export_holds(client, day_events):
    publish(client, day_events)
    drain(LiveConsumer(client))
    assert_each_once(day_events)
    assert nothing_pending(client)
    # Minutes as the export says, line by line: seconds become minutes (four decimals), as staging does.
    minutes = read_live("select business_line, sum(engaged_minutes) as minutes from live.events group by 1")
    time_spent = {"books": ("minutes", 1), "flicks": ("minutes_watched", 1), "music": ("seconds_played", 60),
                  "mart": ("duration_seconds", 60)}
    for line, (column, per_minute) in time_spent.items():
        exported = sum(round(float(item.event["payload"][column]) / per_minute, 4) for item in day_events
                       if item.event["line"] == line and item.event["table"] == "engagement")
        (found,) = minutes.loc[minutes["business_line"] == line, "minutes"]
        assert float(found) == pytest.approx(exported, abs=1e-6)


def test_the_same_event_published_twice_counts_once(client, day_events):
    publish(client, day_events[:300])
    publish(client, day_events[100:300])  # republished, as a producer retrying after a timeout does
    consumer = LiveConsumer(client)
    drain(consumer)
    assert_each_once(day_events[:300])
    batches = read_live("select sum(repeated_events) as repeated from live.ingest_batches").iloc[0]
    assert int(batches["repeated"]) == 200


def test_a_late_event_counts_in_its_own_minute(client, day_events):
    early, late = day_events[:400], day_events[:400][::-1][:1]
    publish(client, early[1:])
    drain(LiveConsumer(client))
    minute_of_late = pd.Timestamp(late[0].at, unit="s").floor("min")
    before = read_live(
        "select coalesce(sum(events), 0) as n from live.metrics_per_minute where event_minute = ?",
        [minute_of_late.to_pydatetime()],
    ).iloc[0, 0]
    publish(client, [early[0]])  # the first event of the day, published last
    drain(LiveConsumer(client))
    minute = pd.Timestamp(early[0].at, unit="s").floor("min").to_pydatetime()
    rows = read_live(
        "select business_line, events from live.metrics_per_minute where event_minute = ? and business_line = ?",
        [minute, early[0].event["line"]],
    )
    recount = read_live(
        "select count(*) from live.events where event_minute = ? and business_line = ?",
        [minute, early[0].event["line"]],
    ).iloc[0, 0]
    assert int(rows["events"].iloc[0]) == int(recount) >= 1
    assert_each_once(early)
    assert before >= 0


def test_malformed_entries_go_to_the_dead_letter_stream_and_the_lane_goes_on(client, day_events):
    good = day_events[:50]
    valid = good[0].event
    # Each malformed entry, keyed by the words its reason must hold.
    bad = {
        "not JSON": "{this is not json",
        "unknown business line 'games'": encode({**valid, "line": "games"}),
        "unknown table 'reviews'": encode({**valid, "table": "reviews"}),
        "missing required field `event_id`": encode({k: v for k, v in valid.items() if k != "event_id"}),
        "missing event_time": encode({**valid, "event_time": ""}),
        "got `int` - at `$.event_id`": encode({**valid, "event_id": 12}),
        "got `array` - at `$.payload[...]`": encode({**valid, "payload": {**valid["payload"], next(iter(valid["payload"])): [1, 2]}}),
        "is not the payload's key": encode({**valid, "event_id": "someone-else"}),
        "is not the payload's": encode({**valid, "event_time": "2001-01-01T00:00:00Z"}),
    }
    stream = STREAMS[valid["line"]]
    for text in bad.values():
        client.xadd(stream, {EVENT_FIELD: text})
    client.xadd(stream, {"something_else": "1"})
    publish(client, good)
    drain(LiveConsumer(client))
    assert_each_once(good)
    letters = read_live("select reason from live.dead_letters")["reason"].tolist()
    assert len(letters) == len(bad) + 1
    for expected in bad:
        assert sum(expected in reason for reason in letters) >= 1, (expected, letters)
    assert any("has no 'event' field" in reason for reason in letters)
    assert client.xlen(DEAD_LETTER_STREAM) == len(bad) + 1
    assert nothing_pending(client)


def test_an_event_breaking_the_landing_contract_is_a_dead_letter_with_the_contracts_reason(client, day_events):
    item = next(item for item in day_events if item.event["table"] == "orders")
    broken = json.loads(encode(item.event))
    broken["payload"]["quantity"] = "-3"
    client.xadd(STREAMS[broken["line"]], {EVENT_FIELD: encode(broken)})
    drain(LiveConsumer(client))
    (reason,) = read_live("select reason from live.dead_letters")["reason"]
    assert "quantity" in reason
    assert read_live("select count(*) from live.events").iloc[0, 0] == 0


def _start_consumer(url: str, name: str, delay: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "vision_assets_tests.live_tests.consumer_process", url, name, str(delay)],
        cwd=REPO, env=os.environ.copy(), start_new_session=True,
    )


def _wait_until(condition, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _all_counted(events) -> bool:
    try:
        return len(counted()) == len(expected_keys(events))
    except Exception:  # noqa: BLE001 - the store is being written, or not yet created
        return False


def test_a_consumer_killed_mid_batch_and_restarted_counts_each_event_once(client, broker, day_events):
    publish(client, day_events)
    for attempt in range(3):
        consumer = _start_consumer(broker.url, "consumer-1", delay=0.3)
        time.sleep(2.0 + 0.37 * attempt)
        os.killpg(consumer.pid, signal.SIGKILL)  # mid-batch: every batch waits 0.3 s before its commit
        consumer.wait()
    consumer = _start_consumer(broker.url, "consumer-1", delay=0.0)
    try:
        _wait_until(lambda: _all_counted(day_events) and nothing_pending(client))
    finally:
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait()
    assert_each_once(day_events)


def test_entries_left_pending_by_a_dead_consumer_are_reclaimed_by_another(client, broker, day_events):
    publish(client, day_events[:2000])
    dead = _start_consumer(broker.url, "consumer-dead", delay=5.0)
    _wait_until(lambda: client.xpending(STREAMS["music"], CONSUMER_GROUP)["pending"] > 0)
    os.killpg(dead.pid, signal.SIGKILL)
    dead.wait()
    survivor = _start_consumer(broker.url, "consumer-2", delay=0.0)
    try:
        _wait_until(lambda: _all_counted(day_events[:2000]) and nothing_pending(client))
    finally:
        os.killpg(survivor.pid, signal.SIGKILL)
        survivor.wait()
    assert_each_once(day_events[:2000])


@pytest.mark.parametrize("how", ["restarted", "killed"])
def test_the_broker_going_down_loses_and_doubles_nothing(client, broker, day_events, how):
    stop = threading.Event()
    consumer = LiveConsumer(client, reclaim_idle_ms=1000, reclaim_every_s=0.5)
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        half = len(day_events) // 2
        publish(client, day_events[:half])
        time.sleep(1.5)  # the append-only file is synced every second
        broker.stop() if how == "restarted" else broker.kill()
        broker.start()
        publish(client, day_events[half:])
        _wait_until(lambda: _all_counted(day_events) and nothing_pending(client))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert_each_once(day_events)
