"""One measured step, run in its own process: ``python -m benchmarks.steps <step> '<json arguments>'``.

A fresh process per step makes each figure honest: its peak memory is its own (``ru_maxrss`` of the process
and of the dbt processes it waited for), and nothing one step imported or cached makes the next one look
faster. The step prints one line ``BENCH_RESULT <json>`` last; everything else it prints is its log.

The warehouse and the landing zone are chosen by the environment the harness sets (``VISION_DATA_DIR``,
``DAGSTER_HOME``), exactly as a deployment chooses them, so the code location is imported unmodified.
"""

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

RESULT_MARKER = "BENCH_RESULT "


def _peak_mb() -> dict[str, float]:
    """Peak resident memory in MiB of this process and of the largest child it waited for (dbt)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_mb": round(max(own, children), 1),
        "peak_python_mb": round(own, 1),
        "peak_child_mb": round(children, 1),
    }


def day_selection(raw: bool = True):
    """Landing to the demand facts: raw tables, dbt seeds, staging, marts and ``fct_daily_demand``.

    Without ``raw``, the dbt part alone (for building a long history whose raw days were loaded apart).
    """
    import dagster as dg

    prefixes = (["raw"], ["staging"], ["marts"]) if raw else (["staging"], ["marts"])
    return dg.AssetSelection.key_prefixes(*prefixes) | dg.AssetSelection.assets(
        dg.AssetKey(["demand", "fct_daily_demand"])
    )


def load_code_location(_: dict) -> dict:
    """Import the definitions as ``dagster dev`` and every run worker do, and resolve the repository."""
    # The manifest's path without importing anything of the code location: the import is what is timed.
    manifest = Path(__file__).resolve().parents[1] / "vision_dbt" / "target" / "duckdb" / "manifest.json"
    built_at = manifest.stat().st_mtime if manifest.exists() else None
    started = time.perf_counter()
    from vision_assets.definitions import defs

    defs.get_repository_def()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "manifest_reparsed": manifest.stat().st_mtime != built_at}


def dagster_days(arguments: dict) -> dict:
    """Landing to demand facts for ``[first, last]`` in one run; importing the definitions is timed apart."""
    import dagster as dg

    from vision_assets.runs import materialize_days

    started = time.perf_counter()
    from vision_assets.definitions import defs

    imported = time.perf_counter() - started
    first, last = date.fromisoformat(arguments["first"]), date.fromisoformat(arguments["last"])
    started = time.perf_counter()
    selection = day_selection(raw=arguments.get("raw", True))
    result = materialize_days(defs, dg.DagsterInstance.get(), first, last, selection=selection)
    seconds = time.perf_counter() - started
    if not result.success:
        raise RuntimeError(f"the Dagster run for {first} .. {last} failed")
    return {"seconds": seconds, "import_seconds": imported}


def floor_day(arguments: dict) -> dict:
    from benchmarks.floor import run_floor

    plan = json.loads(Path(arguments["plan"]).read_text())
    result = run_floor(
        Path(arguments["warehouse"]), Path(arguments["landing"]), date.fromisoformat(arguments["day"]), plan
    )
    return {
        "seconds": result["seconds"]["total"],
        "phases": result["seconds"],
        "failing_test_rows": result["failing_test_rows"],
        "tests": result["tests"],
    }


def train_recommender(arguments: dict) -> dict:
    """Fit the production recommender on every interaction in the warehouse, as the model asset does:
    its settings chosen on a validation split (``tuning.py``), then EASE refitted on everything."""
    import duckdb

    from vision_assets.recommendations.interactions import interactions_from_marts
    from vision_assets.recommendations.recommender import fit_recommender

    with duckdb.connect(arguments["warehouse"], read_only=True) as connection:
        sales = connection.execute("select * from marts.fct_sales").fetchdf()
        engagement = connection.execute("select * from marts.fct_engagement").fetchdf()
        reviews = connection.execute("select * from marts.fct_reviews").fetchdf()
    interactions = interactions_from_marts(sales, engagement, reviews)
    del sales, engagement, reviews
    started = time.perf_counter()
    model = fit_recommender(interactions)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "tuning_seconds": model.tuning.seconds,
        "interactions": len(interactions),
        "users": interactions["user"].nunique(),
        "items": len(model.model.items),
    }


def train_churn(arguments: dict) -> dict:
    """Train the churn model on the warehouse's memberships, engagement and billing, as ``churn_scores``
    does (its snapshots' features, the holdout's AUC and calibration, the refit on everything)."""
    import duckdb

    from vision_assets.recommendations import churn

    def table(name: str, columns: list[str]):
        return connection.execute(f"select {', '.join(columns)} from {name}").fetchdf()

    with duckdb.connect(arguments["warehouse"], read_only=True) as connection:
        memberships = table("marts.fct_membership", churn.MEMBERSHIP_COLUMNS)
        engagement = table("marts.fct_engagement", churn.ENGAGEMENT_COLUMNS)
        billing = table("marts.fct_billing", churn.BILLING_COLUMNS)
    started = time.perf_counter()
    model = churn.train_churn_model(memberships, engagement, billing)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "membership_days": len(memberships),
        "holdout_rows": model.holdout_rows,
        "holdout_auc": model.holdout_auc,
    }


def load_raw_days(arguments: dict) -> dict:
    """Load a range of landed days into the raw tables with DuckDB alone (to build a long history fast).

    The tables are created as the IO manager creates them, from the raw assets' declared column schema.
    """
    import duckdb

    from benchmarks.floor import load_days
    from vision_assets.landing.contracts import SOURCE_TABLES
    from vision_assets.raw.assets import RAW_SCHEMA, raw_column_schema

    first, last = date.fromisoformat(arguments["first"]), date.fromisoformat(arguments["last"])
    Path(arguments["warehouse"]).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with duckdb.connect(arguments["warehouse"]) as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")
        for table in SOURCE_TABLES:
            columns = ", ".join(
                f'"{column.name}" {column.type}' for column in raw_column_schema(table).columns
            )
            connection.execute(f"create table if not exists {RAW_SCHEMA}.{table.name} ({columns})")
            load_days(connection, Path(arguments["landing"]), table, first, last)
    return {"seconds": time.perf_counter() - started}


def compile_floor_plan(arguments: dict) -> dict:
    from benchmarks.floor import compile_floor_plan as compile_plan
    from vision_assets.transform.project import dbt_executable

    started = time.perf_counter()
    compile_plan(Path(arguments["work_dir"]), dbt_executable())
    return {"seconds": time.perf_counter() - started}


def simulate_days(arguments: dict) -> dict:
    from vision_assets.simulate import simulate

    started = time.perf_counter()
    simulate(
        Path(arguments["landing"]),
        Path(arguments["truth"]),
        start=date.fromisoformat(arguments["start"]),
        days=arguments["days"],
        scale=arguments["scale"],
        skip_complete_days=True,
    )
    return {"seconds": time.perf_counter() - started}


STEPS = {
    "load_code_location": load_code_location,
    "dagster_days": dagster_days,
    "floor_day": floor_day,
    "train_recommender": train_recommender,
    "train_churn": train_churn,
    "simulate_days": simulate_days,
    "compile_floor_plan": compile_floor_plan,
    "load_raw_days": load_raw_days,
}


def main() -> None:
    step, arguments = sys.argv[1], json.loads(sys.argv[2])
    result = STEPS[step](arguments)
    sys.stdout.flush()
    print(RESULT_MARKER + json.dumps({**result, **_peak_mb()}), flush=True)


if __name__ == "__main__":
    main()
