"""The floor: one day from landing files to the demand facts in plain DuckDB, with no orchestration.

The same work as Dagster's path for one day, done as directly as DuckDB allows: the day's CSV files of
every source table are read by DuckDB itself into ``raw.*`` (the day's window replaced, as the IO manager
does), then the dbt project's own SQL runs in one connection: seeds; the staging tables (the event tables
re-staged for the keys the day's load changed, the others rebuilt whole); identity resolution, called as a
plain function on the staged customers, the bridge and key map replaced; the dimensions rebuilt whole; the
daily facts and ``fct_daily_demand`` for the day's window (delete the window, insert it); and the same data
tests ``dbt build`` runs. No Dagster run, no dbt process; pandas only where identity resolution needs it.

Identity resolution reuses its trained model as the platform does (``vision_assets/identity/retraining.py``):
the floor keeps it in a file beside its warehouse and trains it before its first timed run, as the Dagster
path's backfill trained the model its measured days reuse, so a measured day does the same work on both.

The SQL is the dbt project's, compiled once (``compile_floor_plan``, before any timing) with placeholders for
the window, so the floor can never drift from the models it is compared with. What the floor leaves out is
what the platform adds on top of the data work: the landing contract checks (done in pandas), Dagster's
run and event bookkeeping, dbt's start-up, and the metadata read after each model.
"""

import argparse
import json
import os
import subprocess
import time
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import duckdb

# The identity asset's own functions (its module imports Dagster, before any timing; nothing runs it).
from vision_assets.identity.assets import (
    STAGED_COLUMNS,
    STAGED_CUSTOMER_KEYS,
    bridge_table,
    customer_key_map,
)
from vision_assets.identity.resolution import resolve_identities
from vision_assets.landing.contracts import SOURCE_TABLES, SourceTable
from vision_assets.landing.layout import landing_day_dir
from vision_assets.paths import DBT_PROJECT_DIR

MIN_DATE_PLACEHOLDER = "1111-01-01"
MAX_DATE_PLACEHOLDER = "1111-01-02"
_DAILY_TAG = "daily"
_ROLLUP_TAG = "rollup"
# The plan's place for identity resolution, between the models before the bridge and those built from it.
IDENTITY_STEP = "identity_resolution"
_CASTS = {
    "string": "nullif(trim({column}), '')",
    "integer": "cast(trim({column}) as bigint)",
    "decimal": "cast(trim({column}) as double)",
    "timestamp": "cast(cast(trim({column}) as timestamptz) as timestamp)",
}


def compile_floor_plan(work_dir: Path, dbt_executable: str) -> Path:
    """Compile the dbt project once, with placeholder window dates, into a plan of SQL statements.

    dbt writes into ``work_dir`` (its own target and log folders) so the project's manifest, which the code
    location reads, is never touched. Returns the plan's path (JSON: the statements in run order).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "VISION_DUCKDB_PATH": str(work_dir / "vision.duckdb")}
    # A day runs on a warehouse already built, so the staging event tables take their incremental branch
    # (they re-stage only the keys the day's load changed); `dbt compile` renders it when asked.
    dbt_vars = json.dumps(
        {
            "min_date": MIN_DATE_PLACEHOLDER,
            "max_date": MAX_DATE_PLACEHOLDER,
            "compile_incremental_staging": True,
        }
    )
    subprocess.run(
        [
            dbt_executable,
            "compile",
            "--quiet",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target",
            "duckdb",
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
            "--vars",
            dbt_vars,
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    plan_path = work_dir / "floor_plan.json"
    plan_path.write_text(json.dumps(floor_plan(manifest), indent=1))
    return plan_path


def floor_plan(manifest: dict) -> dict[str, list[dict]]:
    """The statements one day's ``dbt build`` of the dimension and daily sets runs, in dependency order.

    The rollups (tag ``rollup``) are not part of a day's path and are left out, with every test that reads
    them; a test runs once every model it reads is built, as with dbt's ``indirect_selection: buildable``.
    Models built from identity resolution's bridge (the dbt source ``identity``) come after the others, as
    the platform's second dbt command does, so the floor resolves identities between the two.
    """
    nodes = manifest["nodes"]
    selected = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] in ("model", "seed") and _ROLLUP_TAG not in node.get("tags", [])
    }
    after_identity = _built_from_identity(nodes, selected)
    ordered = _dependency_order(nodes, selected)
    models = [_model_statement(nodes[unique_id]) for unique_id in ordered if unique_id not in after_identity]
    models.append({"name": IDENTITY_STEP, "sql": []})
    models += [_model_statement(nodes[unique_id]) for unique_id in ordered if unique_id in after_identity]
    tests = [
        {"name": node["name"], "sql": node["compiled_code"]}
        for node in nodes.values()
        if node["resource_type"] == "test"
        and all(parent in selected or parent.startswith("source.") for parent in node["depends_on"]["nodes"])
    ]
    return {"models": models, "tests": tests}


def _built_from_identity(nodes: dict, selected: set[str]) -> set[str]:
    """The selected nodes that read the identity bridge, directly or through another model."""

    def reads_bridge(unique_id: str) -> bool:
        parents = nodes[unique_id]["depends_on"].get("nodes", [])
        return any(
            (parent.startswith("source.") and ".identity." in parent)
            or (parent in selected and reads_bridge(parent))
            for parent in parents
        )

    return {unique_id for unique_id in selected if reads_bridge(unique_id)}


def _staged_accounts(connection: duckdb.DuckDBPyConnection):
    columns = ", ".join(STAGED_COLUMNS)
    return connection.execute(
        " union all ".join(
            f"select {columns} from {'.'.join(key.path)}" for key in STAGED_CUSTOMER_KEYS.values()
        )
    ).df()


def identity_model_file(warehouse: Path) -> Path:
    """Where the floor keeps the linkage model it reuses, beside its copy of the warehouse."""
    return warehouse.with_name(f"{warehouse.stem}.identity_model.json")


def train_identity_model(warehouse: Path) -> None:
    """Train the linkage model on the warehouse's staged accounts, once and before any timing, as the
    Dagster path's backfill trained the model its measured days reuse."""
    model_file = identity_model_file(warehouse)
    if model_file.exists():
        return
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        resolution = resolve_identities(_staged_accounts(connection))
    model_file.write_text(json.dumps(resolution.model, default=str))


def resolve_identities_in(connection: duckdb.DuckDBPyConnection, model_file: Path) -> None:
    """Identity resolution on the staged customers with the model in ``model_file``, the bridge and the key
    map replaced (the day's path reaches no clerical review): the asset's work, called as plain functions."""
    staged = _staged_accounts(connection)
    resolution = resolve_identities(staged, trained_model=json.loads(model_file.read_text()))
    bridge = bridge_table(staged, resolution)
    for table, frame in (
        ("marts.bridge_customer_account", bridge),
        ("marts.customer_key_map", customer_key_map(bridge)),
    ):
        connection.register("resolved", frame)
        connection.execute(f"create or replace table {table} as select * from resolved")
        connection.unregister("resolved")


def _dependency_order(nodes: dict, selected: set[str]) -> list[str]:
    ordered: list[str] = []
    done: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in done:
            return
        done.add(unique_id)
        for parent in nodes[unique_id]["depends_on"].get("nodes", []):
            if parent in selected:
                visit(parent)
        ordered.append(unique_id)

    for unique_id in sorted(selected):
        visit(unique_id)
    return ordered


def _model_statement(node: dict) -> dict:
    relation = node["relation_name"]
    if node["resource_type"] == "seed":
        types = node["config"].get("column_types") or {}
        seed_path = DBT_PROJECT_DIR / node["original_file_path"]
        column_types = ", ".join(f"'{name}': '{type_}'" for name, type_ in types.items())
        read = f"read_csv('{seed_path}', header = true, types = {{{column_types}}})"
        return {"name": node["name"], "sql": [f"create or replace table {relation} as select * from {read}"]}
    materialized = node["config"]["materialized"]
    code = node["compiled_code"]
    if materialized == "view":
        return {"name": node["name"], "sql": [f"create or replace view {relation} as {code}"]}
    if materialized == "incremental" and node["config"].get("incremental_strategy") == "restage_keys":
        # The staging event tables: what the `restage_keys` strategy (macros/staging.sql) runs.
        key, restaged = node["config"]["unique_key"], f"{node['name']}__restaged"
        return {
            "name": node["name"],
            "sql": [
                f"create or replace temp table {restaged} as {code}",
                (
                    f"delete from {relation} where {key} in (select {key} from {restaged}) and {key} "
                    f"between (select min({key}) from {restaged}) and (select max({key}) from {restaged})"
                ),
                f"insert into {relation} by name select * from {restaged} where loaded_at is not null",
            ],
        }
    if materialized == "incremental":
        day_column = node["config"]["meta"]["partition_expr"]
        delete = (
            f"delete from {relation} where {day_column} >= cast('{MIN_DATE_PLACEHOLDER}' as date) "
            f"and {day_column} < cast('{MAX_DATE_PLACEHOLDER}' as date)"
        )
        return {"name": node["name"], "sql": [delete, f"insert into {relation} by name {code}"]}
    return {"name": node["name"], "sql": [f"create or replace table {relation} as {code}"]}


def _for_day(sql: str, day: date) -> str:
    return sql.replace(MIN_DATE_PLACEHOLDER, day.isoformat()).replace(
        MAX_DATE_PLACEHOLDER, (day + timedelta(days=1)).isoformat()
    )


def load_days(
    connection: duckdb.DuckDBPyConnection, landing_root: Path, table: SourceTable, first: date, last: date
) -> None:
    """Replace days ``[first, last]`` of ``raw.<table>`` with their landed files, typed by the contract."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    files = sorted(
        str(path) for day in days for path in landing_day_dir(landing_root, table, day).glob("*.csv")
    )
    connection.execute(
        f"delete from raw.{table.name} where {table.event_time} >= '{first}' "
        f"and {table.event_time} < '{last + timedelta(days=1)}'"
    )
    if not files:
        return
    columns = ", ".join(_CASTS[column.type].format(column=column.name) for column in table.columns)
    prefix = f"{Path(landing_root).resolve()}/"
    connection.execute(
        f"insert into raw.{table.name} "
        f"select distinct {columns}, replace(filename, '{prefix}', '') as _source_file, "
        f"cast(current_timestamp as timestamp) as _loaded_at "
        f"from read_csv({files!r}, header = true, all_varchar = true, filename = true)"
    )


def run_floor(
    warehouse: Path, landing_root: Path, day: date, plan: dict, tables: Iterable[SourceTable] = SOURCE_TABLES
):
    """One day through the floor; returns each phase's seconds and the number of failing test rows."""
    train_identity_model(warehouse)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        timings["connect"] = time.perf_counter() - started
        phase = time.perf_counter()
        for table in tables:
            load_days(connection, landing_root, table, day, day)
        timings["load"] = time.perf_counter() - phase
        phase = time.perf_counter()
        for model in plan["models"]:
            if model["name"] == IDENTITY_STEP:
                identity_started = time.perf_counter()
                resolve_identities_in(connection, identity_model_file(warehouse))
                timings["identity"] = time.perf_counter() - identity_started
            for statement in model["sql"]:
                connection.execute(_for_day(statement, day))
        timings["models"] = time.perf_counter() - phase - timings.get("identity", 0.0)
        phase = time.perf_counter()
        failing_rows = 0
        for test in plan["tests"]:
            failing_rows += connection.execute(
                f"select count(*) from ({_for_day(test['sql'], day)})"
            ).fetchone()[0]
        timings["tests"] = time.perf_counter() - phase
    timings["total"] = time.perf_counter() - started
    return {"seconds": timings, "failing_test_rows": failing_rows, "tests": len(plan["tests"])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB file holding the history")
    parser.add_argument("--landing", type=Path, required=True, help="landing root")
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--plan", type=Path, required=True, help="floor_plan.json from compile_floor_plan")
    args = parser.parse_args(argv)
    result = run_floor(args.warehouse, args.landing, args.day, json.loads(args.plan.read_text()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
