"""The churn model against its ceiling on many simulated histories, not on one.

    python -m benchmarks.churn                     # the test seeds (about 7 minutes); part of `make bench`
    python -m benchmarks.churn --quick             # four 30-day test seeds; writes nothing
    python -m benchmarks.churn --split validation  # the seeds settings are chosen on; writes nothing

Issue 25 asks for the churn model within 0.03 AUC of its ceiling: the AUC the simulator's true
probabilities reach on the model's own holdout (``churn.measure_ceiling``). One history's holdout holds a
few hundred endings, so that gap moves by about 0.015 from one seed (or one demo date) to the next: a
single figure cannot say whether a change helped, nor whether the target is met. This benchmark simulates
many histories (the demo's scale, 30 days as the demo has and 90), trains the model on each as the asset
does (``train_churn_model`` on ``simulate.churn_inputs``: the marts' columns, people from the identity
truth) and reports each gap, their mean with a 95 % confidence interval, the worst, and how many histories
come within 0.03.

The seeds are split. Settings are chosen on the validation seeds (``--split validation``); the committed
figures are of the test seeds, which chose nothing. Results go to ``benchmarks/results/churn-<date>.json``
and the table in ``benchmarks/README.md``.
"""

import argparse
import math
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks import report

BENCH_DIR = Path(__file__).resolve().parent
# Days of history -> seeds. 30 days is the demo's history; 90 lets the model learn its full 30-day horizon.
SEEDS = {
    "validation": {30: (5, 13, 17, 19, 43, 47, 53, 59, 61, 67), 90: (11, 23)},
    "test": {
        30: (7, 29, 31, 37, 41, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139),
        90: (7, 29, 31),
    },
}
QUICK_SEEDS = {30: (7, 29, 31, 37)}
FIRST_DAY = {30: date(2026, 10, 1), 90: date(2026, 9, 4)}
SCALE = 1.0
MAX_AUC_BELOW_CEILING = 0.03  # issue 25's target
CONFIDENCE = 0.95
TABLE_START = "<!-- churn-results:start -->"
TABLE_END = "<!-- churn-results:end -->"


def measure_history(seed: int, days: int, first_day: date | None = None) -> dict:
    """Simulate ``days`` days of the four businesses, train the churn model on them, score it and the
    simulator's true probabilities on the model's holdout."""
    from vision_assets.recommendations.churn import measure_ceiling, train_churn_model
    from vision_assets.simulate import simulate
    from vision_assets.simulate.churn_inputs import simulated_marts
    from vision_assets.simulate.churn_truth import MEMBERSHIP_HAZARD_FILE

    with tempfile.TemporaryDirectory(prefix="vision-churn-bench-") as folder:
        root = Path(folder)
        start = first_day or FIRST_DAY[days]
        simulate(root / "landing", root / "truth", start=start, days=days, scale=SCALE, seed=seed)
        inputs = simulated_marts(root / "landing", root / "truth")
        hazards = pd.read_parquet(root / "truth" / MEMBERSHIP_HAZARD_FILE)
    started = time.perf_counter()
    model = train_churn_model(*inputs)
    seconds = time.perf_counter() - started
    ceiling = measure_ceiling(model, hazards)
    return {
        "seed": seed,
        "days": days,
        "first_day": start.isoformat(),
        "horizon_days": model.horizon_days,
        "holdout_endings": model.holdout_endings,
        "model_auc": model.holdout_auc,
        "ceiling_auc": ceiling.auc,
        "auc_below_ceiling": ceiling.auc - model.holdout_auc,
        "model_brier": model.holdout_brier,
        "base_rate_brier": model.base_rate_brier,
        "ceiling_brier": ceiling.brier,
        "ceiling_note": ceiling.note,
        "training_seconds": seconds,
    }


def mean_with_interval(values: list[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """The mean and the Student-t confidence interval of the mean of independent ``values``."""
    from scipy.stats import t

    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = t.ppf(0.5 + confidence / 2, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def _measured(histories: list[dict], days: int) -> list[dict]:
    """The histories of ``days`` days whose ceiling could be measured."""
    return [history for history in histories if history["days"] == days and not history["ceiling_note"]]


def summarize(histories: list[dict]) -> list[dict]:
    """Per length of history: the gaps' mean and interval, the worst, and the histories within target."""
    rows = []
    for days in sorted({history["days"] for history in histories}):
        measured = _measured(histories, days)
        if not measured:
            continue
        gaps = [history["auc_below_ceiling"] for history in measured]
        mean, low, high = mean_with_interval(gaps)
        rows.append(
            {
                "days": days,
                "histories": len(measured),
                "horizon_days": sorted({history["horizon_days"] for history in measured}),
                "mean_holdout_endings": statistics.fmean(history["holdout_endings"] for history in measured),
                "mean_model_auc": statistics.fmean(history["model_auc"] for history in measured),
                "mean_ceiling_auc": statistics.fmean(history["ceiling_auc"] for history in measured),
                "mean_gap": mean,
                "gap_interval": [low, high],
                "worst_gap": max(gaps),
                "within_target": sum(gap < MAX_AUC_BELOW_CEILING for gap in gaps),
                "brier_beats_base_rate": sum(
                    history["model_brier"] < history["base_rate_brier"] for history in measured
                ),
            }
        )
    return rows


def render_table(results: dict) -> str:
    machine = results["machine"]
    lines = [
        (
            f"Run {results['finished_at'][:16].replace('T', ' ')} UTC on {machine['cores']} cores "
            f"({machine.get('cpu', '')}), commit {results['commit'][:7]}, {results['split']} seeds, "
            f"scale {SCALE:g}. {results['load_note']}"
        ),
        "",
        (
            "| history | histories | horizon | holdout endings (mean) | model AUC (mean) "
            f"| ceiling AUC (mean) | below ceiling: mean (95 % CI) | worst | within {MAX_AUC_BELOW_CEILING} "
            "| Brier below the base rate's |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["summary"]:
        low, high = row["gap_interval"]
        horizons = ", ".join(f"{horizon} days" for horizon in row["horizon_days"])
        count = row["histories"]
        lines.append(
            f"| {row['days']} days | {count} | {horizons} | {row['mean_holdout_endings']:,.0f} "
            f"| {row['mean_model_auc']:.3f} | {row['mean_ceiling_auc']:.3f} "
            f"| {row['mean_gap']:.3f} ({low:.3f} to {high:.3f}) | {row['worst_gap']:.3f} "
            f"| {row['within_target']} of {count} | {row['brier_beats_base_rate']} of {count} |"
        )
    lines.append("")
    lines.append("Each history's gap (seed: AUC below the ceiling):")
    lines.append("")
    for days in sorted({history["days"] for history in results["histories"]}):
        gaps = ", ".join(
            f"{history['seed']}: {history['auc_below_ceiling']:.3f}"
            for history in _measured(results["histories"], days)
        )
        lines.append(f"- {days} days: {gaps}")
    lines.append("")
    for row in results["summary"]:
        low, high = row["gap_interval"]
        if high < MAX_AUC_BELOW_CEILING:
            verdict = f"met: the whole interval lies below {MAX_AUC_BELOW_CEILING}"
        elif low >= MAX_AUC_BELOW_CEILING:
            verdict = f"**not met**: the whole interval lies above {MAX_AUC_BELOW_CEILING}"
        else:
            verdict = f"**undecided**: the interval holds {MAX_AUC_BELOW_CEILING}"
        lines.append(
            f"- Target, {row['days']} days: the expected gap within {MAX_AUC_BELOW_CEILING} "
            "of the ceiling — "
            f"{row['mean_gap']:.3f} ({low:.3f} to {high:.3f}): {verdict}; "
            f"{row['within_target']} of {row['histories']} single histories within it."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="The churn model's gap to its ceiling over many simulated seeds."
    )
    parser.add_argument("--quick", action="store_true", help="four 30-day test seeds; nothing is written")
    parser.add_argument(
        "--split",
        choices=sorted(SEEDS),
        default="test",
        help="validation: the seeds settings are chosen on (nothing is written); test: the report",
    )
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    seeds = QUICK_SEEDS if args.quick else SEEDS[args.split]
    histories = []
    for days, chosen in seeds.items():
        for seed in chosen:
            history = measure_history(seed, days)
            print(
                f"{days} days, seed {seed}: model {history['model_auc']:.3f}, "
                f"ceiling {history['ceiling_auc']:.3f}, below it {history['auc_below_ceiling']:.3f} "
                f"({history['holdout_endings']} endings)",
                flush=True,
            )
            histories.append(history)
    results = {
        **report.run_facts(load_at_start, BENCH_DIR.parent),
        "split": args.split,
        "scale": SCALE,
        "target_auc_below_ceiling": MAX_AUC_BELOW_CEILING,
        "summary": summarize(histories),
        "histories": histories,
    }
    table = render_table(results)
    print(table)
    if args.quick or args.split != "test":
        return
    report.publish(results, table, BENCH_DIR / "results", "churn-", TABLE_START, TABLE_END)


if __name__ == "__main__":
    main()
