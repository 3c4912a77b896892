"""``make bench``: simulate, measure every step in its own process, fit, and write the results.

The plan (full mode, within 30 minutes on 2 cores):

* the measured day D is 2025-12-31; scale 1 simulates the whole year before it once (365 days), scales 10
  and 30 the 31 days up to D;
* per scale: a 30-day backfill (D-30 .. D-1) through Dagster in one run, then day D through Dagster
  (landing → ``fct_daily_demand``) and day D in plain DuckDB on a copy of the same warehouse, then the
  recommender's training (settings chosen on a validation split, then the fit) and the churn model's on the
  30 days;
* history: at scale 1, a second warehouse gets the 364 days before D in one run, and day D through Dagster
  and in plain DuckDB is timed again, against a 30-day history simulated at the scale that lands as many
  rows on day D (a year-old business is bigger: at one scale, the year's day D lands over 1.5 times the
  rows of the 31-day simulation's), so the ratio shows what the history adds and not the day's size; both
  warehouses are built first and their runs of day D take turns, so the machine's drift falls on both;
* the code location load, in fresh processes.

Scale 30 runs only when the time spent so far leaves room for it (projected from scale 10); the results
say why when it was skipped. ``--quick`` runs a small subset (two small scales, 60 days of history, one
repetition) in a few minutes, to try the harness out.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks import report
from benchmarks.stats import fit_fixed_marginal, ratio, summarize
from benchmarks.steps import RESULT_MARKER

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "benchmarks"
MEASURED_DAY = date(2025, 12, 31)
FIXED_TARGET_SECONDS = 15.0
MARGINAL_TARGET_RATIO = 1.5
HISTORY_GROWTH_LIMIT = 1.25


@dataclass(frozen=True)
class Plan:
    scales: tuple[float, ...]
    short_history_days: int
    optional_scales: tuple[float, ...]
    long_history_days: int
    day_repetitions: int
    floor_repetitions: int
    backfill_repetitions: int
    history_repetitions: int
    load_repetitions: int
    training_scales: tuple[float, ...]
    budget_minutes: float
    command: str

    @property
    def base_scale(self) -> float:
        return self.scales[0]


FULL = Plan(
    scales=(1, 10),
    short_history_days=30,
    optional_scales=(30,),
    long_history_days=365,
    day_repetitions=2,
    floor_repetitions=3,
    backfill_repetitions=1,
    history_repetitions=2,
    load_repetitions=3,
    training_scales=(1, 10, 30),
    budget_minutes=30,
    command="make bench",
)
QUICK = Plan(
    scales=(0.25, 1),
    short_history_days=3,
    optional_scales=(),
    long_history_days=15,
    day_repetitions=1,
    floor_repetitions=2,
    backfill_repetitions=1,
    history_repetitions=1,
    load_repetitions=1,
    training_scales=(0.25,),
    budget_minutes=10,
    command="make bench BENCH_QUICK=1",
)


@dataclass
class Runner:
    """Runs steps in fresh processes, keeps their logs, and remembers how long everything took."""

    work_dir: Path
    source_dir: Path = REPO_ROOT
    started: float = field(default_factory=time.monotonic)
    steps: list[dict] = field(default_factory=list)

    def elapsed_minutes(self) -> float:
        return (time.monotonic() - self.started) / 60

    def run(
        self,
        step: str,
        arguments: dict,
        *,
        data_dir: Path | None = None,
        landing: Path | None = None,
        label: str,
    ) -> dict:
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(self.source_dir)
        if data_dir is not None:
            env["VISION_DATA_DIR"] = str(data_dir)
            env["DAGSTER_HOME"] = str(data_dir / "dagster_home")
            env.pop("VISION_DUCKDB_PATH", None)
            env["VISION_LANDING_ROOT"] = str(landing)
        log = self.work_dir / "logs" / f"{len(self.steps):03d}-{label}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        with log.open("w") as output:
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.steps", step, json.dumps(arguments)],
                cwd=self.source_dir,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        process_seconds = time.monotonic() - started
        lines = [line for line in log.read_text().splitlines() if line.startswith(RESULT_MARKER)]
        if completed.returncode != 0 or not lines:
            tail = "\n".join(log.read_text().splitlines()[-30:])
            raise RuntimeError(f"step {label} failed (exit {completed.returncode}); log {log}:\n{tail}")
        result = json.loads(lines[-1][len(RESULT_MARKER) :])
        record = {
            "label": label,
            "step": step,
            **result,
            "process_seconds": round(process_seconds, 2),
            "load_average_at_start": round(load_before, 2),
        }
        self.steps.append(record)
        print(
            f"  [{self.elapsed_minutes():5.1f} min] {label}: {result['seconds']:.1f} s, "
            f"peak {result['peak_mb']:.0f} MiB",
            flush=True,
        )
        return record


def landed_rows(landing_root: Path, days: list[date]) -> int:
    """Data rows (lines after the header) of every source table's files for the given days."""
    from vision_assets.landing.contracts import SOURCE_TABLES
    from vision_assets.landing.layout import landing_day_dir

    rows = 0
    for table in SOURCE_TABLES:
        for day in days:
            for path in landing_day_dir(landing_root, table, day).glob("*.csv"):
                with path.open("rb") as handle:
                    rows += max(0, sum(1 for _ in handle) - 1)
    return rows


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _new_data_dir(path: Path) -> Path:
    (path / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", path / "dagster_home" / "dagster.yaml")
    return path


def _summary(records: list[dict]) -> dict:
    return summarize([record["seconds"] for record in records]).as_dict()


def _peak(records: list[dict]) -> float:
    return max(record["peak_mb"] for record in records)


def measure_scale(runner: Runner, plan: Plan, scale: float, landing: Path, floor_plan: Path) -> dict:
    """Backfill 30 days, then day D through Dagster and through the floor, then train the recommender."""
    tag = f"s{scale:g}"
    data_dir, backfills = _backfill_short_history(runner, plan, tag, landing)
    warehouse = data_dir / "warehouse" / "vision.duckdb"
    (days,) = alternate(plan.day_repetitions, _dagster_day(runner, data_dir, landing, f"{tag}-dagster-day"))
    floor_copy = _floor_copy(runner, warehouse, f"{tag}-floor-day")
    (floors,) = alternate(
        plan.floor_repetitions, _floor_day(runner, floor_copy, landing, floor_plan, f"{tag}-floor-day")
    )
    shutil.rmtree(floor_copy.parent)
    trainings, churn_trainings = [], []
    if scale in plan.training_scales:
        trainings = [runner.run("train_recommender", {"warehouse": str(warehouse)}, label=f"{tag}-training")]
        churn_trainings = [runner.run("train_churn", {"warehouse": str(warehouse)}, label=f"{tag}-churn")]
    shutil.rmtree(data_dir, ignore_errors=True)
    result = _day_result(scale, landing, days, floors)
    backfill = _summary(backfills)
    backfill_rows = landed_rows(landing, _days(*_short_history_window(plan)))
    result.update(
        backfill=backfill,
        backfill_days=plan.short_history_days,
        backfill_rows=backfill_rows,
        backfill_rows_per_second=backfill_rows / backfill["median"],
        backfill_peak_mb=_peak(backfills),
    )
    if trainings:
        result.update(
            training=_summary(trainings),
            training_peak_mb=_peak(trainings),
            training_interactions=trainings[0]["interactions"],
            training_items=trainings[0]["items"],
            training_tuning_seconds=trainings[0]["tuning_seconds"],
            churn_training=_summary(churn_trainings),
            churn_training_peak_mb=_peak(churn_trainings),
            churn_holdout_auc=churn_trainings[0]["holdout_auc"],
        )
    return result


def alternate(repetitions: int, *measurements: Callable[[], dict]) -> list[list[dict]]:
    """Each measurement ``repetitions`` times, taking turns (A, B, A, B, ...): a change in the machine's speed
    during the runs then falls on every measurement alike, instead of on whichever ran last. Returns the
    runs of each measurement, in the order given."""
    runs: list[list[dict]] = [[] for _ in measurements]
    for _ in range(repetitions):
        for measured, measure in zip(runs, measurements):
            measured.append(measure())
    return runs


def _short_history_window(plan: Plan) -> tuple[date, date]:
    """The days a short history's backfill loads: D-30 .. D-1."""
    return MEASURED_DAY - timedelta(days=plan.short_history_days), MEASURED_DAY - timedelta(days=1)


def _backfill_short_history(runner: Runner, plan: Plan, tag: str, landing: Path) -> tuple[Path, list[dict]]:
    """A fresh warehouse holding the 30 days before D, loaded through Dagster in one timed run."""
    data_dir = _new_data_dir(runner.work_dir / f"warehouse-{tag}")
    first, before = _short_history_window(plan)
    backfills = [
        runner.run(
            "dagster_days",
            {"first": first.isoformat(), "last": before.isoformat()},
            data_dir=data_dir,
            landing=landing,
            label=f"{tag}-backfill-{plan.short_history_days}-days",
        )
        for _ in range(plan.backfill_repetitions)
    ]
    _keep_parse_state(runner, data_dir)
    return data_dir, backfills


def _dagster_day(runner: Runner, data_dir: Path, landing: Path, label: str) -> Callable[[], dict]:
    """One timed run of day D through Dagster on the warehouse of ``data_dir`` (re-running a day replaces it,
    so every repetition does the same work), starting from that warehouse's own saved dbt parse."""

    def measure() -> dict:
        _restore_parse_state(runner, data_dir)
        result = runner.run(
            "dagster_days",
            {"first": MEASURED_DAY.isoformat(), "last": MEASURED_DAY.isoformat()},
            data_dir=data_dir,
            landing=landing,
            label=label,
        )
        _keep_parse_state(runner, data_dir)
        return result

    return measure


# dbt's saved parse depends on the profile, so on another warehouse file dbt parses the whole project
# again (transform/project.py keeps the last build's state for the next). A deployment has one warehouse;
# the benchmark alternates two, so each keeps its own state beside it, as if it were its own deployment.
# Without this every alternated run paid a full parse.
def _parse_state(runner: Runner) -> Path:
    return runner.source_dir / "vision_dbt" / "target" / "duckdb" / "partial_parse.msgpack"


def _keep_parse_state(runner: Runner, data_dir: Path) -> None:
    if _parse_state(runner).exists():
        shutil.copy2(_parse_state(runner), data_dir / "partial_parse.msgpack")


def _restore_parse_state(runner: Runner, data_dir: Path) -> None:
    if (data_dir / "partial_parse.msgpack").exists():
        shutil.copy2(data_dir / "partial_parse.msgpack", _parse_state(runner))


def _floor_copy(runner: Runner, warehouse: Path, label: str) -> Path:
    """A copy of ``warehouse`` for the floor (the Dagster path's warehouse is left as it is)."""
    copy_dir = runner.work_dir / f"{label}-warehouse"
    copy_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, copy_dir / "vision.duckdb")
    return copy_dir / "vision.duckdb"


def _floor_day(
    runner: Runner, warehouse: Path, landing: Path, floor_plan: Path, label: str
) -> Callable[[], dict]:
    """One timed run of day D in plain DuckDB on ``warehouse`` (a copy made by ``_floor_copy``)."""
    return lambda: runner.run(
        "floor_day",
        {
            "warehouse": str(warehouse),
            "landing": str(landing),
            "day": MEASURED_DAY.isoformat(),
            "plan": str(floor_plan),
        },
        label=label,
    )


def _day_result(scale: float, landing: Path, days: list[dict], floors: list[dict]) -> dict:
    result = {
        "scale": scale,
        "day_rows": landed_rows(landing, [MEASURED_DAY]),
        "dagster_day": _summary(days),
        "dagster_day_peak_mb": _peak(days),
        "floor_day": _summary(floors),
        "floor_day_peak_mb": _peak(floors),
        "floor_phases_last_run": floors[-1]["phases"],
        "floor_failing_test_rows": floors[-1]["failing_test_rows"],
        "floor_tests": floors[-1]["tests"],
    }
    result["dagster_to_floor"] = ratio(result["dagster_day"]["median"], result["floor_day"]["median"])
    return result


def matched_scale(base_scale: float, long_day_rows: int, short_day_rows: int) -> float:
    """The scale at which a 31-day simulation lands about ``long_day_rows`` on day D, given that it lands
    ``short_day_rows`` at ``base_scale`` (rows grow linearly with the scale), to two decimals."""
    return round(base_scale * long_day_rows / short_day_rows, 2)


def measure_history(runner: Runner, plan: Plan, landing: Path, base: dict, floor_plan: Path) -> dict:
    """Day D with a year of history before it, against day D with 30 days of history simulated at the scale
    whose day D lands as many rows as the year's (``base`` is the base scale's result, for its rows per
    scale).

    Both warehouses are built first, then their day D runs take turns (through Dagster, then in plain
    DuckDB): measured one side after the other, minutes apart, the ratio carried whatever the machine's
    speed did in between (the plain DuckDB ratio of unchanged SQL ranged from 0.82 to 1.37 over four runs).
    The two warehouses come from two simulations, so day D's files are not byte-identical; the rows each
    lands are reported, with the ratio per landed row.
    """
    short_scale = matched_scale(base["scale"], landed_rows(landing, [MEASURED_DAY]), base["day_rows"])
    short_tag = f"s{short_scale:g}"
    short_landing = _simulate_short_history(runner, plan, short_scale, f"matched-{short_tag}")
    short_dir, _ = _backfill_short_history(runner, plan, short_tag, short_landing)

    data_dir = _new_data_dir(runner.work_dir / "warehouse-history")
    first = MEASURED_DAY - timedelta(days=plan.long_history_days - 1)
    before = MEASURED_DAY - timedelta(days=1)
    # The year is built fast: the raw days by DuckDB's own CSV reader (into tables created from the raw
    # assets' declared schema, as the IO manager creates them), then the dbt models over all of them in one
    # Dagster run. What is measured is day D afterwards, through Dagster as in the 30-day case.
    runner.run(
        "load_raw_days",
        {
            "warehouse": str(data_dir / "warehouse" / "vision.duckdb"),
            "landing": str(landing),
            "first": first.isoformat(),
            "last": before.isoformat(),
        },
        label="history-raw-days-in-duckdb",
    )
    backfill = runner.run(
        "dagster_days",
        {"first": first.isoformat(), "last": before.isoformat(), "raw": False},
        data_dir=data_dir,
        landing=landing,
        label=f"history-dbt-backfill-{plan.long_history_days - 1}-days",
    )
    _keep_parse_state(runner, data_dir)
    short_days, days = alternate(
        plan.history_repetitions,
        _dagster_day(runner, short_dir, short_landing, f"{short_tag}-dagster-day"),
        _dagster_day(runner, data_dir, landing, "history-dagster-day"),
    )
    short_copy = _floor_copy(runner, short_dir / "warehouse" / "vision.duckdb", f"{short_tag}-floor-day")
    long_copy = _floor_copy(runner, data_dir / "warehouse" / "vision.duckdb", "history-floor-day")
    short_floors, floors = alternate(
        plan.floor_repetitions,
        _floor_day(runner, short_copy, short_landing, floor_plan, f"{short_tag}-floor-day"),
        _floor_day(runner, long_copy, landing, floor_plan, "history-floor-day"),
    )
    short = _day_result(short_scale, short_landing, short_days, short_floors)
    long, long_floor = _summary(days), _summary(floors)
    day_rows = landed_rows(landing, [MEASURED_DAY])
    backfill_rows = landed_rows(landing, _days(first, before))
    for folder in (short_copy.parent, long_copy.parent, short_dir, data_dir, short_landing):
        shutil.rmtree(folder, ignore_errors=True)
    plain = ratio(long["median"], short["dagster_day"]["median"])
    return {
        "scale": plan.base_scale,
        "short_scale": short["scale"],
        "short_history_days": plan.short_history_days,
        "long_history_days": plan.long_history_days - 1,
        "alternated": True,
        "day_rows": day_rows,
        "short_day_rows": short["day_rows"],
        "short": short["dagster_day"],
        "long": long,
        "long_peak_mb": _peak(days),
        "ratio": plain,
        "ratio_per_row": plain * short["day_rows"] / day_rows if plain and day_rows else None,
        "floor_short": short["floor_day"],
        "floor_long": long_floor,
        "floor_ratio": ratio(long_floor["median"], short["floor_day"]["median"]),
        "floor_long_phases_last_run": floors[-1]["phases"],
        "long_dbt_backfill": {
            "days": plan.long_history_days - 1,
            "rows": backfill_rows,
            "seconds": backfill["seconds"],
            "rows_per_second": backfill_rows / backfill["seconds"],
            "peak_mb": backfill["peak_mb"],
        },
    }


def _simulate_short_history(runner: Runner, plan: Plan, scale: float, tag: str) -> Path:
    """The 31 days up to D at ``scale`` into ``landing-<tag>`` of the work folder; returns that folder."""
    landing = runner.work_dir / f"landing-{tag}"
    runner.run(
        "simulate_days",
        {
            "landing": str(landing),
            "truth": str(runner.work_dir / f"truth-{tag}"),
            "start": (MEASURED_DAY - timedelta(days=plan.short_history_days)).isoformat(),
            "days": plan.short_history_days + 1,
            "scale": scale,
        },
        label=f"simulate-{tag}",
    )
    return landing


def _fits(scales: list[dict]) -> dict:
    if len(scales) < 2:
        return {}
    rows = [scale["day_rows"] for scale in scales]
    dagster = fit_fixed_marginal(rows, [scale["dagster_day"]["median"] for scale in scales])
    floor = fit_fixed_marginal(rows, [scale["floor_day"]["median"] for scale in scales])
    return {
        "dagster": dagster.as_dict(),
        "floor": floor.as_dict(),
        "marginal_ratio": ratio(
            dagster.marginal_seconds_per_million_rows, floor.marginal_seconds_per_million_rows
        ),
    }


def _targets(fits: dict, history: dict) -> list[dict]:
    targets = []
    if fits:
        slopes = (
            fits["dagster"]["marginal_seconds_per_million_rows"],
            fits["floor"]["marginal_seconds_per_million_rows"],
        )
        marginal = fits["marginal_ratio"] if min(slopes) > 0 else None
        targets.append(
            {
                "name": f"marginal cost within {MARGINAL_TARGET_RATIO}× of plain DuckDB's",
                "measured": f"{marginal:.1f}×"
                if marginal is not None
                else f"not determined: a marginal cost came out negative (Dagster {slopes[0]:.0f}, DuckDB "
                f"{slopes[1]:.0f} s per million rows): the day times vary more than they differ between scales",
                "met": None if marginal is None else marginal <= MARGINAL_TARGET_RATIO,
            }
        )
        fixed = fits["dagster"]["fixed_seconds"]
        targets.append(
            {
                "name": f"fixed cost of a day's run under {FIXED_TARGET_SECONDS:.0f} s",
                "measured": f"{fixed:.1f} s",
                "met": fixed < FIXED_TARGET_SECONDS,
            }
        )
    if history and history.get("ratio") is not None:
        # Both paths must hold: the Dagster day's fixed cost can hide growth of the data work that the
        # floor, doing the data work alone, shows.
        ratios = [history["ratio"], history.get("floor_ratio") or 0.0]
        targets.append(
            {
                "name": f"a day's cost does not grow with the history (ratio at most {HISTORY_GROWTH_LIMIT})",
                "measured": f"{history['ratio']:.2f} through Dagster, {ratios[1]:.2f} in plain DuckDB",
                "met": max(ratios) <= HISTORY_GROWTH_LIMIT,
            }
        )
    return targets


def _snapshot(commit: str, work_dir: Path) -> tuple[Path, str]:
    """The repository's files at ``commit``, unpacked apart: other work in the checkout cannot change them."""
    resolved = subprocess.run(
        ["git", "rev-parse", commit], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    source = work_dir / "source"
    source.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", resolved], cwd=REPO_ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source, resolved


def _working_tree_commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    head, dirty = head.stdout.strip(), dirty.stdout
    return f"{head} + uncommitted changes" if dirty.strip() else head


def run(plan: Plan, work_dir: Path, commit: str | None = None) -> dict:
    machine = report.machine_facts()
    load_at_start = os.getloadavg()
    if commit:
        source_dir, measured_commit = _snapshot(commit, work_dir)
    else:
        source_dir, measured_commit = REPO_ROOT, _working_tree_commit()
    runner = Runner(work_dir, source_dir=source_dir)
    skipped: list[str] = []
    print(f"Benchmarks ({plan.command}) of {measured_commit} in {work_dir}", flush=True)

    floor_plan = work_dir / "floor-compile" / "floor_plan.json"
    runner.run("compile_floor_plan", {"work_dir": str(floor_plan.parent)}, label="compile-floor-plan")
    load_dir = _new_data_dir(work_dir / "code-location")
    # The first load parses the dbt project when its manifest is missing or stale; it is not counted.
    runner.run(
        "load_code_location", {}, data_dir=load_dir, landing=load_dir / "landing", label="warm-up-load"
    )
    loads = [
        runner.run(
            "load_code_location",
            {},
            data_dir=load_dir,
            landing=load_dir / "landing",
            label="code-location-load",
        )
        for _ in range(plan.load_repetitions)
    ]

    base = plan.base_scale
    scales: list[dict] = []
    history: dict = {}
    minutes_per_scale_unit: float | None = None
    for scale in (*plan.scales, *plan.optional_scales):
        if scale in plan.optional_scales and minutes_per_scale_unit is not None:
            projected = minutes_per_scale_unit * scale
            if runner.elapsed_minutes() + projected > plan.budget_minutes:
                skipped.append(
                    f"scale {scale:g}: projected {projected:.0f} min from the scales measured, after "
                    f"{runner.elapsed_minutes():.0f} min spent, would exceed the "
                    f"{plan.budget_minutes:.0f}-minute budget."
                )
                print(f"  skipping {skipped[-1]}", flush=True)
                continue
        started = runner.elapsed_minutes()
        landing = _simulate_short_history(runner, plan, scale, f"s{scale:g}")
        scales.append(measure_scale(runner, plan, scale, landing, floor_plan))
        (work_dir / "partial-results.json").write_text(
            json.dumps({"scales": scales, "steps": runner.steps}, indent=1)
        )
        if scale != base:
            minutes_per_scale_unit = (runner.elapsed_minutes() - started) / scale
        shutil.rmtree(landing, ignore_errors=True)
        if scale == base:
            history_landing = work_dir / f"landing-history-s{base:g}"
            runner.run(
                "simulate_days",
                {
                    "landing": str(history_landing),
                    "truth": str(work_dir / "truth-history"),
                    "start": (MEASURED_DAY - timedelta(days=plan.long_history_days - 1)).isoformat(),
                    "days": plan.long_history_days,
                    "scale": base,
                },
                label="simulate-history",
            )
            history = measure_history(runner, plan, history_landing, scales[0], floor_plan)
            (work_dir / "partial-results.json").write_text(
                json.dumps({"scales": scales, "history": history, "steps": runner.steps}, indent=1)
            )
            shutil.rmtree(history_landing, ignore_errors=True)

    fits = _fits(scales)
    load_at_end = os.getloadavg()
    finished = datetime.now(UTC)
    return {
        "finished_at": finished.strftime("%Y-%m-%d %H:%M UTC"),
        "command": plan.command + (f' BENCH_ARGS="--commit {commit}"' if commit else ""),
        "commit": measured_commit,
        "plan": {key: value for key, value in plan.__dict__.items()},
        "measured_day": MEASURED_DAY.isoformat(),
        "wall_minutes": runner.elapsed_minutes(),
        "machine": machine,
        "load_average_at_start": list(load_at_start),
        "load_average_at_end": list(load_at_end),
        "load_note": report.load_note(machine["cores"], load_at_start, load_at_end),
        "code_location_load": {
            **_summary(loads),
            "peak_mb": _peak(loads),
            "manifest_reparsed": any(load["manifest_reparsed"] for load in loads),
        },
        "scales": scales,
        "history": history,
        "fits": fits,
        "targets": _targets(fits, history),
        "skipped": skipped,
        "steps": runner.steps,
    }


def _publish(results: dict) -> None:
    results["targets"] = _targets(results.get("fits", {}), results.get("history", {}))
    path = report.write_results(results, BENCH_DIR / "results", datetime.now(UTC))
    report.update_readme(BENCH_DIR / "README.md", report.render_table(results))
    print(f"\nWrote {path.relative_to(REPO_ROOT)} and the table in benchmarks/README.md")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Vision benchmarks: a day through Dagster against plain DuckDB."
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small subset in a few minutes (nothing is written)"
    )
    parser.add_argument(
        "--work-dir", type=Path, help="keep the simulated data and logs here instead of a temp folder"
    )
    parser.add_argument(
        "--commit", help="measure this commit (e.g. HEAD), unpacked apart, not the working tree"
    )
    parser.add_argument(
        "--publish",
        type=Path,
        metavar="RESULTS_JSON",
        help="write the README table (and results/<date>.json) from a finished run's results.json",
    )
    args = parser.parse_args(argv)
    if args.publish:
        _publish(json.loads(args.publish.read_text()))
        return
    plan = QUICK if args.quick else FULL
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="vision-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        results = run(plan, work_dir, args.commit)
    except Exception:
        print(f"The benchmark failed; the step logs are kept in {work_dir / 'logs'}", flush=True)
        raise
    (work_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report.render_table(results))
    if args.quick:
        print(f"\nQuick mode: results in {work_dir / 'results.json'}; benchmarks/README.md is left as it is.")
    else:
        _publish(results)
    if not args.work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
