"""`vision migrate`: every table copied partition by partition, verified on both sides, resumable after a kill,
a no-op when run again, recorded in the Dagster instance; DuckDB to DuckDB, and DuckDB to Snowflake (fakesnow)."""

import os
import signal
import subprocess
import sys
import textwrap

import dagster as dg
import duckdb
import fakesnow
import pandas as pd
import pytest

from vision_assets.migrate import fingerprint, migrate_warehouse, open_warehouse
from vision_assets.migrate.cli import record_in_instance, table_plan
from vision_assets.migrate.warehouses import LEDGER_TABLE
from vision_assets_tests.raw_tests.test_snowflake_path import snowflake_env  # noqa: F401 (a fixture)

PARTITION_COLUMNS = {"raw.books_orders": "ordered_at", "marts.fct_sales": "sale_date"}
ORDER = ["raw.books_orders", "marts.fct_sales", "marts.dim_customer", "marts.order_totals"]
DAYS = 12


def build_source(path) -> None:
    """A small warehouse shaped like Vision's: a raw table by event time (with a row whose time is empty),
    a fact by date, a dimension copied whole, a view, and the types the real tables use (decimals of several
    precisions whose first values are small and later ones large, a blob like the recommender's model)."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema raw; create schema marts")
        connection.execute(
            f"""create table raw.books_orders as select
                'o' || i as order_id, 'c' || (i % 17) as customer_id, (i % 5) + 1 as quantity,
                (i * 1.37)::decimal(18, 2) as unit_price, i / 7.0 as score, i % 3 = 0 as gift,
                case when i = 5 then null else timestamp '2026-03-01' + to_minutes(i * 1440 * {DAYS} // 400) end
                    as ordered_at,
                case when i % 11 = 0 then null else 'note ' || i end as note,
                (i * 1000.37)::decimal(18, 2) as line_total, ((i % 500) / 100.0)::decimal(4, 2) as rating,
                encode('model bytes ' || i) as payload
            from range(400) t(i)"""
        )
        connection.execute(
            "create table marts.fct_sales as select cast(ordered_at as date) as sale_date, customer_id, "
            "sum(quantity * unit_price) as net_amount_usd from raw.books_orders group by all"
        )
        connection.execute(
            "create table marts.dim_customer as select distinct customer_id, 'Name ' || customer_id as name "
            "from raw.books_orders"
        )
        # More rows than pandas-to-DuckDB type sniffing samples (1,000), small amounts first: a loader that
        # guesses a decimal's precision from the first values would refuse the last ones.
        connection.execute(
            "create table marts.order_totals as select i as order_number, "
            "(case when i < 1000 then i / 100.0 else i * 1000.37 end)::decimal(18, 2) as total "
            "from range(1200) t(i)"
        )
        connection.execute("create view marts.v_customer_orders as select * from raw.books_orders")


def tables_of(path) -> dict[str, pd.DataFrame]:
    """Every table of a DuckDB file outside the migration's ledger, sorted so that two can be compared."""
    with duckdb.connect(str(path), read_only=True) as connection:
        names = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema != 'vision_migration' order by 1"
        ).fetchall()
        return {
            name: connection.execute(f"select * from {name} order by all").df().reset_index(drop=True)
            for (name,) in names
        }


def migrate(source, target):
    source_end = open_warehouse(f"duckdb:{source}", read_only=True)
    target_end = open_warehouse(target if target == "snowflake" else f"duckdb:{target}", read_only=False)
    try:
        return migrate_warehouse(source_end, target_end, PARTITION_COLUMNS, ORDER)
    finally:
        target_end.close()
        source_end.close()


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "vision.duckdb"
    build_source(path)
    return path


def test_every_table_is_copied_by_partition_verified_and_a_second_run_changes_nothing(source, tmp_path):
    target = tmp_path / "copy.duckdb"

    first = migrate(source, target)

    assert first.problems == []
    assert tables_of(target).keys() == tables_of(source).keys()
    for name, frame in tables_of(source).items():
        pd.testing.assert_frame_equal(tables_of(target)[name], frame, obj=name)
    by_table = {table.table: table for table in first.tables}
    assert [table.table for table in first.tables] == ORDER
    assert by_table["raw.books_orders"].partitions == DAYS + 1  # the days, and the row with no time
    assert by_table["marts.dim_customer"].partitions == 1
    assert first.views == ["marts.v_customer_orders"]
    assert len(first.copied) == sum(table.partitions for table in first.tables)

    with duckdb.connect(str(target), read_only=True) as connection:
        ledger_before = connection.execute(f"select * from {LEDGER_TABLE} order by all").fetchall()
    second = migrate(source, target)

    assert second.problems == [] and second.copied == []
    with duckdb.connect(str(target), read_only=True) as connection:
        assert connection.execute(f"select * from {LEDGER_TABLE} order by all").fetchall() == ledger_before
    assert "0 partitions copied" in second.summary()


def test_a_changed_day_at_the_source_is_the_only_partition_copied_again(source, tmp_path):
    target = tmp_path / "copy.duckdb"
    migrate(source, target)
    with duckdb.connect(str(source)) as connection:
        connection.execute("update raw.books_orders set quantity = quantity + 1 where order_id = 'o100'")
        (day,) = connection.execute(
            "select cast(ordered_at as date) from raw.books_orders where order_id = 'o100'"
        ).fetchone()

    again = migrate(source, target)

    assert [(copied.table, copied.partition) for copied in again.copied] == [
        ("raw.books_orders", day.isoformat())
    ]
    pd.testing.assert_frame_equal(
        tables_of(target)["raw.books_orders"], tables_of(source)["raw.books_orders"]
    )


def test_killed_at_any_point_a_rerun_finishes_without_copying_twice_or_leaving_a_partial_partition(
    source, tmp_path
):
    target = tmp_path / "copy.duckdb"
    script = textwrap.dedent(
        f"""
        from vision_assets_tests.migrate_tests.test_migrate import PARTITION_COLUMNS, ORDER
        from vision_assets.migrate import migrate_warehouse, open_warehouse
        source = open_warehouse("duckdb:{source}", read_only=True)
        target = open_warehouse("duckdb:{target}", read_only=False)
        def progress(table, partitions):
            return lambda: print(table, flush=True)
        migrate_warehouse(source, target, PARTITION_COLUMNS, ORDER, progress=progress)
        """
    )
    copying = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    for _ in range(7):  # seven partitions done, the eighth under way
        assert copying.stdout.readline()
    os.kill(copying.pid, signal.SIGKILL)
    copying.wait()

    with duckdb.connect(str(target), read_only=True) as connection:
        recorded = connection.execute(f"select partition_key, row_count from {LEDGER_TABLE}").fetchall()
        held = dict(
            connection.execute(
                "select coalesce(cast(cast(ordered_at as date) as varchar), 'null'), count(*) "
                "from raw.books_orders group by 1"
            ).fetchall()
        )
    # What the kill left is exactly what the ledger records: no partition half-written.
    assert 7 <= len(recorded) < DAYS + 1
    assert held == dict(recorded)

    rerun = migrate(source, target)

    assert rerun.problems == []
    assert len(rerun.copied) == sum(table.partitions for table in rerun.tables) - len(recorded)
    for name, frame in tables_of(source).items():
        pd.testing.assert_frame_equal(tables_of(target)[name], frame, obj=name)


def test_a_partition_the_target_cannot_hold_exactly_is_rolled_back_and_reported_by_table_and_partition(
    source, tmp_path
):
    target = tmp_path / "copy.duckdb"
    with duckdb.connect(str(target)) as connection:
        # Same columns, but a price without cents: every copied day would be silently rounded.
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.books_orders (order_id varchar, customer_id varchar, quantity bigint, "
            "unit_price decimal(18, 0), score double, gift boolean, ordered_at timestamp, note varchar, "
            "line_total decimal(18, 2), rating decimal(4, 2), payload blob)"
        )

    result = migrate(source, target)

    problems = [problem for problem in result.problems if problem.startswith("raw.books_orders")]
    assert problems and all("the partition was rolled back" in problem for problem in problems)
    assert any(
        problem.startswith("raw.books_orders partition 2026-03-01: the target holds") for problem in problems
    )
    assert "the migration FAILED" in result.summary()
    with duckdb.connect(str(target), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.books_orders").fetchone() == (0,)
        assert connection.execute(
            f"select count(*) from {LEDGER_TABLE} where table_name = 'raw.books_orders'"
        ).fetchone() == (0,)


def test_a_day_only_the_target_holds_is_reported(source, tmp_path):
    target = tmp_path / "copy.duckdb"
    migrate(source, target)
    with duckdb.connect(str(source)) as connection:
        connection.execute("delete from marts.fct_sales where sale_date = date '2026-03-02'")

    result = migrate(source, target)

    assert result.problems == [
        "marts.fct_sales partition 2026-03-02: the source has 0 rows, the target " + _count(target)
    ]


def _count(target) -> str:
    with duckdb.connect(str(target), read_only=True) as connection:
        (count,) = connection.execute(
            "select count(*) from marts.fct_sales where sale_date = date '2026-03-02'"
        ).fetchone()
    return str(count)


@pytest.mark.usefixtures("snowflake_env")
def test_duckdb_to_snowflake_copies_verifies_and_a_second_run_changes_nothing(source):
    with fakesnow.patch(create_database_on_connect=True):
        first = migrate(source, "snowflake")
        second = migrate(source, "snowflake")
        import snowflake.connector

        with snowflake.connector.connect(database="VISION_TEST") as connection:
            held = {
                name: connection.cursor().execute(f"select * from vision_test.{name}").fetch_pandas_all()
                for name in tables_of(source)
            }

    assert first.problems == [] and second.problems == []
    assert len(first.copied) == sum(table.partitions for table in first.tables) and second.copied == []
    assert first.target == "snowflake:vision_test/VISION_TEST"
    for name, frame in tables_of(source).items():
        assert list(held[name].columns) == [column.upper() for column in frame.columns], name
        assert fingerprint(held[name]) == fingerprint(frame), name


def test_copied_partitions_are_recorded_in_the_instance_in_dependency_order():
    @dg.asset(
        key=["raw", "books_orders"],
        partitions_def=dg.DailyPartitionsDefinition("2026-03-01"),
        metadata={"partition_expr": "ordered_at"},
    )
    def books_orders(): ...

    @dg.asset(key=["marts", "dim_customer"], deps=[books_orders])
    def dim_customer(): ...

    graph = dg.Definitions(assets=[books_orders, dim_customer]).resolve_asset_graph()
    partition_columns, order, assets = table_plan(graph)
    assert partition_columns == {"raw.books_orders": "ordered_at"}
    assert order == ["raw.books_orders", "marts.dim_customer"]

    from vision_assets.migrate.content import Fingerprint
    from vision_assets.migrate.copy import CopiedPartition, MigrationResult, TableResult

    result = MigrationResult("duckdb:/a", "snowflake:acct/VISION")
    result.tables = [
        TableResult(
            "raw.books_orders",
            copied=[
                CopiedPartition("raw.books_orders", day, Fingerprint(3, "0" * 16))
                for day in ("2026-03-01", "2026-03-02")
            ],
        ),
        TableResult(
            "marts.dim_customer", copied=[CopiedPartition("marts.dim_customer", "", Fingerprint(2, "f" * 16))]
        ),
        TableResult(
            "marts.not_an_asset", copied=[CopiedPartition("marts.not_an_asset", "", Fingerprint(1, "1" * 16))]
        ),
    ]
    with dg.instance_for_test() as instance:
        assert record_in_instance(instance, result, assets, graph) == 3
        materialized = instance.get_materialized_partitions(dg.AssetKey(["raw", "books_orders"]))
        (latest,) = instance.fetch_materializations(dg.AssetKey(["marts", "dim_customer"]), limit=1).records
        (orders,) = instance.fetch_materializations(dg.AssetKey(["raw", "books_orders"]), limit=1).records

    assert materialized == {"2026-03-01", "2026-03-02"}
    assert latest.asset_materialization.metadata["migrated_to"].value == "snowflake:acct/VISION"
    assert latest.asset_materialization.metadata["dagster/row_count"].value == 2
    assert orders.storage_id < latest.storage_id  # what an asset reads is recorded first


def test_the_vision_command_refuses_an_unknown_warehouse():
    with pytest.raises(ValueError, match="expected duckdb, duckdb:<path> or snowflake"):
        open_warehouse("postgres://somewhere", read_only=False)
    with pytest.raises(ValueError, match="migrating from snowflake is not supported"):
        open_warehouse("snowflake", read_only=True)


def test_after_the_record_vision_s_automation_builds_nothing_that_was_migrated():
    """Vision's own automation conditions (layer_policies) over a small graph: on a new instance they would
    build the seed that is missing; once the migration's record is in, nothing is requested."""
    from vision_assets.automation.policies import layer_policies
    from vision_assets.migrate.content import Fingerprint
    from vision_assets.migrate.copy import CopiedPartition, MigrationResult, TableResult

    daily = dg.DailyPartitionsDefinition("2026-03-01")

    @dg.asset(key=["raw", "books_orders"], partitions_def=daily, metadata={"partition_expr": "ordered_at"})
    def books_orders(): ...

    @dg.asset(key=["staging", "country_codes"])
    def country_codes(): ...

    @dg.asset(
        key=["marts", "fct_sales"],
        partitions_def=daily,
        deps=[books_orders],
        metadata={"partition_expr": "sale_date"},
    )
    def fct_sales(): ...

    @dg.asset(key=["marts", "dim_customer"], deps=[books_orders, country_codes])
    def dim_customer(): ...

    assets = [books_orders, country_codes, fct_sales, dim_customer]
    defs = dg.Definitions(assets=assets).map_asset_specs(func=layer_policies(assets))
    graph = defs.resolve_asset_graph()
    _, _, keys = table_plan(graph)
    days = ["2026-03-01", "2026-03-02", "2026-03-03"]
    result = MigrationResult("duckdb:/a", "duckdb:/b")
    for table, partitions in (
        ("raw.books_orders", days),
        ("staging.country_codes", [""]),
        ("marts.fct_sales", days),
        ("marts.dim_customer", [""]),
    ):
        copied = [CopiedPartition(table, partition, Fingerprint(1, "0" * 16)) for partition in partitions]
        result.tables.append(TableResult(table, partitions=len(partitions), copied=copied))
    now = pd.Timestamp("2026-03-04 06:00").to_pydatetime()

    def requested(instance) -> dict:
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance, evaluation_time=now)
        later = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=first.cursor, evaluation_time=now + pd.Timedelta(minutes=1)
        )
        return {
            result.key.to_user_string(): result.true_subset.size
            for evaluation in (first, later)
            for result in evaluation.results
            if result.true_subset.size
        }

    with dg.instance_for_test() as instance:
        assert requested(instance) == {"staging/country_codes": 1}
    with dg.instance_for_test() as instance:
        record_in_instance(instance, result, keys, graph)
        assert requested(instance) == {}


def test_vision_migrate_copies_with_the_asset_graphs_partitions_and_records_them(
    source, tmp_path, monkeypatch, capsys
):
    """The command as a user runs it: Vision's asset graph gives each table's partition column and the order,
    the summary is printed, the copied partitions are materialized in the instance, and a second run records
    nothing new."""
    from vision_assets.cli import main

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    target = tmp_path / "copy.duckdb"

    assert main(["migrate", "--from", f"duckdb:{source}", "--to", f"duckdb:{target}"]) == 0
    first = capsys.readouterr().out
    assert main(["migrate", "--from", f"duckdb:{source}", "--to", f"duckdb:{target}"]) == 0
    second = capsys.readouterr().out

    # Two tables by day (and their rows with no day), one whole; the rows with no day are no partition of an
    # asset, so they are copied but not recorded.
    assert f"duckdb:{source} -> duckdb:{target}: 4 tables, {2 * (DAYS + 1) + 2} partitions" in first
    assert "Every table and partition matches the source" in first
    assert f"Recorded {2 * DAYS + 1} partitions in the Dagster instance" in first
    assert "0 partitions copied and verified" in second and "Recorded" not in second
    with dg.DagsterInstance.get() as instance:
        days = instance.get_materialized_partitions(dg.AssetKey(["raw", "books_orders"]))
        whole = instance.get_latest_materialization_event(dg.AssetKey(["marts", "dim_customer"]))
    assert days == {f"2026-03-{day:02d}" for day in range(1, DAYS + 1)}
    assert whole.asset_materialization.metadata["migrated_from"].value == f"duckdb:{source}"
