"""Command line: ``python -m vision_assets.simulate --start 2026-01-01 --days 30 --scale 1``."""

import argparse
import time
from datetime import date
from pathlib import Path

from vision_assets import paths
from vision_assets.landing.storage import landing_path
from vision_assets.simulate import simulate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m vision_assets.simulate",
        description="Write simulated daily exports of Vision Books, Flicks, Music and Mart into a landing zone.",
    )
    parser.add_argument("--start", type=date.fromisoformat, required=True, help="first day (UTC), YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=30, help="number of days (default 30)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 is the demo size; rows grow linearly")
    parser.add_argument("--seed", type=int, default=7, help="the same seed gives byte-identical files")
    parser.add_argument(
        "--landing", type=landing_path, default=None,
        help="landing root: a folder or an s3://, gs:// or az:// URL (default VISION_LANDING_ROOT, else data/landing)",
    )
    parser.add_argument("--truth", type=Path, default=None, help="ground-truth folder (default data/simulator_truth)")
    parser.add_argument("--skip-complete-days", action="store_true", help="do not rewrite days already landed")
    args = parser.parse_args(argv)

    landing = args.landing or paths.landing_root()
    truth = args.truth or paths.simulator_truth_root()
    began = time.perf_counter()
    report = simulate(landing, truth, start=args.start, days=args.days, scale=args.scale, seed=args.seed,
                      skip_complete_days=args.skip_complete_days)
    rows = sum(report.rows_written.values())
    print(f"Wrote {len(report.days_written)} day(s), {rows:,} rows, to {landing} in {time.perf_counter() - began:.1f} s"
          + (f"; {len(report.days_skipped)} day(s) already landed were kept" if report.days_skipped else ""))
    print(f"Ground truth (tests only): {truth}")


if __name__ == "__main__":
    main()
