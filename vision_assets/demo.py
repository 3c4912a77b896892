"""`make run`: simulate the demo landing zone, materialize every asset for every demo day, report.

The demo window is fixed (``--start``, 30 days by default) so the same command on any machine builds the
same warehouse. Days already landed are not rewritten, and the Dagster instance under ``data/`` keeps
every run, so after `make run` the UI (`make dev`) shows the materializations, checks and lineage.
"""

import argparse
from datetime import date, timedelta

import dagster as dg

from vision_assets import paths
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.summary import warehouse_summary

DEMO_START = date(2026, 10, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=DEMO_START, help="first demo day (UTC)")
    parser.add_argument("--days", type=int, default=30, help="number of demo days")
    parser.add_argument("--scale", type=float, default=1.0, help="simulator scale (1 = demo size)")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed")
    args = parser.parse_args(argv)
    last_day = args.start + timedelta(days=args.days - 1)

    print(f"Landing {args.days} days from {args.start} at scale {args.scale} into {paths.landing_root()} ...")
    simulate(
        paths.landing_root(),
        paths.simulator_truth_root(),
        start=args.start,
        days=args.days,
        scale=args.scale,
        seed=args.seed,
        skip_complete_days=True,
    )

    from vision_assets.definitions import defs  # after the landing exists: loading parses the dbt project

    print(f"Materializing every asset for {args.start} .. {last_day} in one run ...")
    result = materialize_days(defs, dg.DagsterInstance.get(), args.start, last_day)
    if not result.success:
        raise SystemExit("The run failed; see the log above or the run in the Dagster UI (make dev).")
    print()
    print(warehouse_summary(paths.duckdb_path()))
    print()
    print(f"Dashboards: open {paths.dashboards_dir() / 'index.html'} in a browser (works offline).")
    print("Next: `make dev` and open http://127.0.0.1:3000 to walk the lineage, checks and freshness.")


if __name__ == "__main__":
    main()
