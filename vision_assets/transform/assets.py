"""The dbt models as Dagster assets, in three sets that run in dependency order.

* ``dbt_dimension_models``: seeds, staging views and the dimensions (with cross-business identity),
  rebuilt whole from everything landed so far.
* ``dbt_daily_models``: the incremental facts and ``fct_daily_demand``, tagged ``daily``. A run covers one
  partition or a whole backfill range in ONE dbt invocation; the window reaches the SQL as the
  ``min_date``/``max_date`` vars, and each model replaces exactly that window.
* ``dbt_rollup_models``: the month-grain demand tables, tagged ``rollup``, rebuilt whole from the facts.

Dimensions feed the daily facts and the daily facts feed the rollups. Two sets (daily, everything else)
would put the dimensions and the rollups in one op with the daily op both upstream and downstream of it,
a cycle Dagster refuses; three sets keep every edge pointing one way.

``dbt build`` runs each model's tests right after it; they arrive in Dagster as asset checks, and each
materialization carries its row count and column schema.
"""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from vision_assets.partitions import daily_partitions
from vision_assets.transform.dbt_vars import dbt_vars_for_window
from vision_assets.transform.project import vision_dbt_project
from vision_assets.transform.translator import DAILY_TAG, ROLLUP_TAG, VisionDbtTranslator
from vision_assets.warehouse import warehouse_pool

_project = vision_dbt_project()
_DAILY_SELECTION = f"tag:{DAILY_TAG}"
_ROLLUP_SELECTION = f"tag:{ROLLUP_TAG}"


def _build(dbt: DbtCliResource, context: dg.AssetExecutionContext, args: list[str]) -> Iterator[Any]:
    """``dbt build`` with the table metadata analysts look at: row counts, column schema and lineage."""
    invocation = dbt.cli(["build", *args], context=context)
    try:
        yield from _with_table_metadata(invocation)
    finally:
        _release_warehouse(invocation)


def _with_table_metadata(invocation: DbtCliInvocation) -> Iterator[Any]:
    """The run's events, each model's with its row count, column schema and column lineage.

    dagster-dbt's ``fetch_column_metadata()`` queries the warehouse catalog for every event, including
    the hundreds of test results that have no columns to describe; that took most of a dimensions run
    here. So the events are collected first (on DuckDB dagster-dbt waits for dbt to exit anyway, to
    get at the file) and only the models' events go through the column fetch. When dbt fails, the
    models it did build are still reported before the failure is raised.
    """
    events: list[Any] = []
    failure: Exception | None = None
    try:
        for event in invocation.stream().fetch_row_counts():
            events.append(event)
    except DagsterDbtCliRuntimeError as error:
        failure = error
    models = [event for event in events if isinstance(event, (dg.Output, dg.AssetMaterialization))]
    described = DbtEventIterator(iter(models), dbt_cli_invocation=invocation).fetch_column_metadata()
    by_model = dict(zip(map(id, models), described))
    for event in events:
        yield by_model.get(id(event), event)
    if failure is not None:
        raise failure


def _release_warehouse(invocation: DbtCliInvocation) -> None:
    """Close the warehouse connection the metadata fetch opened in this process.

    Row counts and columns are read through a dbt adapter inside the Dagster process, after the dbt
    process has exited. dbt-duckdb keeps that DuckDB file open until the process ends (it closes it in
    an atexit hook), which would lock the next dbt step and the IO manager out of the file; so the
    connections are closed here, the way that hook does.
    """
    adapter = invocation.adapter
    if adapter is None:
        return
    adapter.cleanup_connections()
    close_all = getattr(adapter.connections, "close_all_connections", None)
    if close_all is not None:
        close_all()


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    # `+` also excludes the tests of the daily and rollup models: a relationships test from fct_sales to
    # dim_date reads both, and belongs with the fact it checks.
    exclude=f"{_DAILY_SELECTION}+ {_ROLLUP_SELECTION}+",
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_dimension_models",
    pool=warehouse_pool(),
)
def dbt_dimension_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(dbt, context, [])


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    select=_DAILY_SELECTION,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_daily_models",
    pool=warehouse_pool(),
)
def dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    dbt_vars = dbt_vars_for_window(context.partition_time_window)
    context.log.info(f"Building the daily dbt models for [{dbt_vars['min_date']}, {dbt_vars['max_date']})")
    yield from _build(dbt, context, ["--vars", json.dumps(dbt_vars)])


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    select=_ROLLUP_SELECTION,
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_rollup_models",
    pool=warehouse_pool(),
)
def dbt_rollup_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(dbt, context, [])


dbt_model_assets = [dbt_dimension_models, dbt_daily_models, dbt_rollup_models]
