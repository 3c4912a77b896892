"""The dbt models as Dagster assets, in three sets that run in dependency order.

* ``dbt_staging_models``: seeds, staging tables and the dimensions identity resolution does not read
  (dates, products). The staging event tables re-stage only the events loaded or re-landed since their
  last build (incremental, ``events_to_restage`` in ``vision_dbt/macros/staging.sql``; ``full_refresh`` in
  the run config rebuilds them whole); the other staging tables and dimensions are rebuilt whole from
  everything landed so far.
* Identity resolution (``vision_assets/identity/``, a Python asset) reads the staged customers and writes
  ``marts.bridge_customer_account``, which dbt reads as the source ``identity``.
* ``dbt_dimension_and_daily_models``: what is built from the bridge: the customer and geography
  dimensions, the incremental facts and ``fct_daily_demand`` (tagged ``daily``, daily-partitioned; the
  dimensions unpartitioned). A run's daily models cover one partition or a whole backfill range; the
  window reaches their SQL through the dbt process's environment (``dbt_window.py``), and each replaces
  exactly that window.
* ``dbt_rollup_models``: the month-grain demand tables, tagged ``rollup``, rebuilt whole from the facts.

A day's run is therefore two ``dbt build`` commands around identity resolution, then the rollups: dbt's
start-up, artifacts and exit (about 3.5 s) are paid per set, and Python work cannot sit between two
models of one dbt command. Keeping the sets explicit gives two commands where Dagster's own resolution of
the op-level cycle (one set around the Python asset) ran three. With the rollups in the second set it
would be both upstream and downstream of itself through them; separate sets keep every edge pointing one
way.

``dbt build`` runs each model's tests right after it; they arrive in Dagster as asset checks, and each
materialization carries its row count and column schema.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from pydantic import Field

from vision_assets.transform.dbt_window import dbt_environment_for_window, environment_variables
from vision_assets.transform.project import (
    invocation_target_path,
    keep_partial_parse_state,
    prune_invocation_folders,
    vision_dbt_project,
)
from vision_assets.transform.translator import (
    ROLLUP_TAG,
    VisionDbtTranslator,
    column_schema_with_constraints,
)
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY, current_warehouse, warehouse_pool

_project = vision_dbt_project()
_ROLLUP_SELECTION = f"tag:{ROLLUP_TAG}"
# Everything built from identity resolution's bridge (a Python asset between the two sets).
_AFTER_IDENTITY_SELECTION = "source:identity.bridge_customer_account+"


def _build(
    dbt: DbtCliResource,
    context: dg.AssetExecutionContext,
    environment: Mapping[str, str] | None = None,
    full_refresh: bool = False,
) -> Iterator[Any]:
    """``dbt build`` with the table metadata analysts look at: row counts, and on Snowflake column lineage."""
    invocation_name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}"
    target_path = invocation_target_path(_project, invocation_name)
    args = ["build", "--full-refresh"] if full_refresh else ["build"]
    with environment_variables(environment or {}):
        invocation = dbt.cli(args, context=context, target_path=target_path)
    if current_warehouse().table_metadata_from_dbt_log:
        yield from _streamed_with_logged_table_metadata(invocation)
    else:
        yield from _with_table_metadata(invocation)
    keep_partial_parse_state(_project, target_path)
    prune_invocation_folders(target_path.parent)


# What dbt prints when the warehouse was briefly unavailable, not when the SQL or the data is wrong: the
# DuckDB file held by another writer, a Snowflake connection dropped or refused. dbt runs in its own
# process, so its errors arrive as text, not as the exception types `warehouse.is_transient` looks at.
_TRANSIENT_DBT_MESSAGES = (
    "could not set lock on file",
    "failed to connect to db",
    "could not connect to snowflake",
    "connection reset by peer",
    "connection aborted",
    "250001",  # Snowflake: could not connect to the backend
)


def retryable_only_if_transient(failure: Exception) -> Exception:
    """A failed ``dbt build`` as the error to raise: itself when waiting can clear it (the asset's retry
    policy then runs dbt again; rebuilding is idempotent), otherwise a non-retryable Failure, so a failing
    test or a SQL error fails the run at once instead of three more times."""
    text = str(failure).lower()
    if any(message in text for message in _TRANSIENT_DBT_MESSAGES):
        return failure
    error = dg.Failure(description=str(failure), allow_retries=False)
    error.__cause__ = failure
    return error


def _collect(invocation: DbtCliInvocation, events: Iterator[Any]) -> tuple[list[Any], Exception | None]:
    """Every event of the run; when dbt fails, the models it did build are still reported first."""
    collected: list[Any] = []
    try:
        for event in events:
            collected.append(event)
    except DagsterDbtCliRuntimeError as error:
        return collected, error
    return collected, None


_ROW_COUNT_LOG = re.compile(r"^Row count of \S+: (?P<rows>\d+)$")


def _streamed_with_logged_table_metadata(invocation: DbtCliInvocation) -> Iterator[Any]:
    """The run's events as dbt reports them, each table model's with its row count and column schema (DuckDB).

    dbt logs both from inside its own process (the post-hook ``log_table_metadata`` in
    ``vision_dbt/macros/table_metadata.sql``): the columns as JSON, which dagster-dbt turns into the column
    schema, and the row count as a line this reads. Nothing here opens the warehouse: dbt-duckdb holds the
    file until dbt exits, and dagster-dbt's ``fetch_row_counts()``/``fetch_column_metadata()`` would query
    it from this process while dbt builds ("Could not set lock on file"). So each model's events reach the
    event log while dbt goes on with the next, instead of all after dbt's exit.
    """
    nodes = invocation.manifest.get("nodes", {})
    row_counts: dict[str, int] = {}
    try:
        for dbt_event in invocation.stream_raw_events():
            unique_id = dbt_event.raw_event["data"].get("node_info", {}).get("unique_id")
            if dbt_event.raw_event["info"]["name"] == "JinjaLogInfo":
                logged = _ROW_COUNT_LOG.match(dbt_event.raw_event["info"]["msg"])
                if logged and unique_id:
                    row_counts[unique_id] = int(logged["rows"])
                continue
            for event in dbt_event.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=invocation.context,
                target_path=invocation.target_path,
                project=invocation.project,
            ):
                if unique_id in row_counts and isinstance(event, (dg.Output, dg.AssetMaterialization)):
                    described = _table_metadata(event.metadata, nodes[unique_id], row_counts[unique_id])
                    event = event.with_metadata(described)
                yield event
    except DagsterDbtCliRuntimeError as failure:
        raise retryable_only_if_transient(failure)


def _table_metadata(metadata: Mapping[str, Any], node: Mapping[str, Any], row_count: int) -> dict[str, Any]:
    """A model's materialization metadata with its row count, and its columns showing the rules the yml
    declares on them (not nullable, unique, check expressions, references)."""
    return _with_declared_column_rules({**metadata, "dagster/row_count": row_count}, node)


def _with_declared_column_rules(metadata: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    described = dict(metadata)
    schema = metadata.get("dagster/column_schema")
    if schema is not None:
        described["dagster/column_schema"] = column_schema_with_constraints(schema.value, node)
    return described


def _with_table_metadata(invocation: DbtCliInvocation) -> Iterator[Any]:
    """The run's events, each model's with its row count, column schema and column lineage (Snowflake).

    dagster-dbt's ``fetch_column_metadata()`` queries the warehouse catalog for every event, including
    the hundreds of test results that have no columns to describe; so the events are collected first and
    only the models' events go through the column fetch. Their columns then show the yml's rules, as on
    DuckDB.
    """
    events, failure = _collect(invocation, invocation.stream().fetch_row_counts())
    models = [event for event in events if isinstance(event, (dg.Output, dg.AssetMaterialization))]
    described = DbtEventIterator(iter(models), dbt_cli_invocation=invocation).fetch_column_metadata()
    nodes = invocation.manifest.get("nodes", {})
    by_model = {}
    for model, event in zip(models, described):
        unique_id = event.metadata.get("unique_id")
        node = nodes.get(getattr(unique_id, "text", unique_id))
        by_model[id(model)] = (
            event.with_metadata(_with_declared_column_rules(event.metadata, node)) if node else event
        )
    for event in events:
        yield by_model.get(id(event), event)
    if failure is not None:
        raise retryable_only_if_transient(failure)


class WarehouseBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description=(
            "Rebuild the incremental staging event tables whole from all raw history instead of re-staging "
            "only the events loaded or re-landed since their last build. Needed after a change to a staging "
            "model's SQL or to the currency_rates seed, which a load does not reveal. The daily facts are "
            "another asset (dbt_dimension_and_daily_models), replaced window by window, never rebuilt whole."
        ),
    )


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    # `+` also excludes the tests that read a rollup model (they belong with the rollup they check).
    exclude=f"{_ROLLUP_SELECTION}+ {_AFTER_IDENTITY_SELECTION}",
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_staging_models",
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
def dbt_staging_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: WarehouseBuildConfig):
    yield from _build(dbt, context, full_refresh=config.full_refresh)


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    select=_AFTER_IDENTITY_SELECTION,
    exclude=f"{_ROLLUP_SELECTION}+",
    # Partitions per model (VisionDbtTranslator.get_partitions_def): the daily models by day, the rest not.
    dagster_dbt_translator=VisionDbtTranslator(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_dimension_and_daily_models",
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
def dbt_dimension_and_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    specs = context.assets_def.specs_by_key
    daily = [key for key in context.selected_asset_keys if specs[key].partitions_def is not None]
    if not daily:
        yield from _build(dbt, context)
        return
    window = context.partition_time_window
    context.log.info(f"Building the daily dbt models for [{window.start.date()}, {window.end.date()})")
    yield from _build(dbt, context, dbt_environment_for_window(window))


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    select=_ROLLUP_SELECTION,
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_rollup_models",
    pool=warehouse_pool(),
    retry_policy=WAREHOUSE_RETRY_POLICY,
)
def dbt_rollup_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(dbt, context)


dbt_model_assets = [dbt_staging_models, dbt_dimension_and_daily_models, dbt_rollup_models]
