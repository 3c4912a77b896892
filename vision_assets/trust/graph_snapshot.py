"""The asset graph ``vision trust`` reads, kept as a snapshot so an answer does not wait for the code location.

Importing the definitions builds every asset (dbt's manifest included): seconds that a question about one
column should not pay each time. The snapshot is the same serialized description of the assets, their
checks, metadata (column schemas and lineage), freshness policies and partitions that a Dagster code server
sends the webserver (``RepositorySnap``), read back as Dagster's own ``RemoteRepositoryAssetGraph``, which
the trust report uses exactly as it uses the in-process graph.

It is written by ``make run`` and by the first ``vision trust`` after a change, and is used only while it
matches the code that would load now: the fingerprint covers Vision's Python sources, the dbt project's
files and Vision's settings (``VISION_*``: the warehouse backend, the partitions' start and the rest). Any
difference, and the definitions are loaded and the snapshot written again.
"""

import contextlib
import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import dagster._core.definitions.freshness as freshness_module
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.remote_origin import RegisteredCodeLocationOrigin
from dagster._core.remote_representation.external import RemoteRepository
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._core.remote_representation.handle import RepositoryHandle
from dagster._serdes import deserialize_value, serialize_value

from vision_assets import paths

_PACKAGE = Path(__file__).resolve().parents[1]
_DBT_PROJECT_FILES = ("models", "macros", "seeds", "dbt_project.yml")


def snapshot_path() -> Path:
    return paths.data_dir() / "cache" / "asset_graph.json"


def code_fingerprint() -> str:
    """A hash of everything the asset graph is built from (tens of milliseconds: no import, no parse)."""
    digest = hashlib.sha256()
    sources = sorted(_PACKAGE.rglob("*.py"))
    for name in _DBT_PROJECT_FILES:
        path = paths.DBT_PROJECT_DIR / name
        sources += sorted(file for file in path.rglob("*") if file.is_file()) if path.is_dir() else [path]
    sources = [path for path in sources if path.exists()]
    for path in sources:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    # Vision's settings (the warehouse backend and the partitions' start among them) shape the graph.
    for name in sorted(name for name in os.environ if name.startswith("VISION_")):
        digest.update(f"{name}={os.environ[name]}".encode())
    start = paths.partitions_start_file()
    digest.update(start.read_bytes() if start.exists() else b"")
    return digest.hexdigest()


def write_snapshot(defs: dg.Definitions, fingerprint: str | None = None) -> Path:
    """Write the graph of ``defs``, marked with the code's fingerprint, in one rename (readers never see
    half a file)."""
    snapshot = RepositorySnap.from_def(defs.get_repository_def())
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_suffix(f".{os.getpid()}.tmp")
    staged.write_text((fingerprint or code_fingerprint()) + "\n" + serialize_value(snapshot))
    os.replace(staged, path)
    return path


@contextlib.contextmanager
def _cron_intervals_computed_once() -> Iterator[None]:
    """While a snapshot is read: each distinct freshness deadline's smallest interval computed once.

    Dagster validates a cron freshness policy when it is made, including when it is deserialized, by walking
    the schedule for its smallest interval (about 25 ms each); a snapshot holds one policy per asset, a handful
    of distinct ones. Dagster has no cache for it, hence the temporary memoized stand-in for its module's name.
    """
    original = freshness_module.get_smallest_cron_interval
    freshness_module.get_smallest_cron_interval = functools.cache(original)
    try:
        yield
    finally:
        freshness_module.get_smallest_cron_interval = original


def read_snapshot(fingerprint: str) -> BaseAssetGraph | None:
    """The snapshot's asset graph if it was written for this fingerprint, else None."""
    path = snapshot_path()
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as file, _cron_intervals_computed_once():
        if file.readline().strip() != fingerprint:
            return None
        snapshot = deserialize_value(file.read(), RepositorySnap)
    handle = RepositoryHandle(
        repository_name=snapshot.name,
        code_location_origin=RegisteredCodeLocationOrigin(location_name="vision_assets"),
        repository_python_origin=None,  # read, never executed: the graph is only looked at
        display_metadata={},
    )
    return RemoteRepository(snapshot, handle, auto_materialize_use_sensors=True).asset_graph


def asset_graph() -> BaseAssetGraph:
    """The code location's asset graph: from the snapshot when it is current, else from the definitions
    (writing the snapshot for the next question)."""
    fingerprint = code_fingerprint()
    graph = read_snapshot(fingerprint)
    if graph is not None:
        return graph
    from vision_assets.definitions import defs

    write_snapshot(defs, fingerprint)
    return defs.resolve_asset_graph()
