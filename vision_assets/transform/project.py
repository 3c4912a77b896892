"""The dbt project as Dagster sees it, built once per process.

The same ``vision_dbt`` project serves both warehouses: its ``duckdb`` target is the embedded warehouse,
its ``snowflake`` target production, the chosen backend's ``dbt_target`` (:mod:`vision_assets.warehouse`). Each target keeps
its own manifest (``target/<target>/``) so switching warehouses never reads a manifest compiled for the
other adapter.
"""

import functools
import importlib.metadata
import os
import re
import shutil
import sys
import time
import uuid
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from vision_assets.paths import DBT_PROJECT_DIR, duckdb_path
from vision_assets.warehouse import backend_for_dbt_target, current_warehouse

_PROJECT_SOURCES = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def dbt_target() -> str:
    return current_warehouse().dbt_target


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a run works without the virtualenv on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def dbt_target_path() -> Path:
    """Where dbt writes the target's manifest and invocations, relative to the project: ``target/<target>``,
    or ``VISION_DBT_TARGET_PATH`` (each parallel test worker keeps its own, so no worker's saved parse
    replaces another's mid-run)."""
    return Path(os.environ.get("VISION_DBT_TARGET_PATH") or Path("target") / dbt_target())


@functools.cache
def vision_dbt_project() -> DbtProject:
    target = dbt_target()
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=target,
        target_path=dbt_target_path(),
    )
    if _manifest_is_stale(project):
        # Parse only when the manifest is missing or older than the project files: a dbt start-up (~10 s)
        # once, not on every import. Not on every `dagster dev` load either: there each run worker imports
        # the definitions too, and parses racing to rewrite one manifest made a worker read it
        # half-written ("Could not load job definition").
        _dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project


class VisionDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, without two start-up costs it pays before every dbt command.

    dagster-dbt has no setting for either, hence the overrides of its private members.
    """

    def _initialize_dbt_core_adapter(self, args):
        """No in-process dbt adapter on DuckDB, where nothing uses it.

        Before starting each ``dbt`` command, dagster-dbt loads the project and the profile once more in this
        process and builds a dbt adapter (about 3 s on 2 cores, before dbt itself starts) for
        ``fetch_row_counts()`` and ``fetch_column_metadata()``. On DuckDB neither is called: they would hold
        the warehouse file while dbt builds, so dbt logs each table's row count and columns itself
        (``vision_dbt/macros/table_metadata.sql``, read in ``transform/assets.py``). Given None, dagster-dbt
        runs dbt without an adapter, as it does when building one fails. On Snowflake the adapter is built as
        before (the column metadata uses it).
        """
        if backend_for_dbt_target(self.target).table_metadata_from_dbt_log:
            return None
        return super()._initialize_dbt_core_adapter(args)

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        """dbt's version from the installed dbt-core when the dbt run is the one beside this Python.

        dagster-dbt runs ``dbt --version`` once per resource, and Dagster makes the resource anew for each
        step: 2-7 s before every build, and that command also asks PyPI for the latest release.
        """
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version


# dagster-dbt reads dbt's events as JSON on stdout (`--log-format json`), which also turned each
# invocation's dbt.log into JSON: every one of the ~2,600 debug events of a day's build converted to a JSON
# line (dbt builds each line before its logger filters by level). The file keeps dbt's own default, the
# debug log as text, without colour codes: the same events, readable in any viewer, 0.8 MB instead of
# 3.4 MB a day, and less of dbt's CPU (benchmarks/README.md, cause 7). What dagster-dbt reads on stdout
# does not change.
DBT_GLOBAL_FLAGS = ["--log-format-file", "debug", "--no-use-colors-file"]


def vision_dbt_resource() -> DbtCliResource:
    return _dbt_cli(vision_dbt_project())


def _dbt_cli(project: DbtProject) -> DbtCliResource:
    # profiles.yml reads the DuckDB file from VISION_DUCKDB_PATH; pin it to the file the IO manager
    # writes (paths.duckdb_path(), which follows VISION_DATA_DIR), so dbt and the raw assets always
    # share one warehouse even when only VISION_DATA_DIR is set.
    os.environ.setdefault("VISION_DUCKDB_PATH", str(duckdb_path()))
    return VisionDbtCliResource(
        project_dir=project,
        target=dbt_target(),
        dbt_executable=dbt_executable(),
        global_config_flags=DBT_GLOBAL_FLAGS,
    )


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built_at = manifest.stat().st_mtime
    for name in _PROJECT_SOURCES:
        path = project.project_dir / name
        files = path.rglob("*") if path.is_dir() else [path]
        if any(file.is_file() and file.stat().st_mtime > built_at for file in files):
            return True
    return False


def invocation_target_path(project: DbtProject, name: str) -> Path:
    """A fresh target folder for one dbt invocation, holding the project's partial-parse state.

    dagster-dbt gives every invocation its own target folder and seeds it with ``target/partial_parse.msgpack``
    only, while this project keeps one target folder per warehouse (``target/<target>/``); without the copy
    every ``dbt build`` re-parsed the whole project (12 s of a day's run on a busy machine, measured by
    the benchmarks). dbt still re-parses the whole project when the state does not match: other
    ``--vars`` (why the daily window comes in the environment instead, see ``dbt_window.py``), or another
    profile (a DuckDB file other than the one the state was parsed for, once: ``keep_partial_parse_state``).
    """
    target = project.project_dir / project.target_path
    path = target / f"{name}-{uuid.uuid4().hex[:7]}"
    path.mkdir(parents=True)
    state = target / "partial_parse.msgpack"
    if state.exists():
        shutil.copy2(state, path / state.name)
    return path


def keep_partial_parse_state(project: DbtProject, invocation_path: Path) -> None:
    """Make a finished invocation's parse state the one the next invocations start from.

    The saved parse also depends on the profile, so on a warehouse file other than the one it was parsed
    for (another ``VISION_DUCKDB_PATH``: the tests', each benchmark scale's) dbt parses the whole project
    again, and without this every later invocation on that file did too. The copy replaces the state in
    one rename, so an invocation starting meanwhile reads the old state or the new one, never half.
    """
    state = invocation_path / "partial_parse.msgpack"
    if not state.exists():
        return
    target = project.project_dir / project.target_path
    staged = target / f".partial_parse-{uuid.uuid4().hex[:7]}.msgpack"
    shutil.copy2(state, staged)
    os.replace(staged, target / "partial_parse.msgpack")


# Each dbt invocation leaves 3-9 MB in its folder (compiled SQL, run results, manifest, its debug log): with
# a few builds a day that is gigabytes a year. A finished build prunes them, keeping the newest few and
# everything from the last week, to look into a recent run.
INVOCATION_FOLDERS_KEPT = 20
INVOCATION_FOLDER_RETENTION_SECONDS = 7 * 24 * 3600
_INVOCATION_FOLDER = re.compile(r"^dbt_\w+-[0-9a-f]{7}-[0-9a-f]{7}$")  # <op>-<run id>-<uuid>, as made above


def prune_invocation_folders(target: Path, now: float | None = None) -> list[Path]:
    """Remove the invocation folders under ``target`` beyond the newest ``INVOCATION_FOLDERS_KEPT`` that are
    older than the retention; return them. A folder still in use is recent, so it is never removed."""
    now = time.time() if now is None else now
    folders = sorted(
        (path for path in target.iterdir() if path.is_dir() and _INVOCATION_FOLDER.match(path.name)),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    removed = [
        folder
        for folder in folders[INVOCATION_FOLDERS_KEPT:]
        if now - folder.stat().st_mtime > INVOCATION_FOLDER_RETENTION_SECONDS
    ]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed
