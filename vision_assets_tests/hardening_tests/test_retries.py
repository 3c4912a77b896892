"""Transient warehouse errors are retried with backoff and leave no doubled rows; other errors fail at once."""

import dagster as dg
import duckdb
import fakesnow
import pytest
import snowflake.connector.errors

from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.raw.assets import build_raw_line_asset
from vision_assets.resources import LandingZone
from vision_assets.warehouse import (
    WAREHOUSE_RETRY_POLICY,
    VisionDuckDBPandasIOManager,
    final_unless_transient,
    is_transient,
    snowflake_io_manager,
    warehouse_pool,
)
from vision_assets.warehouse.duckdb import DeclaredSchemaDuckDBPandasTypeHandler
from vision_assets.warehouse.snowflake import AtomicSnowflakePandasTypeHandler
from vision_assets_tests.hardening_tests.conftest import DAY
from vision_assets_tests.raw_tests.test_raw_assets import landed_rows, warehouse_rows
from vision_assets_tests.raw_tests.test_snowflake_path import snowflake_env  # noqa: F401 (a fixture)

ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]
LOCKED = duckdb.IOException('IO Error: Could not set lock on file "vision.duckdb": Conflicting lock is held')
DROPPED = snowflake.connector.errors.OperationalError(msg="Connection reset by peer", errno=250003)


def fail_first_writes(monkeypatch, handler_class, error: Exception, times: int = 1, after_insert=True) -> list[int]:
    """Make the handler raise ``error`` on its first ``times`` calls, after or before it inserts the rows.

    Either way the partition's delete has already run in the same connection.
    """
    calls = []
    original = handler_class.handle_output

    def handle_output(self, context, table_slice, obj, connection):
        calls.append(1)
        if len(calls) <= times and not after_insert:
            raise error
        metadata = original(self, context, table_slice, obj, connection)
        if len(calls) <= times:
            raise error
        return metadata

    monkeypatch.setattr(handler_class, "handle_output", handle_output)
    return calls


def materialize(resources, instance=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_raw_line_asset(ORDERS.line, [ORDERS])],
        partition_key=DAY.isoformat(),
        resources=resources,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def retries(result: dg.ExecuteInProcessResult) -> int:
    return sum(event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY for event in result.all_events)


def test_the_raw_assets_retry_with_exponential_backoff():
    policy = build_raw_line_asset(ORDERS.line, [ORDERS]).op.retry_policy
    assert policy == WAREHOUSE_RETRY_POLICY
    assert policy.max_retries >= 2 and policy.backoff == dg.Backoff.EXPONENTIAL


def test_a_locked_duckdb_file_is_retried_and_the_day_is_written_once(simulated_landing, tmp_path, monkeypatch):
    database = tmp_path / "vision.duckdb"
    calls = fail_first_writes(monkeypatch, DeclaredSchemaDuckDBPandasTypeHandler, LOCKED)
    result = materialize(
        {"io_manager": VisionDuckDBPandasIOManager(database=str(database)),
         "landing_zone": LandingZone(root=str(simulated_landing))}
    )
    assert result.success
    assert retries(result) == 1 and len(calls) == 2
    assert warehouse_rows(database, ORDERS.name, ORDERS.event_time, DAY) == landed_rows(simulated_landing, ORDERS, DAY)


def test_a_non_transient_error_fails_at_once_with_its_cause(simulated_landing, tmp_path, monkeypatch):
    database = tmp_path / "vision.duckdb"
    resources = {"io_manager": VisionDuckDBPandasIOManager(database=str(database)),
                 "landing_zone": LandingZone(root=str(simulated_landing))}
    assert materialize(resources).success
    calls = fail_first_writes(monkeypatch, DeclaredSchemaDuckDBPandasTypeHandler,
                              duckdb.ConversionException("Could not convert string 'x' to INT64"), times=10,
                              after_insert=False)
    result = materialize(resources)
    assert not result.success
    assert retries(result) == 0 and len(calls) == 1
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert "writing raw/books_orders failed with ConversionException: Could not convert string 'x'" in message
    # The failed re-run's delete was rolled back: the day is as the first run left it, not emptied.
    assert warehouse_rows(database, ORDERS.name, ORDERS.event_time, DAY) == landed_rows(simulated_landing, ORDERS, DAY)


def test_a_dropped_snowflake_connection_is_retried(simulated_landing, snowflake_env, monkeypatch):
    calls = fail_first_writes(monkeypatch, AtomicSnowflakePandasTypeHandler, DROPPED)
    resources = {"io_manager": snowflake_io_manager(), "landing_zone": LandingZone(root=str(simulated_landing))}
    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        import snowflake.connector

        result = materialize(resources)
        rows = snowflake.connector.connect(database="VISION_TEST").cursor().execute(
            "select count(*) from vision_test.raw.books_orders"
        ).fetchone()[0]
    assert result.success
    assert retries(result) == 1 and len(calls) == 2
    assert rows == landed_rows(simulated_landing, ORDERS, DAY)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (LOCKED, True),
        (DROPPED, True),
        (ConnectionResetError("reset"), True),
        (RuntimeError("wrapped").with_traceback(None), False),
        (duckdb.IOException("No space left on device"), False),
        (snowflake.connector.errors.ProgrammingError(msg="SQL compilation error"), False),
        (ValueError("bad frame"), False),
    ],
)
def test_which_errors_are_transient(error, transient):
    assert is_transient(error) is transient


def test_a_transient_cause_makes_its_wrapper_transient():
    try:
        try:
            raise LOCKED
        except duckdb.IOException as cause:
            raise RuntimeError("write failed") from cause
    except RuntimeError as wrapped:
        assert is_transient(wrapped)


@pytest.mark.slow
def test_a_dbt_build_that_meets_a_held_warehouse_file_is_retried_and_succeeds(tmp_path, monkeypatch):
    """A real dbt process meets the DuckDB file held by another writer, fails, and the retry builds.

    The holder lets go when the first failure is classified, so the first attempt surely met the lock
    and the second surely did not; what fails and what is retried is dbt's and Dagster's own doing.
    """
    from vision_assets.transform import assets as transform_assets
    from vision_assets.transform.project import vision_dbt_resource

    database = tmp_path / "vision.duckdb"
    monkeypatch.setenv("VISION_DUCKDB_PATH", str(database))
    holder = duckdb.connect(str(database))
    failures = []
    classify = transform_assets.retryable_only_if_transient

    def let_go_after_the_first_failure(failure):
        failures.append(str(failure))
        holder.close()
        return classify(failure)

    monkeypatch.setattr(transform_assets, "retryable_only_if_transient", let_go_after_the_first_failure)
    seed = dg.AssetKey(["staging", "currency_rates"])
    result = dg.materialize(
        [transform_assets.dbt_staging_models],
        selection=[seed],
        resources={"dbt": vision_dbt_resource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert len(failures) == 1 and "could not set lock" in failures[0].lower(), failures
    assert result.success and retries(result) == 1
    assert [event.asset_key for event in result.get_asset_materialization_events()] == [seed]
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("select count(*) from staging.currency_rates").fetchone()[0] > 0


def _computed_once(error: Exception | None = None, times: int = 1, yields: bool = False):
    """A warehouse-reading asset as the recommendation and dashboard assets are built, whose computation
    raises ``error`` its first ``times`` calls; ``yields`` makes it a generator (as user_recommendations)."""
    calls = []

    def compute() -> int:
        calls.append(1)
        if error is not None and len(calls) <= times:
            raise error
        return len(calls)

    if yields:

        @dg.asset(retry_policy=WAREHOUSE_RETRY_POLICY)
        @final_unless_transient
        def scores(context: dg.AssetExecutionContext):
            yield dg.Output(compute())

    else:

        @dg.asset(retry_policy=WAREHOUSE_RETRY_POLICY)
        @final_unless_transient
        def scores(context: dg.AssetExecutionContext) -> int:
            return compute()

    return scores, calls


@pytest.mark.parametrize("yields", [False, True], ids=["returns", "yields"])
def test_a_downstream_asset_that_meets_a_locked_warehouse_is_retried(yields):
    scores, calls = _computed_once(LOCKED, yields=yields)
    result = dg.materialize([scores], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success and retries(result) == 1 and len(calls) == 2


@pytest.mark.parametrize("yields", [False, True], ids=["returns", "yields"])
def test_a_downstream_assets_own_mistake_fails_once_with_its_cause(yields):
    scores, calls = _computed_once(KeyError("customer_key"), times=10, yields=yields)
    result = dg.materialize([scores], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success and retries(result) == 0 and len(calls) == 1
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert "computing scores failed with KeyError: 'customer_key'" in message


def test_every_asset_that_reads_the_warehouse_downstream_of_dbt_retries_only_transient_errors():
    graph = defs.resolve_asset_graph()
    checked = set()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] not in ("recommendations", "analytics", "dashboards") or not node.is_executable:
            continue
        op = node.assets_def.op
        if op.pool != warehouse_pool():
            continue
        assert op.retry_policy == WAREHOUSE_RETRY_POLICY, key
        wrapped = hasattr(op.compute_fn.decorated_fn, "__wrapped__")
        assert wrapped, f"{key}: its computation is not wrapped in final_unless_transient"
        checked.add(key.path[0])
    assert checked == {"recommendations", "analytics", "dashboards"}
