"""Dagster's SQLite storage, with the event log's SQLAlchemy engines kept between writes.

Dagster's ``SqliteEventLogStorage`` creates a new SQLAlchemy engine for every connection it opens, and a
run opens several per event (the run's own file, then the cross-run index for asset and check events). A
new engine starts with an empty statement cache, so every insert is compiled again: a day's run stored
about 2,300 events, and compiling and engine set-up were a third of the time spent storing them
(``benchmarks/event_log.py``). This subclass keeps one engine per database file and otherwise behaves as
Dagster's:

* a run's own file keeps Dagster's ``NullPool``: each write opens and closes its SQLite connection, so the
  file is checkpointed after every event, which is what the UI's live run view watches for;
* the cross-run index (``index.db``, which no view watches) keeps one open connection per process instead:
  opening it, and checkpointing its write-ahead log when the last connection closed, cost about a fifth of
  storing a day's events. Other processes still read and write it as before (SQLite's WAL mode lets
  several processes share the file; an idle connection holds no lock);
* a batch of events (Dagster batches the "planned" events it writes for every asset and check when it
  creates a run, and a step's materializations of several partitions) is written in one transaction per
  file, instead of one open, commit and close for each event: Dagster's SQLite storage inherits the base
  class's one-by-one ``store_event_batch``. Dagster hands events over in batches only when the environment
  variable ``DAGSTER_EVENT_BATCH_SIZE`` is set; it has no instance setting, so this module sets it (unless
  it is set already) in every process that loads this storage: the webserver, the daemon, run workers and
  ``materialize_days``;
* the files, their schema and their layout under ``$DAGSTER_HOME`` are Dagster's own, so an instance can
  switch to and from this class without leaving its history behind.

It is selected in ``dagster.yaml`` (``storage: custom:``); Dagster offers no setting for the engine's
lifetime, hence the subclass. A team deployment uses PostgreSQL instead (docs/team.md).
"""

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

# A run worker uses two files (its run's and the index); the webserver reads many runs, so the engines of
# the least recently used files are let go beyond this many.
MAX_CACHED_ENGINES = 32

# Events Dagster buffers before handing them to `store_event_batch` (it reads the variable at every event).
# A run's planned events are one batch: a day's run plans about 300.
EVENT_BATCH_SIZE = 1000
os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))


class EngineCachingSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that reuses one SQLAlchemy engine (and its statement cache) per file, and
    keeps the index's connection open."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._index_tables_seen: set[str] = set()
        # The connections of the batch being stored by this thread, one per file, each in its transaction.
        self._batch = threading.local()
        super().__init__(base_dir, inst_data)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Every event of the batch as ``store_event`` stores it, in one transaction per file: all of them
        or, when one fails, none (Dagster then stores them one by one)."""
        if getattr(self._batch, "connections", None) is not None:  # a batch within a batch: part of it
            for event in events:
                self.store_event(event)
            return
        # The whole batch holds the storage's lock, as each single write does for its own connection.
        # Released between events, another thread of this process (the daemon runs several) could take
        # it and then wait on SQLite for the write lock this batch's open transaction holds, while this
        # thread waits for the storage's lock: each stuck until SQLite's 30-second busy timeout.
        with self._db_lock:
            self._batch.connections = connections = {}
            try:
                for event in events:
                    self.store_event(event)
                for connection in connections.values():
                    connection.commit()
            finally:
                self._batch.connections = None
                for connection in connections.values():
                    connection.close()  # rolls back what was not committed

    def has_table(self, table_name: str) -> bool:
        # Dagster asks, for every asset and check event, whether the index has the tables later migrations
        # add, each time through a new engine and a new connection. A table once there stays there.
        if table_name in self._index_tables_seen:
            return True
        present = super().has_table(table_name)
        if present:
            self._index_tables_seen.add(table_name)
        return present

    def _engine_for_shard(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        if shard == INDEX_SHARD_NAME:
            # One connection, kept open. `_db_lock` serializes its use, so threads may share it.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
        else:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
        self._engines[shard] = engine
        while len(self._engines) > MAX_CACHED_ENGINES:
            _, evicted = self._engines.popitem(last=False)
            evicted.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        batch = getattr(self._batch, "connections", None)
        if batch is not None:  # this thread holds the storage's lock for the whole batch
            if shard not in batch:
                batch[shard] = self._engine_connection(shard)
                batch[shard].begin()
            yield batch[shard]
            return
        # The body of SqliteEventLogStorage._connect, with the engine kept instead of made and disposed.
        with self._db_lock, self._engine_connection(shard) as conn, conn.begin():
            yield conn

    def _engine_connection(self, shard: str) -> Connection:
        engine = self._engine_for_shard(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine.connect()


class EngineCachingSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event log, schedules) with the engine-caching event log.

    Configured like ``storage: sqlite:``, with the same ``base_dir`` (``$DAGSTER_HOME`` in ``dagster.yaml``).
    """

    def __init__(self, base_dir: str, inst_data=None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = EngineCachingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        # DagsterSqliteStorage.from_config_value names its own class; from_local builds this one.
        return cls.from_local(inst_data=inst_data, **config_value)
