"""Shared fixtures. Every test works in temporary folders: nothing here touches the repository's data/."""

import os
import tempfile

import pytest

# Before any vision_assets import: module-level resources read these paths.
os.environ["VISION_DATA_DIR"] = tempfile.mkdtemp(prefix="vision-tests-")
os.environ.pop("VISION_WAREHOUSE", None)


def _own_dbt_target_for_this_worker() -> None:
    """Under `pytest -n` (make test), each worker gets its own dbt target folder, started from the one the
    Makefile prepared (manifest, saved parse, column lineage), so one worker's dbt never replaces the saved
    parse another's run is about to read."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    import shutil
    from pathlib import Path

    project = Path(__file__).resolve().parents[1] / "vision_dbt"
    prepared, own = project / "target" / "duckdb", Path("target") / f"duckdb-tests-{worker}"
    if (project / own).exists():
        shutil.rmtree(project / own)
    (project / own).mkdir(parents=True)
    for name in ("manifest.json", "partial_parse.msgpack", "vision_column_lineage.json"):
        if (prepared / name).exists():
            shutil.copy2(prepared / name, project / own / name)
    os.environ["VISION_DBT_TARGET_PATH"] = str(own)


_own_dbt_target_for_this_worker()


# Test modules of these packages share a package-scoped fixture (the dashboards' warehouse): under `pytest
# -n` they go to one worker together, so it is built once.
_PACKAGES_SHARING_A_FIXTURE = ("vision_assets_tests/dashboards_tests/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `pytest -n` (make test), each test module runs on one worker, so a warehouse a module builds
    once for its tests (a module-scoped fixture) is built once, not once per worker."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return next((package for package in _PACKAGES_SHARING_A_FIXTURE if module.startswith(package)), module)

    return ByModule(config, log)
