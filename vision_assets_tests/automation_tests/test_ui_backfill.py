"""Backfills launched as the UI launches them, run by the backfill daemon's own loop.

The ``warehouse_days`` job's "Launch backfill" over a range of days adds a job backfill to the instance, and
the daemon launches its run: one backfill, one run, from the raw tables through the daily facts, demand and
the dashboards. An asset backfill of the same assets (selected in the lineage graph) would not reach the
daily facts: Dagster plans it from its partitioned roots through partitioned assets only
(`AssetBackfillData.from_asset_partitions`), and the daily facts sit behind staging tables rebuilt whole.
A test here pins that, so it fails when a Dagster release plans them in.

In `make test` the daemon's loop plans the backfill (its one run is recorded, not executed); `make test-long`
executes it and follows every day to the dashboards (about three minutes on 2 cores).
"""

import contextlib
import logging
import sys
from datetime import date, timedelta

import dagster as dg
import duckdb
import pytest
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster._core.test_utils import create_test_daemon_workspace_context, instance_for_test
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.utils import make_new_backfill_id
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._time import get_current_timestamp

from vision_assets.automation.backfills import WAREHOUSE_DAYS_JOB
from vision_assets.paths import REPO_ROOT
from vision_assets.simulate import simulate

pytestmark = pytest.mark.slow

FIRST_DAY = date(2026, 9, 1)
DAYS = 2
DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])
DIMENSION = dg.AssetKey(["marts", "dim_customer"])
DASHBOARD = dg.AssetKey(["dashboards", "sales_by_business_line"])
MAX_ITERATIONS = 30


def _backfill(instance, asset_graph, selection, days) -> PartitionBackfill:
    """The backfill the UI adds for `selection` over `days`."""
    return PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(),
        asset_graph=asset_graph,
        partition_names=days,
        asset_selection=selection,
        backfill_timestamp=get_current_timestamp(),
        tags={},
        dynamic_partitions_store=instance,
        all_partitions=False,
        title=None,
        description=None,
        run_config=None,
    )


def _job_backfill(workspace, days) -> PartitionBackfill:
    """The backfill the UI adds from the warehouse_days job's partitions page ("Launch backfill")."""
    (location,) = workspace.create_request_context().code_locations
    (repository,) = location.get_repositories().values()
    partition_set = repository.get_partition_set(f"{WAREHOUSE_DAYS_JOB}_partition_set")
    return PartitionBackfill(
        backfill_id=make_new_backfill_id(),
        partition_set_origin=partition_set.get_remote_origin(),
        status=BulkActionStatus.REQUESTED,
        partition_names=days,
        from_failure=False,
        reexecution_steps=None,
        tags={},
        backfill_timestamp=get_current_timestamp(),
    )


def _run(workspace, instance, backfill: PartitionBackfill) -> PartitionBackfill:
    """Add the backfill and turn the daemon's loop until it is no longer in progress."""
    instance.add_backfill(backfill)
    for _ in range(MAX_ITERATIONS):
        list(execute_backfill_iteration(workspace, logging.getLogger("backfill_daemon")))
        if instance.get_backfill(backfill.backfill_id).status != BulkActionStatus.REQUESTED:
            break
    return instance.get_backfill(backfill.backfill_id)


# Each run a backfill submits is launched at once (no run queue). Executed: it runs in this process before
# the submission returns, so the test needs no code server nor queue daemon. Planned: it is only recorded.
EXECUTED = {
    "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
    "run_launcher": {"module": "dagster._core.launcher.sync_in_memory_run_launcher", "class": "SyncInMemoryRunLauncher"},
}
PLANNED = {
    "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
    "run_launcher": {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"},
}


@contextlib.contextmanager
def _backfilled(root, overrides):
    """The UI's warehouse_days backfill over the days, through the daemon's loop, on the landed days in root."""
    days = [(FIRST_DAY + timedelta(days=offset)).isoformat() for offset in range(DAYS)]
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("VISION_DUCKDB_PATH", str(root / "vision.duckdb"))
        environment.setenv("VISION_LANDING_ROOT", str(root / "landing"))
        environment.setenv("VISION_DATA_DIR", str(root))
        with instance_for_test(overrides=overrides) as instance:
            origin = LoadableTargetOrigin(
                executable_path=sys.executable,
                module_name="vision_assets_tests.automation_tests.backfill_location",
                attribute="defs",
                working_directory=str(REPO_ROOT),
            )
            target = InProcessWorkspaceLoadTarget(InProcessCodeLocationOrigin(origin))
            with create_test_daemon_workspace_context(target, instance) as workspace:
                asset_graph = workspace.create_request_context().asset_graph
                # Every asset a run can materialize (the live lane's streams and tables are external).
                everything = [key for key in asset_graph.get_all_asset_keys() if asset_graph.get(key).is_executable]
                yield {
                    "instance": instance,
                    "backfill": _run(workspace, instance, _job_backfill(workspace, days)),
                    "asset_backfill": _backfill(instance, asset_graph, everything, days),
                    "everything": everything,
                    "daily_models": [
                        key for key in everything if key.path[0] != "raw" and asset_graph.get(key).is_partitioned
                    ],
                    "days": days,
                    "database": root / "vision.duckdb",
                    "dashboards": root / "dashboards",
                }


@pytest.fixture(scope="module")
def planned_backfill(tmp_path_factory):
    with _backfilled(tmp_path_factory.mktemp("ui_backfill_planned"), PLANNED) as planned:
        yield planned


@pytest.fixture(scope="module")
def ui_backfills(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui_backfill")
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=DAYS, scale=0.05, seed=9)
    with _backfilled(root, EXECUTED) as executed:
        yield executed


def test_the_backfill_daemon_makes_one_run_of_every_asset_over_the_days(planned_backfill):
    """What the daemon launches for the UI's backfill: one run, for the whole range, of every asset (raw
    through the daily facts, demand, recommendations and dashboards). Executing it is make test-long's."""
    instance, backfill = planned_backfill["instance"], planned_backfill["backfill"]
    (run,) = instance.get_runs(filters=dg.RunsFilter.for_backfill(backfill.backfill_id))
    assert run.job_name == WAREHOUSE_DAYS_JOB and run.asset_selection is None  # the whole job
    # Loaded by the workspace, in the backfill's settings: imported here, not at the top.
    from vision_assets_tests.automation_tests import backfill_location

    job = backfill_location.defs.resolve_job_def(WAREHOUSE_DAYS_JOB)
    materialized = set(job.asset_layer.selected_asset_keys)
    assert materialized == set(planned_backfill["everything"])
    assert {DEMAND, DASHBOARD, DIMENSION} <= materialized
    days = planned_backfill["days"]
    assert (run.tags[ASSET_PARTITION_RANGE_START_TAG], run.tags[ASSET_PARTITION_RANGE_END_TAG]) == (days[0], days[-1])


def test_an_asset_backfill_of_the_same_assets_would_leave_the_daily_facts_out(planned_backfill):
    """Why docs/data-flow.md points at the warehouse_days job: Dagster plans an asset backfill from the raw
    tables through partitioned assets only, and the daily facts sit behind staging tables rebuilt whole. If a
    Dagster release plans them in, this fails, and selecting the assets in the lineage graph works as well."""
    targeted = planned_backfill["asset_backfill"].asset_backfill_data.target_subset.asset_keys
    daily_facts = {key for key in planned_backfill["daily_models"] if key.path[0] in ("marts", "demand")}
    assert DIMENSION in targeted and DEMAND in daily_facts
    assert not daily_facts & targeted


@pytest.mark.long
def test_one_backfill_completes_in_one_successful_run(ui_backfills):
    instance, backfill = ui_backfills["instance"], ui_backfills["backfill"]
    runs = instance.get_runs(filters=dg.RunsFilter.for_backfill(backfill.backfill_id))
    assert backfill.status == BulkActionStatus.COMPLETED_SUCCESS, backfill.error
    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]


@pytest.mark.long
def test_every_day_reaches_the_daily_facts_demand_and_the_dashboards(ui_backfills):
    instance, days = ui_backfills["instance"], ui_backfills["days"]
    for key in ui_backfills["daily_models"]:
        assert instance.get_materialized_partitions(key) >= set(days), key
    assert instance.get_materialized_partitions(DEMAND) == set(days)
    assert instance.get_latest_materialization_event(DIMENSION) is not None
    assert instance.get_latest_materialization_event(DASHBOARD) is not None
    with duckdb.connect(str(ui_backfills["database"]), read_only=True) as connection:
        demand_days = connection.execute(
            "select distinct cast(demand_date as varchar) from demand.fct_daily_demand order by 1"
        ).fetchall()
        customers = connection.execute("select count(*) from marts.dim_customer").fetchone()[0]
    assert [day for (day,) in demand_days] == days
    assert customers > 0
    assert (ui_backfills["dashboards"] / "index.html").exists()
