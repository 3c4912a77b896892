"""The instance's SQLite storage keeps the event log's engines and the index's connection, and reads the
history Dagster's own wrote."""

import os
import sqlite3
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.events import DagsterEventType

from vision_assets import dagster_storage
from vision_assets.dagster_storage import EngineCachingSqliteEventLogStorage
from vision_assets.paths import REPO_ROOT

PLANNED = (DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
CHECKS = [dg.AssetCheckSpec(f"check_{index}", asset="checked_table") for index in range(3)]


@dg.asset(check_specs=CHECKS)
def checked_table():
    yield dg.MaterializeResult(metadata={"dagster/row_count": 3})
    for spec in CHECKS:
        yield dg.AssetCheckResult(check_name=spec.name, passed=True)


def instance_at(home, monkeypatch, dagster_yaml: dict) -> dg.DagsterInstance:
    (home / "dagster.yaml").write_text(yaml.safe_dump(dagster_yaml))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return dg.DagsterInstance.get()


def record_sqlite_opens(monkeypatch) -> list[str]:
    """The name (run id, ``index``) of every SQLite file opened from now on, in order."""
    opened: list[str] = []
    connect = sqlite3.dbapi2.connect  # what SQLAlchemy's pysqlite dialect calls

    def recording_connect(database, *args, **kwargs):
        opened.append(Path(database).stem)
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3.dbapi2, "connect", recording_connect)
    return opened


@pytest.fixture
def repository_config():
    return yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())


def test_a_run_makes_one_engine_per_database_file_and_reuses_it(tmp_path, monkeypatch, repository_config):
    made = []
    create_engine = dagster_storage.create_engine
    monkeypatch.setattr(dagster_storage, "create_engine", lambda *a, **k: made.append(a[0]) or create_engine(*a, **k))
    instance = instance_at(tmp_path, monkeypatch, repository_config)
    assert isinstance(instance.event_log_storage, EngineCachingSqliteEventLogStorage)

    first = dg.materialize([checked_table], instance=instance)
    second = dg.materialize([checked_table], instance=instance)

    assert first.success and second.success
    # The index and each run's own file: three engines for two runs of ~20 events each.
    assert sorted(made) == sorted(
        {instance.event_log_storage.conn_string_for_shard(shard) for shard in ("index", first.run_id, second.run_id)}
    )
    assert len(instance.all_logs(second.run_id)) >= 2 * (1 + len(CHECKS))
    evaluations = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("checked_table"), spec.name) for spec in CHECKS]
    )
    assert {execution.run_id for execution in evaluations.values()} == {second.run_id}


def test_the_index_keeps_its_connection_and_a_runs_file_opens_one_per_write(
    tmp_path, monkeypatch, repository_config
):
    """After the first run opened it, the index's connection stays open: the next run, ~20 events written
    to the index too (asset and check events), opens it no more. The run's own file is still opened and
    closed for each write (a batch of events being one write), so it is checkpointed after each, as the
    UI's live run view watches for."""
    instance = instance_at(tmp_path, monkeypatch, repository_config)
    assert dg.materialize([checked_table], instance=instance).success
    opened = record_sqlite_opens(monkeypatch)

    result = dg.materialize([checked_table], instance=instance)

    assert result.success
    assert instance.get_latest_materialization_event(dg.AssetKey("checked_table")).run_id == result.run_id
    assert opened.count("index") == 0
    planned = [event for event in instance.all_logs(result.run_id) if event.dagster_event_type in PLANNED]
    assert opened.count(result.run_id) >= len(instance.all_logs(result.run_id)) - len(planned) + 1


def test_a_runs_planned_events_are_stored_in_one_transaction(tmp_path, monkeypatch, repository_config):
    """Dagster writes a planned event for each asset and check of a run when it creates it, as one batch:
    the run's file is opened once for all of them, not once each, so a run planning 21 events opens it
    as often as one planning 4 (creating the file opens it a few times more), and all are stored."""
    assert int(os.environ["DAGSTER_EVENT_BATCH_SIZE"]) >= 1000  # set by the storage's module
    many_checks = [dg.AssetCheckSpec(f"check_{index}", asset="much_checked_table") for index in range(20)]

    @dg.asset(check_specs=many_checks)
    def much_checked_table():
        yield dg.MaterializeResult()
        for spec in many_checks:
            yield dg.AssetCheckResult(check_name=spec.name, passed=True)

    instance = instance_at(tmp_path, monkeypatch, repository_config)
    assert dg.materialize([checked_table], instance=instance).success
    opened = record_sqlite_opens(monkeypatch)
    graph = dg.Definitions(assets=[checked_table, much_checked_table]).resolve_asset_graph()
    opens, planned = [], []
    for asset in (checked_table, much_checked_table):
        job = dg.define_asset_job(f"plan_{asset.key.path[0]}", selection=[asset]).resolve(asset_graph=graph)
        run = instance.create_run_for_job(job)
        opens.append(opened.count(run.run_id))
        events = instance.all_logs(run.run_id)
        planned.append(len([event for event in events if event.dagster_event_type in PLANNED]))

    assert planned == [1 + len(CHECKS), 1 + len(many_checks)]
    assert opens[0] == opens[1]


def test_a_batch_that_fails_part_way_stores_none_of_its_events(tmp_path, monkeypatch, repository_config):
    """All of a batch or nothing: Dagster then stores the same events one by one, so none is doubled."""
    instance = instance_at(tmp_path, monkeypatch, repository_config)
    run = dg.materialize([checked_table], instance=instance)
    storage = instance.event_log_storage
    events = instance.all_logs(run.run_id)[:5]
    other_run = [event._replace(run_id="another-run") for event in events]
    prepare = storage.prepare_insert_event
    calls = []

    def failing_on_the_fourth(event):
        calls.append(event)
        if len(calls) == 4:
            raise sqlite3.OperationalError("disk I/O error")
        return prepare(event)

    monkeypatch.setattr(storage, "prepare_insert_event", failing_on_the_fourth)
    with pytest.raises(sqlite3.OperationalError):
        storage.store_event_batch(other_run)
    assert instance.all_logs("another-run") == []

    monkeypatch.setattr(storage, "prepare_insert_event", prepare)
    storage.store_event_batch(other_run)
    assert len(instance.all_logs("another-run")) == len(events)


def test_the_least_recently_used_engines_are_let_go(tmp_path, monkeypatch, repository_config):
    monkeypatch.setattr(dagster_storage, "MAX_CACHED_ENGINES", 2)
    instance = instance_at(tmp_path, monkeypatch, repository_config)
    runs = [dg.materialize([checked_table], instance=instance).run_id for _ in range(3)]
    cached = list(instance.event_log_storage._engines)
    assert len(cached) == 2
    assert runs[0] not in cached
    # A run whose engine was let go is still read (through a new engine).
    assert instance.all_logs(runs[0])


def test_switching_from_dagsters_sqlite_storage_keeps_the_history(tmp_path, monkeypatch, repository_config):
    """The same files: what Dagster's own storage wrote in $DAGSTER_HOME is read after the switch."""
    plain = {key: value for key, value in repository_config.items() if key != "storage"}
    before = dg.materialize([checked_table], instance=instance_at(tmp_path, monkeypatch, plain))
    assert before.success

    after = instance_at(tmp_path, monkeypatch, repository_config)

    assert isinstance(after.event_log_storage, EngineCachingSqliteEventLogStorage)
    assert after.get_run_by_id(before.run_id) is not None
    latest = after.get_latest_materialization_event(dg.AssetKey("checked_table"))
    assert latest is not None and latest.run_id == before.run_id
    assert sorted(p.name for p in (tmp_path / "history" / "runs").glob("*.db")) == sorted(
        ["index.db", f"{before.run_id}.db"]
    )


def test_another_threads_write_waits_for_a_batch_instead_of_deadlocking_with_it(
    tmp_path, monkeypatch, repository_config
):
    """The daemon stores events from several threads. While one stores a batch, its open transaction holds
    SQLite's write lock on the index; another thread's write must wait for the whole batch, not take the
    storage's lock between two of the batch's events and wait on SQLite while the batch waits on it (it
    ended only at SQLite's busy timeout, in "database is locked": a sensor's run took 4 minutes to create)."""
    monkeypatch.setattr(dagster_storage, "SQLITE_BUSY_TIMEOUT_SECONDS", 2)  # fail fast if it deadlocks
    instance = instance_at(tmp_path, monkeypatch, repository_config)
    run = dg.materialize([checked_table], instance=instance)
    storage = instance.event_log_storage
    (materialization,) = [
        event
        for event in instance.all_logs(run.run_id)
        if event.dagster_event_type == DagsterEventType.ASSET_MATERIALIZATION
    ]
    prepare = storage.prepare_insert_event
    batch_started = threading.Event()

    def slowly_prepared(event):
        if event.run_id == "batch-run":
            batch_started.set()
            time.sleep(0.05)  # room for the other thread between two of the batch's events
        return prepare(event)

    monkeypatch.setattr(storage, "prepare_insert_event", slowly_prepared)
    errors = []

    def write_from_another_thread():
        batch_started.wait(10)
        try:
            for _ in range(3):
                storage.store_event(materialization._replace(run_id="other-run"))
        except Exception as error:  # noqa: BLE001 - whatever it is, the test reports it
            errors.append(error)

    other = threading.Thread(target=write_from_another_thread)
    other.start()
    storage.store_event_batch([materialization._replace(run_id="batch-run") for _ in range(20)])
    other.join(60)

    assert errors == []
    assert len(instance.all_logs("batch-run")) == 20
    assert len(instance.all_logs("other-run")) == 3


# What EngineCachingSqliteStorage overrides or relies on in Dagster's private SQLite storage, and a hash of
# the source it was written against (dagster 1.13.27). The subclass mirrors these bodies (its _connect is
# SqliteEventLogStorage._connect with the engine kept), so any change in them must be read before upgrading.
PINNED_DAGSTER_SOURCES = {
    ("SqliteEventLogStorage", "__init__"): "264c15baa761",
    ("SqliteEventLogStorage", "_connect"): "b8435f266568",
    ("SqliteEventLogStorage", "has_table"): "577d801c70b2",
    ("SqliteEventLogStorage", "store_event"): "f89aed406024",
    ("SqliteEventLogStorage", "store_event_batch"): "d710189545db",
    ("SqliteEventLogStorage", "_initdb"): "7a302d98eb61",
    ("SqliteEventLogStorage", "conn_string_for_shard"): "896bc510d776",
    ("DagsterSqliteStorage", "__init__"): "bcf5aa27a5dd",
    ("DagsterSqliteStorage", "from_config_value"): "7330f7b17b21",
    ("DagsterSqliteStorage", "from_local"): "ef1249f539d7",
}


def test_what_the_storage_overrides_in_dagster_is_what_it_was_written_against():
    import hashlib
    import inspect

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.sqlite_storage import DagsterSqliteStorage

    owners = {"SqliteEventLogStorage": SqliteEventLogStorage, "DagsterSqliteStorage": DagsterSqliteStorage}
    changed = []
    for (owner, name), pinned in PINNED_DAGSTER_SOURCES.items():
        member = getattr(owners[owner], name)
        source = inspect.getsource(getattr(member, "__func__", member))
        if hashlib.sha256(source.encode()).hexdigest()[:12] != pinned:
            changed.append(f"{owner}.{name}")
    assert not changed, (
        f"Dagster changed {', '.join(changed)}, which vision_assets/dagster_storage.py overrides or mirrors. "
        "Read the new code, bring the subclass in line (or drop it: `storage: sqlite:` in dagster.yaml), "
        "re-measure with `python -m benchmarks.event_log`, then update PINNED_DAGSTER_SOURCES."
    )
