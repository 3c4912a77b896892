"""Where Vision keeps its files on this machine.

Everything a run writes lives under one data folder (``VISION_DATA_DIR``, by default ``data/`` in the
repository): the landing zone, the embedded DuckDB warehouse, the Dagster instance and the dashboards.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "vision_dbt"


def data_dir() -> Path:
    return Path(os.environ.get("VISION_DATA_DIR", REPO_ROOT / "data")).resolve()


def landing_root() -> Path:
    """``VISION_LANDING_ROOT``: a local folder or an object-store URL (``s3://``, ``gs://``, ``az://``)."""
    from vision_assets.landing.storage import landing_path

    return landing_path(os.environ.get("VISION_LANDING_ROOT", data_dir() / "landing"))


def simulator_truth_root() -> Path:
    return data_dir() / "simulator_truth"


def duckdb_path() -> Path:
    return Path(os.environ.get("VISION_DUCKDB_PATH", data_dir() / "warehouse" / "vision.duckdb")).resolve()


def dashboards_dir() -> Path:
    return data_dir() / "dashboards"


def partitions_start_file() -> Path:
    """Where a demo records the first day of its data (:func:`vision_assets.partitions.partitions_start`)."""
    return data_dir() / "partitions_start"


def logs_dir() -> Path:
    """Where `make run` writes Dagster's and dbt's logs, one folder per run."""
    return data_dir() / "logs"


def live_duckdb_path() -> Path:
    """The live lane's own DuckDB file on the embedded backend (:class:`vision_assets.warehouse.duckdb.DuckDBLiveConnection`)."""
    return Path(os.environ.get("VISION_LIVE_DUCKDB_PATH", duckdb_path().parent / "vision_live.duckdb")).resolve()


def live_dir() -> Path:
    """The live lane's broker data, logs and state."""
    return data_dir() / "live"
