"""``make live``: the broker, the streaming simulator and the consumer, started and stopped together.

``python -m vision_assets.live`` starts the embedded Redis (unless ``VISION_REDIS_URL`` names one), a
consumer, and the simulator in streaming mode: from the day after the last landed day on, it publishes
each day's events as they happen (``--speedup``: 1440 plays a day in a minute), then lands that day's batch
export as the daily lane expects it. The live page (``<data dir>/dashboards/live.html``) is rewritten every
few seconds and refreshes itself; the consumer reports to the Dagster instance (``DAGSTER_HOME``), so
``make dev`` in another terminal shows the live assets refreshing. Ctrl-C stops everything it started.
"""

import argparse
import logging
import signal
import threading
import time
from datetime import date, timedelta

from vision_assets import paths
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.layout import landed_days
from vision_assets.live.broker import EmbeddedBroker, broker_url, connect
from vision_assets.live.consumer import LiveConsumer, ensure_groups
from vision_assets.live.publisher import events_of_day, publish
from vision_assets.partitions import partitions_start
from vision_assets.simulate.export import write_table_day
from vision_assets.simulate.world import World

log = logging.getLogger("vision.live")


def first_unlanded_day(start: date) -> date:
    landed = landed_days(paths.landing_root(), list(SOURCE_TABLES))
    return max(landed) + timedelta(days=1) if landed else start


def stream_days(client, stop: threading.Event, *, start: date, first_day: date, days: int | None, scale: float,
                seed: int, speedup: float | None, rate: float | None, land_exports: bool = True) -> None:
    """Simulate from ``start``; publish and land every day from ``first_day`` on (``days`` of them, or until stopped)."""
    world = World(start=start, scale=scale, seed=seed)
    day = start
    while day < first_day:
        world.simulate_day(day)  # the world must move through the days already landed
        day += timedelta(days=1)
    streamed = 0
    while not stop.is_set() and (days is None or streamed < days):
        exports = world.simulate_day(day)
        events = events_of_day(exports)
        log.info("%s: publishing %s events", day, f"{len(events):,}")
        publish(client, events, speedup=speedup, rate=rate, stop=stop.is_set)
        if stop.is_set():
            break
        if land_exports:
            for table in SOURCE_TABLES:
                write_table_day(paths.landing_root(), table, day, exports[table.name])
            log.info("%s: the day closed, its batch export landed in %s", day, paths.landing_root())
        streamed += 1
        day += timedelta(days=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m vision_assets.live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--speedup", type=float, default=1440.0, help="days play this many times faster (1440: a day a minute)")
    parser.add_argument("--rate", type=float, default=None, help="publish at this many events per second instead")
    parser.add_argument("--days", type=int, default=None, help="stop after streaming this many days (default: until Ctrl-C)")
    parser.add_argument("--scale", type=float, default=1.0, help="as make run's SCALE")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    log.setLevel(logging.INFO)

    from vision_assets.live.page import write_live_page

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    broker = None if broker_url() else EmbeddedBroker().start()
    url = broker_url() or broker.url
    client = connect(url)
    ensure_groups(client)
    reporter = _reporter()
    consumer = LiveConsumer(client, "consumer-1", on_batch=reporter.add if reporter else None)
    consumer_thread = threading.Thread(target=consumer.run, args=(stop,), name="live-consumer", daemon=True)
    consumer_thread.start()

    def pages() -> None:
        while not stop.wait(5.0):
            try:
                write_live_page()
            except Exception as error:  # noqa: BLE001 - a page that cannot be drawn yet is drawn next time
                log.debug("live page not written: %s", error)

    threading.Thread(target=pages, name="live-page", daemon=True).start()
    start = partitions_start()
    first_day = first_unlanded_day(start)
    print(f"Live lane: broker {url if broker_url() else 'embedded, ' + url}; streaming from {first_day}.")
    print(f"Live page: {paths.dashboards_dir() / 'live.html'} (refreshes itself). The UI: make dev. Ctrl-C stops.")
    try:
        stream_days(client, stop, start=start, first_day=first_day, days=args.days, scale=args.scale,
                    seed=args.seed, speedup=args.speedup, rate=args.rate)
        while not stop.is_set() and args.days is not None and _pending(client):
            time.sleep(0.5)
    finally:
        stop.set()
        consumer_thread.join(timeout=30)
        if reporter:
            reporter.flush()
        write_live_page()
        if broker is not None:
            broker.stop()
        print("Live lane stopped.")


def _pending(client) -> bool:
    from vision_assets.live.events import CONSUMER_GROUP, STREAMS

    for stream in STREAMS.values():
        groups = client.xinfo_groups(stream)
        for group in groups:
            name = group["name"].decode() if isinstance(group["name"], bytes) else group["name"]
            if name == CONSUMER_GROUP and (group.get("lag") or group["pending"]):
                return True
    return False


def _reporter():
    import dagster as dg

    from vision_assets.live.reporting import DagsterReporter

    try:
        return DagsterReporter(dg.DagsterInstance.get())
    except Exception as error:  # noqa: BLE001 - no instance configured: the lane runs, the UI does not hear of it
        log.warning("no Dagster instance (%s): the live assets will not show refreshes in the UI", error)
        return None
