"""The live consumer: micro-batches from the four streams into the live tables, each event counted once.

A long-running process, not a Dagster run per batch: a sensor-launched run alone costs 5-20 s here, and the
lane's target is an event visible within 10 s of its publication. It reports what it wrote to the Dagster
instance as runless materializations of the live assets (Dagster's documented pattern for work done outside
a run; :mod:`vision_assets.live.reporting`), so lineage, freshness and checks show in the UI as for any
other asset.

Each turn of the loop:

1. reads up to ``batch_size`` entries for this consumer from the group ``vision-live`` on every stream:
   first its own entries delivered but never acknowledged (it was killed mid-batch), then, every
   ``reclaim_every_s``, entries another consumer left pending for longer than ``reclaim_idle_ms``
   (``XAUTOCLAIM``: that consumer died), then new ones;
2. checks them (:mod:`vision_assets.live.events`) and writes the batch in one transaction
   (:func:`vision_assets.live.store.write_batch`), where a redelivered or republished event is recognised
   by its key and not counted twice;
3. only then acknowledges the entries (``XACK``) and copies the dead letters to ``vision:events:dead_letter``.

Broker down, warehouse locked: the turn fails, nothing is acknowledged, the consumer waits and tries again.
Acknowledged entries older than the group's oldest pending one are trimmed from the streams.
"""

import logging
import threading
import time
from collections.abc import Callable

import redis

from vision_assets.live.events import (
    CONSUMER_GROUP,
    DEAD_LETTER_STREAM,
    STREAMS,
    CheckedBatch,
    check_entries,
)
from vision_assets.live.store import BatchResult, ensure_live_tables, write_batch
from vision_assets.warehouse import LiveConnection, live_connection

log = logging.getLogger(__name__)


def ensure_groups(client: redis.Redis) -> None:
    """Create the consumer group on every stream (and the stream itself), reading from the start."""
    for stream in STREAMS.values():
        try:
            client.xgroup_create(stream, CONSUMER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise


class LiveConsumer:
    def __init__(
        self,
        client: redis.Redis,
        name: str = "consumer-1",
        *,
        batch_size: int = 20_000,
        block_ms: int = 250,
        reclaim_idle_ms: int = 30_000,
        reclaim_every_s: float = 5.0,
        trim_every_s: float = 10.0,
        connect: Callable[..., LiveConnection] = live_connection,
        on_batch: Callable[[BatchResult], None] | None = None,
    ):
        self.client = client
        self.name = name
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.reclaim_idle_ms = reclaim_idle_ms
        self.reclaim_every_s = reclaim_every_s
        self.trim_every_s = trim_every_s
        self.connect = connect
        self.on_batch = on_batch
        self._own_pending_done = False
        self._last_reclaim = 0.0
        self._last_trim = time.monotonic()
        self._connection: LiveConnection | None = None
        self._tables_ready = False

    # ----------------------------------------------------------------- one turn

    def poll_once(self) -> BatchResult | None:
        """Read, write and acknowledge one micro-batch; None when there was nothing to read."""
        entries = self._read()
        if not entries:
            self._maybe_trim()
            return None
        checked = check_entries(entries)
        result = self._write(checked)
        pipeline = self.client.pipeline(transaction=False)
        for letter in checked.dead_letters:
            pipeline.xadd(
                DEAD_LETTER_STREAM,
                {"stream": letter.stream, "entry_id": letter.entry_id, "reason": letter.reason, "event": letter.event},
            )
        by_stream: dict[str, list[str]] = {}
        for stream, entry_id, _ in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            pipeline.xack(stream, CONSUMER_GROUP, *ids)
        pipeline.execute()
        if self.on_batch is not None:
            self.on_batch(result)
        self._maybe_trim()
        return result

    def _read(self) -> list[tuple[str, str, dict]]:
        if not self._own_pending_done:
            # Entries delivered to this consumer before it was killed: they come back first, with id 0.
            entries = self._xreadgroup({stream: "0" for stream in STREAMS.values()}, block=None)
            if entries:
                return entries
            self._own_pending_done = True
        if time.monotonic() - self._last_reclaim >= self.reclaim_every_s:
            self._last_reclaim = time.monotonic()
            entries = self._reclaim()
            if entries:
                return entries
        return self._xreadgroup({stream: ">" for stream in STREAMS.values()}, block=self.block_ms)

    def _xreadgroup(self, streams: dict[str, str], block: int | None) -> list[tuple[str, str, dict]]:
        # COUNT is per stream, and the lines' volumes differ tenfold: half the batch each, at most.
        per_stream = max(1, self.batch_size // 2)
        replies = self.client.xreadgroup(CONSUMER_GROUP, self.name, streams, count=per_stream, block=block)
        entries = []
        for stream, stream_entries in replies or []:
            stream = stream.decode() if isinstance(stream, bytes) else stream
            for entry_id, fields in stream_entries:
                if fields is None:  # pending entry trimmed away: nothing to process
                    continue
                entries.append((stream, entry_id.decode() if isinstance(entry_id, bytes) else entry_id, fields))
        return entries

    def _reclaim(self) -> list[tuple[str, str, dict]]:
        entries = []
        for stream in STREAMS.values():
            reply = self.client.xautoclaim(
                stream, CONSUMER_GROUP, self.name, min_idle_time=self.reclaim_idle_ms, start_id="0-0",
                count=max(1, self.batch_size // len(STREAMS)),
            )
            for entry_id, fields in reply[1]:
                if fields:
                    entries.append((stream, entry_id.decode() if isinstance(entry_id, bytes) else entry_id, fields))
        return entries

    def _write(self, checked: CheckedBatch) -> BatchResult:
        connection = self._connection or self.connect()
        try:
            if not self._tables_ready:
                ensure_live_tables(connection)
                self._tables_ready = True
            return write_batch(connection, checked, self.name)
        finally:
            if getattr(connection, "exclusive", True):
                connection.close()  # the embedded file: free for readers between batches
                self._connection = None
            else:
                self._connection = connection

    def _maybe_trim(self) -> None:
        if time.monotonic() - self._last_trim < self.trim_every_s:
            return
        self._last_trim = time.monotonic()
        for stream in STREAMS.values():
            trim_acknowledged(self.client, stream)

    # ----------------------------------------------------------------- the loop

    def run(self, stop: threading.Event, on_idle: Callable[[], None] | None = None) -> None:
        """Turn until ``stop`` is set; a failed turn (broker or warehouse away) is retried after a pause."""
        ensure_groups_when_possible = True
        pause = 0.2
        while not stop.is_set():
            try:
                if ensure_groups_when_possible:
                    ensure_groups(self.client)
                    ensure_groups_when_possible = False
                result = self.poll_once()
                pause = 0.2
                if result is None and on_idle is not None:
                    on_idle()
            except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as error:
                log.warning("live consumer %s: broker unavailable (%s); retrying in %.1f s", self.name, error, pause)
                ensure_groups_when_possible = True
                self._own_pending_done = False
                stop.wait(pause)
                pause = min(pause * 2, 5.0)
            except Exception:
                log.exception("live consumer %s: batch not written; retrying in %.1f s", self.name, pause)
                self._own_pending_done = False
                stop.wait(pause)
                pause = min(pause * 2, 5.0)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def trim_acknowledged(client: redis.Redis, stream: str) -> None:
    """Drop the entries every consumer of the group has acknowledged (those before the oldest pending one,
    or before the last delivered one when none is pending)."""
    try:
        groups = {
            (group["name"].decode() if isinstance(group["name"], bytes) else group["name"]): group
            for group in client.xinfo_groups(stream)
        }
    except redis.ResponseError:
        return
    group = groups.get(CONSUMER_GROUP)
    if group is None:
        return
    pending = client.xpending(stream, CONSUMER_GROUP)
    oldest = pending["min"] if pending["pending"] else group["last-delivered-id"]
    oldest = oldest.decode() if isinstance(oldest, bytes) else oldest
    if oldest and oldest != "0-0":
        client.xtrim(stream, minid=oldest, approximate=False)
