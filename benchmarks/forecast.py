"""The demand forecast on two simulated years: accuracy against seasonal naive and the noise floor; cost.

``python -m benchmarks.forecast`` (part of ``make bench``) simulates two years of the four businesses at
scale 1 (``HISTORY_DAYS``, the history the ``predictions`` assets read), to the demo's last day, so the last
origins meet Black Friday and the history holds the one a year before. It sums the exports into the demand
cells the forecast reads and runs the backtest the ``predictions.forecast_backtest`` asset runs: four
origins, 28-day horizons, every candidate refitted. Beside each level it scores the simulator's true
expected rate (``simulate/demand_truth.py``): the error no forecaster can beat. The issue's targets: the
chosen model's MASE within 15 % of that floor at the line and category levels, and below seasonal naive's
at every level.

One history's lines are four series over three origins, so its ratio to the floor moves by several
hundredths from one seed to the next: the accuracy is also measured on ``MORE_SEEDS`` (seeds no setting
was chosen on; accuracy only, about eight minutes each), and the targets are judged on every seed and on
their mean.

Then it times one day's forecast (choosing the models, then reusing the choice) and the backtest, with peak
memory, on the two years at scale 1 and on five weeks at scale 10 (the series are the same 133 per measure at
any scale; only the rows summed into them grow).

The cells are summed straight from the simulator's frames (units sold, plays, net revenue at the
simulator's fixed exchange rates), which is what the warehouse's demand facts hold for these columns; the
asset's own path through the warehouse is what the tests and ``make run`` exercise.
"""

import argparse
import math
import os
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from vision_assets.predictions.assets.common import HISTORY_DAYS
from vision_assets.predictions.demand import (
    CHOSEN,
    EXPECTED_RATE,
    backtest_hierarchy,
    expected_series,
    forecast_demand,
)
from vision_assets.predictions.models import SEASONAL_NAIVE
from vision_assets.predictions.series import DEMAND_UNITS, bottom_series, top_products
from vision_assets.recommendations.measurement import measure
from vision_assets.simulate.reference import UNITS_PER_USD
from vision_assets.simulate.world import World

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
TABLE_START = "<!-- forecast-results:start -->"
TABLE_END = "<!-- forecast-results:end -->"
LAST_DAY = date(2026, 12, 2)
FLOOR_TARGET = 1.15
SEED = 7  # the demo's
# More test seeds, for the accuracy alone; the settings were chosen on 11, 23 and 31 (docs/predictions.md).
MORE_SEEDS = (41, 43, 47)
FLOOR_LEVELS = ("business_line", "category")
_ITEM = {"books": "book_id", "mart": "product_id", "flicks": "title_id", "music": "track_id"}
_CATEGORY = {"books": "genre", "mart": "category", "flicks": "genre", "music": "genre"}
_EVENT_TIME = {"flicks": "started_at", "music": "listened_at"}


def simulated_cells(days: int, scale: float, last_day: date = LAST_DAY, seed: int = 7):
    """(cells, expected): demand cells as series.demand_cells returns them, and the simulator's truth."""
    first = last_day - timedelta(days=days - 1)
    world = World(start=first, scale=scale, seed=seed)
    categories: dict[str, str] = {}
    parts = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        exports = world.simulate_day(day)
        for line in DEMAND_UNITS:
            catalog = exports[f"{line}_catalog"]
            categories.update(zip(line + ":" + catalog[_ITEM[line]].astype(str), catalog[_CATEGORY[line]]))
            if DEMAND_UNITS[line] == "units_sold":
                orders = exports[f"{line}_orders"]
                quantity = orders["quantity"].astype(float)
                net = quantity * orders["unit_price"].astype(float) - orders["discount_amount"].astype(float)
                usd = net / orders["currency"].map(UNITS_PER_USD)
                frame = pd.DataFrame(
                    {
                        "product_key": line + ":" + orders[_ITEM[line]].astype(str),
                        "units": quantity,
                        "net_revenue_usd": usd,
                    }
                )
            else:
                events = exports[f"{line}_engagement"]
                at = pd.to_datetime(events[_EVENT_TIME[line]], utc=True, format="ISO8601")
                events = events[at.dt.date == day]
                frame = pd.DataFrame(
                    {
                        "product_key": line + ":" + events[_ITEM[line]].astype(str),
                        "units": 1.0,
                        "net_revenue_usd": 0.0,
                    }
                )
            summed = frame.groupby("product_key", as_index=False).sum()
            parts.append(summed.assign(ds=pd.Timestamp(day), business_line=line))
    cells = pd.concat(parts, ignore_index=True)
    cells["category"] = cells["product_key"].map(categories)
    return cells, world.expected_demand()


def accuracy(cells: pd.DataFrame, expected: pd.DataFrame, horizon: int = 28) -> pd.DataFrame:
    """Per level: MASE of Chosen, seasonal naive and the expected rate on the same series and origins."""
    leaves = bottom_series(cells, top_products(cells))
    result = backtest_hierarchy(leaves, "units", horizon, expected_series(expected))
    scores = result.scores
    chosen = scores[scores["model"] == CHOSEN][["unique_id", "cutoff", "level", "mase", "chosen_model"]]
    rows = []
    for level, rows_of_level in chosen.groupby("level"):
        keys = rows_of_level[["unique_id", "cutoff"]]
        row = {
            "level": level,
            "series": rows_of_level["unique_id"].nunique(),
            "origins": rows_of_level["cutoff"].nunique(),
            "horizon_days": result.plan.horizon,
            "chosen_models": ", ".join(sorted(rows_of_level["chosen_model"].unique())),
            "chosen": rows_of_level["mase"].mean(),
        }
        for name, model in (("seasonal_naive", SEASONAL_NAIVE), ("floor", EXPECTED_RATE)):
            other = keys.merge(scores[scores["model"] == model], on=["unique_id", "cutoff"])
            row[name] = other["mase"].mean() if len(other) else float("nan")
        rows.append(row)
    table = pd.DataFrame(rows)
    table["chosen_over_floor"] = table["chosen"] / table["floor"]
    return table


def cost(cells: pd.DataFrame) -> dict:
    """Seconds and peak memory of one day's forecast (choosing, then reusing the choice) and the backtest."""
    with measure() as choosing:
        _, chosen = forecast_demand(cells, 28)
    with measure() as reusing:
        forecast_demand(cells, 28, chosen)
    leaves = bottom_series(cells, top_products(cells))
    with measure() as backtesting:
        for measure_name in ("units", "net_revenue_usd"):
            backtest_hierarchy(leaves, measure_name, 28)
    return {
        name: {"seconds": round(part.seconds, 1), "peak_memory_mib": round(part.peak_rss_mb, 0)}
        for name, part in (
            ("forecast_choosing", choosing),
            ("forecast_reusing", reusing),
            ("backtest", backtesting),
        )
    }


def _records(table: pd.DataFrame) -> list[dict]:
    return table.replace({np.nan: None}).to_dict("records")


def _figure(value, pattern: str) -> str:
    """A figure, or a dash where there is none (no floor below the category level)."""
    return "-" if value is None or math.isnan(value) else pattern.format(value)


def render_table(results: dict) -> str:
    when = datetime.fromisoformat(results["finished_at"])
    lines = [
        f"Run {when:%Y-%m-%d %H:%M} UTC on {results['machine']['cores']} cores, commit {results['commit'][:7]}: "
        f"a simulated history at scale 1, {results['history']['first_day']} to {results['history']['last_day']}, "
        f"units. {results['load_note']}".strip(),
        "",
        ("| level | series | origins x days | models chosen | MASE chosen | seasonal naive | expected rate (floor) "
        "| chosen / floor | targets |"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["accuracy"]:
        beats = row["chosen"] < row["seasonal_naive"]
        target = "beats naive: " + ("met" if beats else "**not met**")
        if row["level"] in ("business_line", "category"):
            within = row["chosen_over_floor"] is not None and row["chosen_over_floor"] <= FLOOR_TARGET
            target += "; within 15 % of floor: " + ("met" if within else "**not met**")
        lines.append(
            f"| {row['level']} | {row['series']} | {row['origins']} x {row['horizon_days']} | {row['chosen_models']} "
            f"| {row['chosen']:.3f} | {row['seasonal_naive']:.3f} | {_figure(row['floor'], '{:.3f}')} "
            f"| {_figure(row['chosen_over_floor'], '{:.2f}')} | {target} |"
        )
    lines += _seed_table(results.get("accuracy_by_seed", {}))
    lines += ["", "| cost | history | seconds | peak memory |", "|---|---|---|---|"]
    for label, costs in results["cost"].items():
        for name, part in costs.items():
            lines.append(
                f"| {name.replace('_', ' ')} | {label} | {part['seconds']} | {part['peak_memory_mib']:.0f} MiB |"
            )
    return "\n".join(lines)


def _seed_table(by_seed: dict) -> list[str]:
    """The chosen model's MASE over the floor per seed and level, their mean, and the target on each."""
    if len(by_seed) < 2:
        return []
    seeds = list(by_seed)
    lines = [
        "",
        "| chosen / floor | "
        + " | ".join(f"seed {seed}" for seed in seeds)
        + " | mean | within 15 % of floor |",
        "|---" * (len(seeds) + 3) + "|",
    ]
    for level in FLOOR_LEVELS:
        ratios = [
            next(row["chosen_over_floor"] for row in by_seed[seed] if row["level"] == level) for seed in seeds
        ]
        mean = sum(ratios) / len(ratios)
        within = sum(ratio <= FLOOR_TARGET for ratio in ratios)
        verdict = "met" if mean <= FLOOR_TARGET else "**not met**"
        lines.append(
            f"| {level} | " + " | ".join(f"{ratio:.3f}" for ratio in ratios)
            + f" | {mean:.3f} | on average: {verdict}; {within} of {len(seeds)} seeds |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=HISTORY_DAYS, help="days of simulated history (scale 1)")
    parser.add_argument(
        "--cost-scale", type=float, default=10.0, help="the scale the cost is also measured at"
    )
    parser.add_argument("--cost-days", type=int, default=35, help="days simulated at that scale")
    parser.add_argument(
        "--quick", action="store_true", help="120 days, cost at scale 1 only, nothing written"
    )
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--more-seeds", type=int, nargs="*", default=list(MORE_SEEDS), help="test seeds for the accuracy"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.more_seeds = 120, []

    from benchmarks import report

    load_at_start = os.getloadavg()
    started = time.perf_counter()
    cells, expected = simulated_cells(args.days, 1.0, seed=SEED)
    print(f"Simulated {args.days} days at scale 1 in {time.perf_counter() - started:.0f} s")
    table = accuracy(cells, expected)
    print(table.round(3).to_string(index=False))
    by_seed = {SEED: _records(table)}
    for seed in args.more_seeds:
        other = accuracy(*simulated_cells(args.days, 1.0, seed=seed))
        print(f"seed {seed}:\n{other.round(3).to_string(index=False)}", flush=True)
        by_seed[seed] = _records(other)
    costs = {f"{args.days} days, scale 1": cost(cells)}
    if not args.quick:
        big, _ = simulated_cells(args.cost_days, args.cost_scale)
        costs[f"{args.cost_days} days, scale {args.cost_scale:g}"] = cost(big)
    results = {
        **report.run_facts(load_at_start, REPO),
        "history": {"first_day": str(cells["ds"].min().date()), "last_day": str(cells["ds"].max().date())},
        "accuracy": _records(table),
        "accuracy_by_seed": by_seed,
        "cost": costs,
        "targets": {"chosen_over_floor": FLOOR_TARGET, "beats_seasonal_naive": True},
    }
    rendered = render_table(results)
    print(rendered)
    if args.quick:
        return
    report.publish(results, rendered, args.results_dir, "forecast-", TABLE_START, TABLE_END)


if __name__ == "__main__":
    main()
