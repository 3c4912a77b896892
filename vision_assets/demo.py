"""`make run`: simulate the demo landing zone, materialize every asset for every demo day, report.

By default the demo's days end yesterday (UTC), so what the freshness policies, the trust verdict and the
dashboards say about how fresh the data is holds on the day ``make run`` runs. A landing zone that already
holds a demo is continued from its first day up to yesterday (the simulator gives the same files for the
days it already wrote), so a later ``make run`` adds the days since. ``--start`` fixes the window instead
(``--start 2026-10-01 --days 30``), so the same command on any machine builds the same warehouse.

The Dagster instance under ``data/`` keeps every run, so after `make run` the UI (`make dev`) shows the
materializations, checks and lineage.
"""

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from vision_assets import paths
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.layout import DAY_FORMAT, SUCCESS_MARKER
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.summary import warehouse_summary


def yesterday(today: date | None = None) -> date:
    return (today or datetime.now(UTC).date()) - timedelta(days=1)


def first_landed_day(landing_root: Path) -> date | None:
    """The first day any table of the landing zone has a finished export for, if any."""
    days = []
    for table in SOURCE_TABLES:
        for marker in (Path(landing_root) / table.line / table.table).glob(f"*/{SUCCESS_MARKER}"):
            try:
                days.append(datetime.strptime(marker.parent.name, DAY_FORMAT).date())
            except ValueError:
                continue
    return min(days, default=None)


def demo_window(start: date | None, days: int, landing_root: Path, today: date | None = None) -> tuple[date, date]:
    """The first and last demo day: ``start`` and ``days`` when a start is given; otherwise through yesterday,
    from the landing zone's first day when it already holds one, else from ``days`` days before."""
    if start is not None:
        return start, start + timedelta(days=days - 1)
    last = yesterday(today)
    first = first_landed_day(landing_root)
    if first is None or first > last:
        first = last - timedelta(days=days - 1)
    return first, last


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=None,
        help="first demo day (UTC); by default the window ends yesterday",
    )
    parser.add_argument("--days", type=int, default=30, help="number of demo days")
    parser.add_argument("--scale", type=float, default=1.0, help="simulator scale (1 = demo size)")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed")
    args = parser.parse_args(argv)
    first_day, last_day = demo_window(args.start, args.days, paths.landing_root())
    days = (last_day - first_day).days + 1

    print(f"Landing {days} days, {first_day} to {last_day}, at scale {args.scale} into {paths.landing_root()} ...")
    simulate(
        paths.landing_root(),
        paths.simulator_truth_root(),
        start=first_day,
        days=days,
        scale=args.scale,
        seed=args.seed,
        skip_complete_days=True,
    )

    from vision_assets.definitions import defs  # after the landing exists: loading parses the dbt project

    print(f"Materializing every asset for {first_day} .. {last_day} in one run ...")
    result = materialize_days(defs, dg.DagsterInstance.get(), first_day, last_day)
    if not result.success:
        raise SystemExit("The run failed; see the log above or the run in the Dagster UI (make dev).")
    print()
    print(warehouse_summary(paths.duckdb_path()))
    print()
    print(f"Dashboards: open {paths.dashboards_dir() / 'index.html'} in a browser (works offline).")
    print("Next: `make dev` and open http://127.0.0.1:3000 to walk the lineage, checks and freshness.")


if __name__ == "__main__":
    main()
