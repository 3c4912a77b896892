"""DuckDB allows one writing process per file: the live lane and its readers take turns, and nobody fails.

The consumer runs in its own process, as in production, opening the live file for one micro-batch at a
time; meanwhile this process reads the live tables again and again (as the reconciliation, the live page
and ``vision trust`` do). No read may fail with a lock error, and the lane must count everything.
"""

import os
import signal
import time

from vision_assets.live.publisher import publish
from vision_assets.live.store import read_live
from vision_assets.warehouse import LiveLaneNotStarted
from vision_assets_tests.live_tests.test_exactly_once import (
    _all_counted,
    _start_consumer,
    assert_each_once,
    day_events,  # noqa: F401 - the fixture
    nothing_pending,
)


def test_readers_and_the_live_writer_take_turns_without_a_lock_error(client, broker, day_events):  # noqa: F811
    consumer = _start_consumer(broker.url, "consumer-1", delay=0.05)
    reads = 0
    try:
        publish(client, day_events)
        deadline = time.monotonic() + 90
        while not (_all_counted(day_events) and nothing_pending(client)):
            assert time.monotonic() < deadline
            try:
                read_live("select count(*) from live.metrics_per_minute")
                reads += 1
            except LiveLaneNotStarted:
                pass  # the consumer has not created the store yet
    finally:
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait()
    assert reads >= 3
    assert_each_once(day_events)
