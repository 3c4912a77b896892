"""The simulator's streaming mode: the apps publishing each event of a day as it happens.

The events streamed for day D are exactly the rows of day D's engagement, orders and billing exports
(:func:`vision_assets.live.events.events_of_export`), in the order they happened. The daily export of day D
still lands afterwards, unchanged: it remains the books of record the live totals are reconciled with.

Pacing: ``speedup`` replays the day's own rhythm faster than real time (``speedup=1440`` plays a day in a
minute); ``rate`` publishes at a fixed number of events per second whatever their times (benchmarks).
Entries are sent in pipelines of ``chunk`` to the stream of their business line.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import redis

from vision_assets.landing.values import convert
from vision_assets.live.events import EVENT_FIELD, EVENT_SHAPES, encode, events_of_export, stream_name


@dataclass(frozen=True)
class TimedEvent:
    at: float
    """Seconds since the epoch of its event time (UTC)."""
    stream: str
    event: dict


def events_of_day(exports: dict[str, pd.DataFrame]) -> list[TimedEvent]:
    """The events of one simulated day's exports, in event-time order (a stable sort: ties keep export order)."""
    timed: list[TimedEvent] = []
    for (line, table), shape in EVENT_SHAPES.items():
        frame = exports.get(shape.contract.name)
        if frame is None or frame.empty:
            continue
        events = events_of_export(shape.contract, frame)
        times = convert(pa.array(frame[shape.contract.event_time].astype(str).tolist(), pa.string()), "timestamp")
        seconds = times.values.to_numpy(dtype="datetime64[us]").astype(np.int64) / 1e6
        timed += [TimedEvent(float(at), stream_name(line), event) for at, event in zip(seconds, events)]
    timed.sort(key=lambda item: item.at)
    return timed


def publish(
    client: redis.Redis,
    events: Iterable[TimedEvent],
    *,
    speedup: float | None = None,
    rate: float | None = None,
    chunk: int = 500,
    on_published: Callable[[int], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Publish ``events`` paced by ``speedup`` or ``rate`` (as fast as possible with neither); returns how many.

    A broker that goes away mid-way is waited for and the unsent chunk sent again: an entry may then be
    published twice, which the consumer recognises by its event id.
    """
    if speedup is not None and rate is not None:
        raise ValueError("give speedup or rate, not both")
    began = time.monotonic()
    first_at: float | None = None
    sent = 0
    pending: list[TimedEvent] = []
    for event in events:
        if stop():
            break
        if first_at is None:
            first_at = event.at
        pending.append(event)
        due = (
            began + (event.at - first_at) / speedup if speedup
            else began + (sent + len(pending)) / rate if rate
            else None
        )
        wait = (due - time.monotonic()) if due is not None else 0.0
        if len(pending) >= chunk or wait > 0.005:
            if wait > 0:
                time.sleep(wait)
            sent += _send(client, pending)
            pending = []
            if on_published is not None:
                on_published(sent)
    if pending:
        sent += _send(client, pending)
        if on_published is not None:
            on_published(sent)
    return sent


def _send(client: redis.Redis, chunk: list[TimedEvent]) -> int:
    pause = 0.2
    while True:
        try:
            pipeline = client.pipeline(transaction=False)
            for item in chunk:
                pipeline.xadd(item.stream, {EVENT_FIELD: encode(item.event)})
            pipeline.execute()
            return len(chunk)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
