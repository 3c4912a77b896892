"""What a benchmark run leaves behind: the results JSON and the markdown table in ``benchmarks/README.md``.

The table is rendered from the results alone, so the README always says what the JSON beside it says.
"""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks.stats import LinearCost, size_adjusted_ratio

TABLE_START = "<!-- benchmark-results:start -->"
TABLE_END = "<!-- benchmark-results:end -->"
PACKAGES = (
    "dagster",
    "dagster-dbt",
    "dagster-duckdb-pandas",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "pandas",
    "numpy",
    "scipy",
)
# One-minute load average above this many runnable processes per core: other work shared the machine.
SHARED_LOAD_PER_CORE = 0.5


def machine_facts() -> dict:
    cores = os.cpu_count() or 1
    facts = {
        "cores": cores,
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
    }
    return facts


def load_note(cores: int, load_at_start: tuple[float, ...], load_at_end: tuple[float, ...]) -> str:
    """Whether the figures were taken on a machine other processes were using (from the load averages)."""
    busiest = max(load_at_start[0], load_at_end[0])
    if busiest > SHARED_LOAD_PER_CORE * cores:
        return (
            f"The machine was shared: the one-minute load average reached {busiest:.1f} on {cores} cores "
            "during the run, so timings may be higher than on an idle machine."
        )
    return f"The machine was quiet: one-minute load average at most {busiest:.1f} on {cores} cores."


def run_facts(load_at_start: tuple[float, ...], repo: Path) -> dict:
    """What every results file opens with: when it finished, the commit, the machine and how busy it was."""
    machine = machine_facts()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=repo, check=False)
    return {
        "finished_at": datetime.now(UTC).isoformat(),
        "commit": commit.stdout.strip() or "unknown",
        "machine": machine,
        "load_note": load_note(machine["cores"], load_at_start, os.getloadavg()),
    }


def write_results(results: dict, results_dir: Path, when: datetime, prefix: str = "") -> Path:
    """``<results_dir>/<prefix><date>.json``; a second run on the same day gets ``<date>-2.json`` and so on."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = prefix + when.strftime("%Y-%m-%d")
    path = results_dir / f"{stem}.json"
    number = 2
    while path.exists():
        path = results_dir / f"{stem}-{number}.json"
        number += 1
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    return path


def _seconds(summary: dict | None) -> str:
    if not summary:
        return "–"
    return (
        f"{summary['median']:.1f} s (±{summary['spread'] * 50:.0f} %)"
        if summary["spread"]
        else f"{summary['median']:.1f} s"
    )


def _number(value: float | None, pattern: str = "{:,.0f}") -> str:
    return "–" if value is None else pattern.format(value)


def _short_scale(history: dict) -> str:
    """How the short history was simulated, when not at the long history's scale."""
    short_scale = history.get("short_scale", history["scale"])
    if short_scale == history["scale"]:
        return ""
    return f" (simulated at scale {short_scale:g}, the scale that lands about as many rows on that day)"


def _size_adjusted(history: dict, fits: dict) -> str:
    """The history ratios with the short history's day scaled by the fit to the long day's size."""
    adjusted = []
    for path, long_key, short_key in (("dagster", "long", "short"), ("floor", "floor_long", "floor_short")):
        if path not in fits or not history.get(long_key) or not history.get(short_key):
            return ""
        adjusted.append(
            size_adjusted_ratio(
                history[long_key]["median"],
                history[short_key]["median"],
                history["day_rows"],
                history["short_day_rows"],
                LinearCost(**fits[path]),
            )
        )
    if None in adjusted:
        return ""
    return (
        f" Scaled by each path's fit to the long history's day size: {adjusted[0]:.2f} through Dagster, "
        f"{adjusted[1]:.2f} in plain DuckDB."
    )


def render_table(results: dict) -> str:
    """The README section: per-scale figures, the fixed + marginal fit, the history ratio, targets."""
    scales = results["scales"]
    names = [f"scale {scale['scale']:g}" for scale in scales]
    header = "| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names)

    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(scale) for scale in scales) + " |"

    rows = [
        row("rows landed in the measured day", lambda s: _number(s["day_rows"])),
        row(
            "(1) one day through Dagster, landing → `fct_daily_demand`",
            lambda s: _seconds(s.get("dagster_day")),
        ),
        row("(2) the same day in plain DuckDB (the floor)", lambda s: _seconds(s.get("floor_day"))),
        row("ratio (1)/(2)", lambda s: _number(s.get("dagster_to_floor"), "{:.1f}×")),
        row(
            f"{scales[0].get('backfill_days', 30)}-day backfill through Dagster, one run",
            lambda s: _seconds(s.get("backfill")),
        ),
        row("backfill rows per second", lambda s: _number(s.get("backfill_rows_per_second"))),
        row("recommender training (settings chosen, then EASE fit)", lambda s: _seconds(s.get("training"))),
        row("churn model training", lambda s: _seconds(s.get("churn_training"))),
        row(
            "peak memory: Dagster day / floor day",
            lambda s: f"{_number(s.get('dagster_day_peak_mb'))} / {_number(s.get('floor_day_peak_mb'))} MiB",
        ),
        row(
            "peak memory: backfill / recommender / churn",
            lambda s: (
                f"{_number(s.get('backfill_peak_mb'))} / {_number(s.get('training_peak_mb'))}"
                f" / {_number(s.get('churn_training_peak_mb'))} MiB"
            ),
        ),
    ]
    fits = results.get("fits", {})
    history = results.get("history", {})
    load = results.get("code_location_load", {})
    machine = results["machine"]
    lines = [
        (
            f"Run {results['finished_at']} in {results['wall_minutes']:.1f} min "
            f"(`{results['command']}`, commit "
            f"{results.get('commit', 'unknown')}) on {machine['cores']} cores ({machine['cpu']}), "
            f"{machine['memory_gib']:.0f} GiB, Python {machine['python']}, "
            f"dagster {machine['packages'].get('dagster')}, "
            f"dbt-core {machine['packages'].get('dbt-core')}, duckdb {machine['packages'].get('duckdb')}. "
            f"{results['load_note']}"
        ),
        "",
        header,
        *rows,
        "",
        "Medians of the repetitions; ± is half the spread (highest − lowest) relative to the median.",
        "",
    ]
    for path, label in (("dagster", "Dagster's path"), ("floor", "plain DuckDB")):
        fit = fits.get(path)
        if fit:
            lines.append(
                f"- **{label}**: {fit['fixed_seconds']:.1f} s fixed + "
                f"{fit['marginal_seconds_per_million_rows']:.1f} s per million landed rows "
                f"(fit over {fit['points']} scales)."
            )
    if (fits.get("marginal_ratio") or 0) > 0:
        lines.append(f"- Marginal cost, Dagster / DuckDB: {fits['marginal_ratio']:.1f}×.")
    if history:
        lines.append(
            f"- Day {results.get('measured_day', 'D')} at scale {history['scale']:g} with "
            f"{history['long_history_days']} days of history against {history['short_history_days']}"
            f"{_short_scale(history)}: "
            f"{_seconds(history.get('long'))} against {_seconds(history.get('short'))} through Dagster, "
            f"ratio {_number(history.get('ratio'), '{:.2f}')} "
            f"({_number(history.get('ratio_per_row'), '{:.2f}')} per landed row: "
            f"{_number(history.get('day_rows'))} "
            f"against {_number(history.get('short_day_rows'))} rows); plain DuckDB "
            f"{_seconds(history.get('floor_long'))} against {_seconds(history.get('floor_short'))}, ratio "
            f"{_number(history.get('floor_ratio'), '{:.2f}')}.{_size_adjusted(history, fits)}"
            + (" The two histories' runs alternated." if history.get("alternated") else "")
        )
    if load:
        lines.append(f"- Code location load (import the definitions and the dbt manifest): {_seconds(load)}.")
    for target in results.get("targets", []):
        verdict = "met" if target["met"] else ("not measured" if target["met"] is None else "**not met**")
        lines.append(f"- Target: {target['name']} — {target['measured']}: {verdict}.")
    for skipped in results.get("skipped", []):
        lines.append(f"- Skipped: {skipped}")
    return "\n".join(lines)


def publish(results: dict, table: str, results_dir: Path, prefix: str, start: str, end: str) -> None:
    """Write a benchmark's results file into ``results_dir`` and, when that is the committed results folder,
    its table between ``start`` and ``end`` in benchmarks/README.md (a trial run elsewhere leaves it be)."""
    bench_dir = Path(__file__).resolve().parent
    path = write_results(results, results_dir, datetime.now(UTC), prefix=prefix)
    print(f"\nWrote {path}")
    if results_dir.resolve() == (bench_dir / "results").resolve():
        update_readme(bench_dir / "README.md", table, start, end)
        print("and its table in benchmarks/README.md")


def update_readme(readme: Path, table: str, start: str = TABLE_START, end: str = TABLE_END) -> None:
    """Replace what lies between the result markers ``start`` and ``end`` of the README with ``table``."""
    text = readme.read_text()
    if start not in text or end not in text:
        raise ValueError(f"{readme} has no {start} … {end} markers to write the table between")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{table}\n{end}{after}")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return 0.0
