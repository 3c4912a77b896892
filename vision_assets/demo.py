"""`make run`: simulate the demo landing zone, materialize every asset for every demo day, report.

By default the demo's days end yesterday (UTC), so what the freshness policies, the trust verdict and the
dashboards say about how fresh the data is holds on the day ``make run`` runs. A landing zone that already
holds a demo is continued from its first day up to yesterday (the simulator gives the same files for the
days it already wrote), so a later ``make run`` adds the days since. ``--start`` fixes the window instead
(``--start 2026-10-01 --days 30``), so the same command on any machine builds the same warehouse.

It prints one line per phase (landing, loading the definitions, building); Dagster's and dbt's logs go to
``data/logs/make-run-<time>/``, and a failure prints the failing step with the end of its log.

The Dagster instance under ``data/`` keeps every run, so after `make run` the UI (`make dev`) shows the
materializations, checks and lineage.
"""

import argparse
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from vision_assets import paths
from vision_assets.console import failure_report, phase, progress, run_logger
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.layout import DAY_FORMAT, SUCCESS_MARKER
from vision_assets.landing.storage import landing_path
from vision_assets.partitions import record_partitions_start
from vision_assets.simulate import simulate
from vision_assets.summary import warehouse_summary
from vision_assets.trust.graph_snapshot import write_snapshot


def yesterday(today: date | None = None) -> date:
    return (today or datetime.now(UTC).date()) - timedelta(days=1)


def first_landed_day(landing_root: Path) -> date | None:
    """The first day any table of the landing zone has a finished export for, if any."""
    days = []
    for table in SOURCE_TABLES:
        for marker in (landing_path(landing_root) / table.line / table.table).glob(f"*/{SUCCESS_MARKER}"):
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
    logs = paths.logs_dir() / datetime.now(UTC).strftime("make-run-%Y%m%dT%H%M%SZ")
    print(f"Vision demo: {days} days, {first_day} to {last_day}, scale {args.scale}; logs in {logs}")

    with phase("Landed", logs / "landing.log") as landing, progress(days, "day", "landing") as bar:
        report = simulate(
            paths.landing_root(),
            paths.simulator_truth_root(),
            start=first_day,
            days=days,
            scale=args.scale,
            seed=args.seed,
            skip_complete_days=True,
            on_day=lambda _day: bar.update(1),
        )
        landing.summary = (
            f"{len(report.days_written)} days written ({sum(report.rows_written.values()):,} rows in "
            f"{len(SOURCE_TABLES)} tables), {len(report.days_skipped)} already there, "
            f"in {paths.landing_root()}"
        )

    # The partitions start where the demo's data starts: recorded before the definitions are imported.
    record_partitions_start(first_day)
    with phase("Loaded the definitions", logs / "definitions.log") as loading:
        # After the landing exists: loading parses the dbt project.
        from vision_assets.definitions import defs
        from vision_assets.runs import materialize_days, materialize_days_steps

        loading.summary = f"{len(defs.resolve_asset_graph().get_all_asset_keys())} assets"

    run_log = logs / "run.log"
    with phase("Built", run_log) as building:
        instance = dg.DagsterInstance.get()
        with progress(materialize_days_steps(defs), "step", "building") as bar:
            result = materialize_days(
                defs, instance, first_day, last_day, logger=run_logger(run_log, bar), raise_on_error=False
            )
        if not result.success:
            building.summary = "FAILED"
        else:
            building.summary = _built_summary(result, days)
    if not result.success:
        print(failure_report(result, run_log), file=sys.stderr)
        print(f"The run is in the Dagster UI too (make dev): run {result.run_id}.", file=sys.stderr)
        raise SystemExit(1)

    # `vision trust` answers from this snapshot of the asset graph until the code changes.
    write_snapshot(defs)
    print()
    print(warehouse_summary(paths.duckdb_path()))
    print()
    print(f"Dashboards: open {paths.dashboards_dir() / 'index.html'} in a browser (works offline).")
    print("Next: `make dev` and open http://127.0.0.1:3000 to walk the lineage, checks and freshness.")
    print("Live: `make live` streams the apps' events from the next day on, into data/dashboards/live.html.")


def _built_summary(result: dg.ExecuteInProcessResult, days: int) -> str:
    from vision_assets.runs import check_outcome  # with the definitions, after the partitions' start is set

    materializations = result.get_asset_materialization_events()
    outcomes = Counter(check_outcome(check) for check in result.get_asset_check_evaluations())
    assets = {event.asset_key for event in materializations}
    return (
        f"{len(assets)} assets over {days} days in one run ({len(materializations)} materializations); "
        f"checks: {outcomes['passed']} passed, {outcomes['warned']} warned, {outcomes['failed']} failed"
    )


if __name__ == "__main__":
    main()
