"""What a person waits for before Vision answers: loading the code location, and `vision trust`.

    python -m benchmarks.startup            # part of `make bench` (about a minute)
    python -m benchmarks.startup --quick    # fewer repetitions, writes nothing

Each figure is the median of several fresh processes (the first of each is a warm-up and not counted, so
the operating system's file cache is warm; a process is never reused, so nothing Python caches carries over):

* **definitions import**: ``import vision_assets.definitions``, which every run worker, sensor tick and
  code-server start pays. Target: under 3 s on a quiet machine.
* **vision trust, cold**: the first question after the code changed (no asset-graph snapshot yet, so the
  definitions are imported and the snapshot written). Target: under 5 s.
* **vision trust, warm**: every later question (the snapshot read, no definitions imported). Target: under 2 s.

The questions go to the Dagster instance ``make run`` leaves (``data/dagster_home``) when there is one, so
the report reads real materializations and check results; otherwise to an empty instance. The dbt project's
manifest and column lineage are prepared once before timing (as ``make test-prepare`` does), since they are
built when dbt builds, not per question. Results go to ``benchmarks/results/startup-<date>.json`` and the
table in ``benchmarks/README.md``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import report

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
QUESTION = "demand.fct_daily_demand.net_revenue_usd"
TABLE_START = "<!-- startup-results:start -->"
TABLE_END = "<!-- startup-results:end -->"
TARGETS = {"definitions_import": 3.0, "trust_cold": 5.0, "trust_warm": 2.0}
LABELS = {
    "definitions_import": "import vision_assets.definitions",
    "trust_cold": f"vision trust {QUESTION}, cold (code changed since the last question)",
    "trust_warm": f"vision trust {QUESTION}, warm",
}


def _timed(command: list[str], environment: dict[str, str], before=None) -> float:
    if before is not None:
        before()
    started = time.perf_counter()
    completed = subprocess.run(command, env=environment, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):  # vision trust exits 1 for any verdict but trusted
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    return seconds


def _median(command, environment, repetitions, before=None) -> dict:
    _timed(command, environment, before)  # warm-up: the file cache, not counted
    runs = [_timed(command, environment, before) for _ in range(repetitions)]
    return {"median_s": statistics.median(runs), "runs_s": runs}


def measure(repetitions: int) -> dict:
    environment = dict(os.environ)
    home = REPO / "data" / "dagster_home"
    if (home / "dagster.yaml").exists():
        environment.setdefault("DAGSTER_HOME", str(home))
        instance = "the instance make run left (data/dagster_home)"
    else:
        environment.setdefault("DAGSTER_HOME", tempfile.mkdtemp(prefix="startup-home-"))
        instance = "an empty instance"
    python = sys.executable
    vision = str(Path(python).parent / "vision")
    subprocess.run([python, "-c", "import vision_assets.definitions"], env=environment, cwd=REPO, check=True,
                   capture_output=True)

    from vision_assets.trust.graph_snapshot import snapshot_path  # the same data folder as the questions'

    def forget_snapshot():
        snapshot_path().unlink(missing_ok=True)

    return {
        "instance": instance,
        "definitions_import": _median([python, "-c", "import vision_assets.definitions"], environment, repetitions),
        "trust_cold": _median([vision, "trust", QUESTION], environment, repetitions, before=forget_snapshot),
        "trust_warm": _median([vision, "trust", QUESTION], environment, repetitions),
    }


def render_table(results: dict) -> str:
    lines = [
        (
            f"Run {results['finished_at'][:16].replace('T', ' ')} UTC on {results['machine']['cores']} cores "
            f"({results['machine']['cpu']}), commit {results['commit'][:7]}, questions to "
            f"{results['measured']['instance']}. {results['load_note']}"
        ),
        "",
        "| | median | runs | target |",
        "|---|---|---|---|",
    ]
    for name, label in LABELS.items():
        figure = results["measured"][name]
        met = "met" if figure["median_s"] < TARGETS[name] else "**not met**"
        runs = ", ".join(f"{run:.2f}" for run in figure["runs_s"])
        lines.append(f"| {label} | {figure['median_s']:.2f} s | {runs} | under {TARGETS[name]:g} s: {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Code-location load and vision trust times.")
    parser.add_argument("--quick", action="store_true", help="two repetitions; nothing is written")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    measured = measure(2 if args.quick else 5)
    results = {
        **report.run_facts(load_at_start, REPO),
        "measured": measured,
        "targets_s": TARGETS,
    }
    table = render_table(results)
    print(table)
    if args.quick:
        return
    path = report.write_results(results, BENCH_DIR / "results", datetime.now(UTC), prefix="startup-")
    report.update_readme(BENCH_DIR / "README.md", table, TABLE_START, TABLE_END)
    print(f"\nWrote {path.relative_to(REPO)} and the start-up table in benchmarks/README.md")


if __name__ == "__main__":
    main()
