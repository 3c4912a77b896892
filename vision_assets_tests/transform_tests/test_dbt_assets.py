"""The dbt models as partitioned Dagster assets: tests pass, days reconcile, re-runs and new days behave."""

import json
import re
import shutil
from datetime import date, timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest

from vision_assets.automation.policies import PARTITION_FRESHNESS_CHECK
from vision_assets.definitions import defs
from vision_assets.identity.evaluation import evaluate_identity_links
from vision_assets.resources import LandingZone
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.transform.assets import dbt_staging_models
from vision_assets.transform.project import vision_dbt_project, vision_dbt_resource
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.transform_tests.dbt_cli import run_dbt

pytestmark = pytest.mark.slow

FIRST_DAY = date(2026, 5, 1)
# This module tests the warehouse: the raw tables and the dbt models (not what is built on them).
WAREHOUSE = dg.AssetSelection.key_prefixes(["raw"], ["staging"], ["marts"], ["demand"])
DAILY_TABLES = ["marts.fct_sales", "marts.fct_engagement", "marts.fct_billing", "marts.fct_reviews",
                "marts.fct_membership", "demand.fct_daily_demand"]
DAY_COLUMN = {
    "marts.fct_sales": "sale_date",
    "marts.fct_engagement": "activity_date",
    "marts.fct_billing": "billing_date",
    "marts.fct_reviews": "review_date",
    "marts.fct_membership": "status_date",
    "demand.fct_daily_demand": "demand_date",
}

# What the raw exports say each business line earned each day, computed here straight from the raw tables
# and independently of dbt, with the conversion documented in vision_dbt/macros/money.sql: every amount is
# converted to USD on its own row and rounded to the cent (an order line's price and its discount
# separately), then summed. Refunds count negative.
RAW_NET_REVENUE_SQL = """
with

rates as (
    select * from staging.currency_rates
),

order_lines as (
    select 'books' as line, ordered_at, quantity, unit_price, discount_amount, currency from raw.books_orders
    union all
    select 'mart' as line, ordered_at, quantity, unit_price, discount_amount, currency from raw.mart_orders
),

billing as (
    select 'books' as line, event_type, amount, currency, occurred_at from raw.books_billing
    union all
    select 'flicks' as line, event_type, amount, currency, occurred_at from raw.flicks_billing
    union all
    select 'music' as line, event_type, amount, currency, occurred_at from raw.music_billing
    union all
    select 'mart' as line, event_type, amount, currency, occurred_at from raw.mart_billing
),

revenue_events as (
    select
        line,
        cast(ordered_at as date) as day,
        round(cast(quantity * cast(unit_price as decimal(18, 2)) as decimal(18, 2)) / rates.units_per_usd, 2)
        - round(cast(discount_amount as decimal(18, 2)) / rates.units_per_usd, 2) as net_usd
    from order_lines
    join rates using (currency)
    union all
    select
        line,
        cast(occurred_at as date) as day,
        case when event_type = 'refund' then -1 else 1 end
        * round(cast(amount as decimal(18, 2)) / rates.units_per_usd, 2) as net_usd
    from billing
    join rates using (currency)
    where event_type in ('payment', 'refund')
)

select line, day, sum(net_usd) as net_usd
from revenue_events
group by all
order by all
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Three landed days materialized through Dagster into a fresh DuckDB file, plus a fourth landed day."""
    root = tmp_path_factory.mktemp("dbt")
    # Named like the production file: DuckDB names its catalog after the file, and the manifest's relation
    # names (parsed for vision.duckdb) must match for dagster-dbt to derive column lineage.
    database = root / "vision.duckdb"
    # Seed 23 lands order refunds of Books and Mart within the first three days, so reconciliation is
    # tested with refunds and not only with sales.
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=4, scale=0.3, seed=23)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("VISION_DUCKDB_PATH", str(database))
    test_defs = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(root / "landing")),
            "dbt": vision_dbt_resource(),
        },
        executor=dg.in_process_executor,
    )
    instance = dg.DagsterInstance.ephemeral()
    third = FIRST_DAY + timedelta(days=2)
    result = materialize_days(test_defs, instance, FIRST_DAY, third, selection=WAREHOUSE)
    yield {"defs": test_defs, "instance": instance, "database": database, "root": root, "first": result}
    monkeypatch.undo()


def query(database, sql) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchdf()


def partitioned_assets(defs_: dg.Definitions) -> dg.AssetSelection:
    """What re-running one day means: every daily-partitioned table, raw and dbt, and the staging tables
    between them; without them the run has no edge from raw to the facts, and a fact could be
    built before its raw day is reloaded."""
    graph = defs_.resolve_asset_graph()
    nodes = [graph.get(key) for key in WAREHOUSE.resolve(graph)]
    daily = dg.AssetSelection.assets(*[node.key for node in nodes if node.partitions_def])
    return daily | dg.AssetSelection.key_prefixes(["staging"])


def snapshot(database) -> dict[str, pd.DataFrame]:
    return {table: query(database, f"select * from {table} order by all") for table in DAILY_TABLES}


def test_three_days_build_with_every_dbt_test_passing(warehouse):
    result = warehouse["first"]
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert len(checks) > 50
    failed = [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed]
    assert not failed
    checked = {(c.asset_key.to_user_string(), c.check_name) for c in checks}
    dbt_checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in warehouse["defs"].resolve_asset_graph().asset_check_keys
        # The partition freshness checks are evaluated by their sensor, not by the build.
        if key.asset_key.path[0] in ("staging", "marts", "demand") and key.name != PARTITION_FRESHNESS_CHECK
    }
    assert not dbt_checks - checked, f"planned dbt checks that never ran (an analyst sees no result): {dbt_checks - checked}"
    assert ("marts/fct_sales", "assert_fct_sales_net_revenue_matches_raw_sources") in checked
    assert ("demand/fct_daily_demand", "assert_fct_daily_demand_net_revenue_matches_raw_sources") in checked
    assert ("marts/bridge_customer_account", "every_account_has_one_customer") in checked
    sales = query(warehouse["database"], "select distinct sale_date from marts.fct_sales order by 1")
    assert [d.date() if hasattr(d, "date") else d for d in sales["sale_date"]] == [
        FIRST_DAY + timedelta(days=offset) for offset in range(3)
    ]


def test_a_run_builds_staging_then_resolves_identities_then_builds_dimensions_and_facts(warehouse):
    """dbt's start-up, artifacts and exit (about 3.5 s) are paid once per set, not per model: one
    invocation builds the seeds and staging models (identity resolution reads the customers), the other
    the dimensions built from the bridge and the day's facts."""
    project = vision_dbt_project()
    target = project.project_dir / project.target_path
    run = warehouse["first"].run_id[:7]
    built = {}
    for name in ("dbt_staging_models", "dbt_dimension_and_daily_models"):
        [invocation] = target.glob(f"{name}-{run}-*")
        results = json.loads((invocation / "run_results.json").read_text())["results"]
        built[name] = {result["unique_id"] for result in results}
    staged = {"model.vision.stg_music__engagement", "model.vision.stg_books__customers", "seed.vision.country_codes"}
    assert staged <= built["dbt_staging_models"]
    after_identity = {"model.vision.dim_customer", "model.vision.fct_sales", "model.vision.fct_daily_demand"}
    assert after_identity <= built["dbt_dimension_and_daily_models"]
    assert not any(".fct_customer_spend_monthly" in unique_id for names in built.values() for unique_id in names)
    assert not list(target.glob(f"dbt_*_models_*-{run}-*")), "Dagster split a set to break a cycle"


def test_dbt_builds_after_the_first_on_a_warehouse_skip_parsing(warehouse):
    """The run's first dbt build parses the whole project (the saved parse was made for another warehouse
    file) and leaves its state for the next: the roll-up build of the same run parses nothing, although
    the first build ran with the daily window in its environment."""
    project = vision_dbt_project()
    target = project.project_dir / project.target_path
    run = warehouse["first"].run_id[:7]
    for op in ("dbt_rollup_models",):
        invocations = list(target.glob(f"{op}-{run}-*"))
        assert invocations, op
        for invocation in invocations:
            # dbt rotates its log at 10 MB; the parse is logged near the start.
            log = "".join(path.read_text() for path in invocation.glob("dbt.log*"))
            assert "Nothing changed, skipping partial parsing" in log, op


def test_each_dbt_invocation_keeps_its_debug_log_as_text(warehouse):
    """dagster-dbt reads dbt's events as JSON on stdout; the invocation's dbt.log stays dbt's readable debug
    log (with the SQL it ran), not one JSON document per event."""
    project = vision_dbt_project()
    target = project.project_dir / project.target_path
    (invocation,) = target.glob(f"dbt_rollup_models-{warehouse['first'].run_id[:7]}-*")
    lines = (invocation / "dbt.log").read_text().splitlines()
    assert not any(line.startswith("{") for line in lines)
    assert any(re.match(r"^\d\d:\d\d:\d\d\.\d+ \[debug\] \[.+\]: On model\.vision\.", line) for line in lines)


def test_materializations_carry_row_counts_and_column_schema(warehouse):
    instance = warehouse["instance"]
    for key in (["marts", "dim_customer"], ["marts", "fct_sales"], ["demand", "fct_customer_spend_monthly"]):
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        metadata = event.asset_materialization.metadata
        table = ".".join(key)
        counted = query(warehouse["database"], f"select count(*) as n from {table}").n[0]
        assert metadata["dagster/row_count"].value == counted, key
        assert metadata["dagster/row_count"].value > 0, key
        warehouse_columns = query(
            warehouse["database"],
            f"select column_name, lower(data_type) as data_type from information_schema.columns "
            f"where table_schema = '{key[0]}' and table_name = '{key[1]}' order by ordinal_position",
        )
        columns = metadata["dagster/column_schema"].value.columns
        described = [(column.name, column.type) for column in columns]
        assert described == list(warehouse_columns.itertuples(index=False)), key
        assert all(column.description for column in columns), f"{table}: a column without its yml description"
    customers = instance.get_latest_materialization_event(dg.AssetKey(["marts", "dim_customer"]))
    nullable = {
        column.name: column.constraints.nullable
        for column in customers.asset_materialization.metadata["dagster/column_schema"].value.columns
    }
    # The columns its column_constraints check covers are shown as not nullable, and only those.
    assert nullable["customer_key"] is False
    assert nullable["primary_email"] is True
    sales = instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_sales"]))
    constraints = {
        column.name: column.constraints
        for column in sales.asset_materialization.metadata["dagster/column_schema"].value.columns
    }
    # ... its unique keys as unique, and the check expressions and references it covers as the columns'
    # other constraints.
    assert constraints["sale_key"].unique is True and constraints["customer_key"].unique is False
    assert constraints["business_line"].other == ["business_line in ('books', 'flicks', 'music', 'mart')"]
    assert constraints["quantity"].other == ["quantity >= 0"]
    assert constraints["customer_key"].other == ["references dim_customer.customer_key"]
    assert constraints["sale_key"].other == []


def test_a_broken_column_rule_fails_the_models_column_constraints_test(warehouse, tmp_path):
    """One column_constraints test checks every rule declared on a model's columns: it passes on the built
    table, and fails with one row per broken rule, naming the column and the rule, with the rows that
    break it, once nulls, values outside the accepted ones, a repeated key and a reference to nothing are
    put in."""
    copy = tmp_path / "vision.duckdb"  # the catalog name the compiled SQL uses
    shutil.copy(warehouse["database"], copy)
    target = tmp_path / "target"

    models = ("stg_books__customers", "stg_books__orders")

    def failures() -> tuple[dict[str, int], str]:
        """The failures of each model's column_constraints test, both tests in one dbt invocation."""
        result = run_dbt(
            ["test", "--select", *(f"{model},test_name:column_constraints" for model in models), "--store-failures"],
            target,
            {"VISION_DUCKDB_PATH": str(copy)},
        )
        outcomes = json.loads((target / "run_results.json").read_text())["results"]
        by_model = {
            model: outcome["failures"]
            for outcome in outcomes
            for model in models
            if outcome["unique_id"].startswith(f"test.vision.column_constraints_{model}_")
        }
        assert len(outcomes) == len(by_model) == len(models), result.stdout
        return by_model, result.stdout

    def failed_rules(model: str) -> list[tuple]:
        with duckdb.connect(str(copy), read_only=True) as connection:
            return connection.execute(
                f"select column_name, rule, failing_rows from dbt_test__audit.column_constraints_{model}_ "
                "order by 1, 2"
            ).fetchall()

    assert failures()[0] == {"stg_books__customers": 0, "stg_books__orders": 0}
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            "update staging.stg_books__customers set geography_key = null, signed_up_at = null "
            "where account_key = (select min(account_key) from staging.stg_books__customers)"
        )
        connection.execute(
            "update staging.stg_books__customers set business_line = 'music' "
            "where account_key in (select account_key from staging.stg_books__customers order by 1 desc limit 2)"
        )
        # Two copies of one order line (a repeated key), and one line of an account nobody landed.
        connection.execute(
            "insert into staging.stg_books__orders "
            "select * from staging.stg_books__orders order by order_line_key limit 1"
        )
        connection.execute(
            "update staging.stg_books__orders set account_key = 'books:nobody' "
            "where order_line_key = (select max(order_line_key) from staging.stg_books__orders)"
        )
    counts, output = failures()
    assert counts == {"stg_books__customers": 3, "stg_books__orders": 2}, output
    assert failed_rules("stg_books__customers") == [
        ("business_line", "business_line in ('books')", 2),
        ("geography_key", "not null", 1),
        ("signed_up_at", "not null", 1),
    ]
    assert failed_rules("stg_books__orders") == [
        ("account_key", "references stg_books__customers.account_key", 1),
        ("order_line_key", "unique", 1),
    ]


def test_a_days_build_checks_the_staged_events_of_its_days_and_their_keys_across_the_whole_table(
    warehouse, tmp_path
):
    """A day's build re-stages the events landed on its day, so the staging event tables' column_constraints
    test reads that day's rows only (a day's checks do not grow with the history), yet a key of that day
    staged again on another day is still caught. A plain `dbt test` (no window) reads every row."""
    copy = tmp_path / "vision.duckdb"  # the catalog name the compiled SQL uses
    shutil.copy(warehouse["database"], copy)
    target = tmp_path / "target"
    second, third = FIRST_DAY + timedelta(days=1), FIRST_DAY + timedelta(days=2)
    table = "staging.stg_books__engagement"
    with duckdb.connect(str(copy)) as connection:
        # A broken row on the first day, outside the third day's window.
        connection.execute(
            f"update {table} set business_line = 'music' "
            f"where engagement_key = (select min(engagement_key) from {table} where occurred_at < '{second}')"
        )
        # A broken row on the third day, and a second copy of another third-day event staged on the first day.
        connection.execute(
            f"update {table} set account_id = null "
            f"where engagement_key = (select min(engagement_key) from {table} where occurred_at >= '{third}')"
        )
        connection.execute(
            f"insert into {table} "
            f"select * replace (timestamp '{FIRST_DAY} 12:00:00' as occurred_at) from {table} "
            f"where engagement_key = (select max(engagement_key) from {table} where occurred_at >= '{third}')"
        )

    def failed_rules(window: dict[str, str]) -> list[tuple]:
        result = run_dbt(
            ["test", "--select", "stg_books__engagement,test_name:column_constraints", "--store-failures"],
            target,
            {"VISION_DUCKDB_PATH": str(copy), **window},
        )
        assert "ERROR=1" in result.stdout, result.stdout
        with duckdb.connect(str(copy), read_only=True) as connection:
            return connection.execute(
                "select column_name, rule, failing_rows "
                "from dbt_test__audit.column_constraints_stg_books__engagement_ order by 1, 2"
            ).fetchall()

    third_day = {
        "VISION_DAILY_WINDOW_START": third.isoformat(),
        "VISION_DAILY_WINDOW_END": (third + timedelta(days=1)).isoformat(),
    }
    assert failed_rules(third_day) == [("account_id", "not null", 1), ("engagement_key", "unique", 1)]
    assert failed_rules({}) == [
        ("account_id", "not null", 1),
        ("business_line", "business_line in ('books')", 1),
        ("engagement_key", "unique", 1),
    ]


def test_every_warehouse_column_of_marts_and_demand_is_documented(warehouse):
    """The yml beside each model describes exactly the columns the table has."""
    manifest = json.loads(vision_dbt_project().manifest_path.read_text())
    models = {
        (node["schema"], node["name"]): node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in ("marts", "demand")
    }
    tables = query(
        warehouse["database"],
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('marts', 'demand')",
    )
    graph = warehouse["defs"].resolve_asset_graph()
    python_tables = {
        tuple(key.path): graph.get(key).metadata["dagster/column_schema"]
        for key in graph.get_all_asset_keys()
        if key.path[0] in ("marts", "demand") and "dbt" not in graph.get(key).kinds
    }
    assert set(python_tables) == {("marts", "bridge_customer_account"), ("marts", "customer_key_map")}
    assert set(tables[["table_schema", "table_name"]].itertuples(index=False, name=None)) == set(models) | set(
        python_tables
    )
    for (schema, name), declared in python_tables.items():
        columns = set(tables[(tables.table_schema == schema) & (tables.table_name == name)].column_name)
        assert columns == {column.name for column in declared.columns}, name
        assert all(column.description for column in declared.columns), name
    # dbt reads the bridge as a source; its yml copy of the columns is the asset's own.
    [source] = [source for source in manifest["sources"].values() if source["name"] == "bridge_customer_account"]
    declared = python_tables[("marts", "bridge_customer_account")]
    assert {name: column["description"] for name, column in source["columns"].items()} == {
        column.name: column.description for column in declared.columns
    }
    for (schema, name), node in models.items():
        assert len(node["description"]) > 80, name
        columns = set(tables[(tables.table_schema == schema) & (tables.table_name == name)].column_name)
        assert columns == set(node["columns"]), name
        undocumented = [column for column, spec in node["columns"].items() if not spec["description"]]
        assert not undocumented, (name, undocumented)


def test_net_revenue_reconciles_to_the_raw_sources_to_the_cent(warehouse):
    database = warehouse["database"]
    raw = query(database, RAW_NET_REVENUE_SQL)
    marts = query(
        database,
        "select business_line as line, sale_date as day, sum(net_amount_usd) as net_usd "
        "from marts.fct_sales group by all order by all",
    )
    demand = query(
        database,
        "select business_line as line, demand_date as day, sum(net_revenue_usd) as net_usd "
        "from demand.fct_daily_demand group by all order by all",
    )
    monthly = query(
        database,
        "select business_line as line, sum(net_spend_usd) as net_usd "
        "from demand.fct_customer_spend_monthly group by all order by all",
    )
    assert len(raw) == 12
    refunds = query(database, "select distinct business_line from marts.fct_sales where sale_type = 'refund'")
    assert {"books", "mart"} <= set(refunds["business_line"])
    for frame in (marts, demand):
        merged = raw.merge(frame, on=["line", "day"], suffixes=("_raw", "_model"), how="outer")
        assert ((merged["net_usd_raw"] - merged["net_usd_model"]).abs() < 0.005).all(), merged
    raw_per_line = raw.groupby("line", as_index=False)["net_usd"].sum()
    per_line = raw_per_line.merge(monthly, on="line", suffixes=("_raw", "_model"))
    assert len(per_line) == 4
    assert ((per_line["net_usd_raw"] - per_line["net_usd_model"]).abs() < 0.005).all(), per_line


def test_the_reconciliation_tests_fail_on_a_missing_days_revenue_and_pass_a_line_that_earned_nothing(
    warehouse, tmp_path
):
    """dbt's reconciliation tests count a line and day absent on one side as zero: a line with no sale
    and no payment that day (demand keeps its row for the engagement, with zero revenue) reconciles, and
    a day of sales missing from the model does not."""
    copy = tmp_path / "vision.duckdb"  # the catalog name the compiled SQL uses
    shutil.copy(warehouse["database"], copy)
    target = tmp_path / "target"

    def failures(*tests: str) -> dict[str, int]:
        """The failures of each given dbt test, all in one dbt invocation."""
        result = run_dbt(["test", "--select", *tests], target, {"VISION_DUCKDB_PATH": str(copy)})
        outcomes = json.loads((target / "run_results.json").read_text())["results"]
        counted = {outcome["unique_id"].removeprefix("test.vision."): outcome["failures"] for outcome in outcomes}
        assert set(counted) == set(tests), result.stdout
        return counted

    demand_test, sales_test = (
        "assert_fct_daily_demand_net_revenue_matches_raw_sources",
        "assert_fct_sales_net_revenue_matches_raw_sources",
    )
    assert failures(demand_test) == {demand_test: 0}
    with duckdb.connect(str(copy)) as connection:
        # A quiet line and day: one demand row with no revenue, on a day no raw export has.
        connection.execute(
            "insert into demand.fct_daily_demand "
            "select * replace (date '2026-04-30' as demand_date, 0 as net_revenue_usd) "
            "from demand.fct_daily_demand limit 1"
        )
        connection.execute(
            "delete from marts.fct_sales where business_line = 'mart' "
            f"and sale_date = '{FIRST_DAY + timedelta(days=1)}'"
        )
    assert failures(demand_test, sales_test) == {demand_test: 0, sales_test: 1}


def test_rerunning_the_middle_day_changes_nothing_and_a_new_day_touches_only_itself(warehouse):
    database, defs_, instance = warehouse["database"], warehouse["defs"], warehouse["instance"]
    before = snapshot(database)

    middle = FIRST_DAY + timedelta(days=1)
    assert materialize_days(defs_, instance, middle, middle, selection=partitioned_assets(defs_)).success
    after_rerun = snapshot(database)
    for table in DAILY_TABLES:
        pd.testing.assert_frame_equal(after_rerun[table], before[table], obj=table)

    fourth = FIRST_DAY + timedelta(days=3)
    assert materialize_days(defs_, instance, fourth, fourth, selection=WAREHOUSE).success
    after_new_day = snapshot(database)
    for table in DAILY_TABLES:
        day_column = DAY_COLUMN[table]
        new_rows = pd.to_datetime(after_new_day[table][day_column]).dt.date == fourth
        assert new_rows.any(), f"{table} has no rows for the new day"
        kept = after_new_day[table][~new_rows].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, before[table], obj=table)


def test_identity_resolution_links_accounts_without_merging_different_people(warehouse):
    """On the harder simulator's ~900 people the bridge keeps its promises: every account once, links
    almost all right, and dim_customer holds exactly its customers. (The issue's targets are judged at
    scale 30 by the benchmark and at scale 1 in identity_tests; a few hundred customers make the share of
    false merges coarse, so it is bounded loosely here.)"""
    bridge = query(
        warehouse["database"],
        "select business_line, account_id, customer_key from marts.bridge_customer_account",
    )
    truth = pd.read_csv(warehouse["root"] / "truth" / "identity.csv")
    scores = evaluate_identity_links(bridge, truth)
    print(scores)
    assert scores["accounts"] == len(bridge)
    assert scores["true_links"] > 100
    assert scores["false_merge_share"] <= 0.005
    assert scores["precision"] >= 0.995
    assert scores["recall"] >= 0.98
    customers = query(warehouse["database"], "select count(*) as customers from marts.dim_customer")
    assert customers["customers"][0] == bridge["customer_key"].nunique()


def test_full_refresh_in_the_run_config_rebuilds_the_incremental_staging_tables_whole(warehouse):
    """`full_refresh: true` in the launchpad's config of dbt_staging_models runs `dbt build --full-refresh`
    (what a change to a staging model's SQL needs); without it the event tables build incrementally. The
    tables come out the same either way. The daily facts are another set, with no such option."""
    before = query(warehouse["database"], "select * from staging.stg_music__engagement order by all")
    job = dg.define_asset_job("staging", selection=dg.AssetSelection.assets(dbt_staging_models))
    merged = dg.Definitions.merge(warehouse["defs"], dg.Definitions(jobs=[job]))
    resolved = merged.resolve_job_def("staging")
    result = resolved.execute_in_process(
        instance=warehouse["instance"],
        run_config={"ops": {"dbt_staging_models": {"config": {"full_refresh": True}}}},
    )
    assert result.success
    project = vision_dbt_project()
    invocations = project.project_dir / project.target_path
    [invocation] = invocations.glob(f"dbt_staging_models-{result.run_id[:7]}-*")
    run_results = json.loads((invocation / "run_results.json").read_text())
    assert run_results["args"]["full_refresh"] is True
    plain = warehouse["first"].run_id[:7]
    [earlier] = invocations.glob(f"dbt_staging_models-{plain}-*")
    assert json.loads((earlier / "run_results.json").read_text())["args"].get("full_refresh") is not True
    after = query(warehouse["database"], "select * from staging.stg_music__engagement order by all")
    pd.testing.assert_frame_equal(before, after)


