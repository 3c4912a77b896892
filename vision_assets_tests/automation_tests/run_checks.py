"""What the concurrency tests check after their runs: outcomes, lock errors, and rows landed against loaded."""

from pathlib import Path

import dagster as dg
import duckdb

from vision_assets.landing.contracts import SOURCE_TABLES


def unsuccessful_runs(instance: dg.DagsterInstance) -> list[tuple[str, str, str]]:
    return [
        (record.dagster_run.run_id, record.dagster_run.job_name, record.dagster_run.status.value)
        for record in instance.get_run_records()
        if record.dagster_run.status != dg.DagsterRunStatus.SUCCESS
    ]


def lock_errors(instance: dg.DagsterInstance) -> list[str]:
    """Every event of every run that reports DuckDB's writer lock."""
    return [
        event.message
        for record in instance.get_run_records()
        for event in instance.all_logs(record.dagster_run.run_id)
        if "Could not set lock" in (event.message or "")
    ]


def landed_and_loaded_rows_by_day(root: Path) -> tuple[dict, dict]:
    """``{(table, day): rows}`` in the landing files under ``root/landing`` and in ``root``'s warehouse."""
    landed = {}
    for table in SOURCE_TABLES:
        for day_dir in sorted((root / "landing" / table.line / table.table).iterdir()):
            rows = sum(len(path.read_text(encoding="utf-8").splitlines()) - 1 for path in day_dir.glob("part-*.csv"))
            if rows:
                landed[(table.name, day_dir.name)] = rows
    with duckdb.connect(str(root / "warehouse" / "vision.duckdb"), read_only=True) as connection:
        loaded = {
            (table.name, day): rows
            for table in SOURCE_TABLES
            for day, rows in connection.execute(
                f"select cast(cast({table.event_time} as date) as varchar), count(*) from raw.{table.name} group by 1"
            ).fetchall()
        }
    return landed, loaded
