"""A long backfill, measured: simulate N days and build raw → staging → marts → demand in one backfill run.

    python -m vision_assets_tests.hardening_tests.long_backfill --days 365 --scale 1 --root /tmp/backfill

Prints one JSON line: whether the run succeeded, the seconds it took, the peak resident memory of this
process (Dagster and the raw loads; dbt runs in a child process whose own peak is not measured: a forked
child's maximum already counts the parent's pages), rows loaded, and any lock error in the logs.
"""

import argparse
import json
import logging
import os
import resource
import time
from datetime import date, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    database = args.root / "vision.duckdb"
    os.environ["VISION_DATA_DIR"] = str(args.root)
    os.environ["VISION_DUCKDB_PATH"] = str(database)

    import dagster as dg
    import duckdb

    from vision_assets.definitions import defs
    from vision_assets.resources import LandingZone
    from vision_assets.runs import materialize_days
    from vision_assets.simulate import simulate
    from vision_assets.transform.project import vision_dbt_resource
    from vision_assets.warehouse import VisionDuckDBPandasIOManager

    started = time.monotonic()
    simulate(args.root / "landing", args.root / "truth", start=args.start, days=args.days, scale=args.scale,
             seed=7, skip_complete_days=True)
    simulated = time.monotonic()
    lock_errors = []

    class _LockWatch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "could not set lock" in record.getMessage().lower():
                lock_errors.append(record.getMessage()[:300])

    logging.getLogger("dagster").addHandler(_LockWatch())
    backfill_defs = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(args.root / "landing")),
            "dbt": vision_dbt_resource(),
        },
        executor=dg.in_process_executor,
    )
    selection = dg.AssetSelection.key_prefixes(["raw"], ["staging"], ["marts"], ["demand"])
    result = materialize_days(backfill_defs, dg.DagsterInstance.ephemeral(), args.start,
                              args.start + timedelta(days=args.days - 1), selection=selection)
    with duckdb.connect(str(database), read_only=True) as connection:
        raw_rows = sum(
            connection.execute(f'select count(*) from raw."{name}"').fetchone()[0]
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        )
        demand_days = connection.execute(
            "select count(distinct demand_date) from demand.fct_daily_demand"
        ).fetchone()[0]
    print(json.dumps({
        "success": result.success,
        "days": args.days,
        "scale": args.scale,
        "simulate_seconds": round(simulated - started, 1),
        "backfill_seconds": round(time.monotonic() - simulated, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "raw_rows": raw_rows,
        "demand_days": demand_days,
        "lock_errors": lock_errors,
    }))


if __name__ == "__main__":
    main()
