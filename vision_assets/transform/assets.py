"""The dbt models as Dagster assets, in two sets as Dagster's own data platform splits them.

* ``dbt_daily_models``: the incremental facts and demand tables tagged ``daily``. A run covers one
  partition or a whole backfill range in ONE dbt invocation; the window reaches the SQL as the
  ``min_date``/``max_date`` vars, and each model replaces exactly that window.
* ``dbt_full_rebuild_models``: staging views, dimensions (with cross-business identity) and the
  month-grain demand tables, rebuilt whole from everything landed so far.

``dbt build`` runs each model's tests right after it; they arrive in Dagster as asset checks.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from vision_assets.partitions import daily_partitions
from vision_assets.transform.dbt_vars import dbt_vars_for_window
from vision_assets.transform.project import vision_dbt_project
from vision_assets.transform.translator import DAILY_TAG, VisionDbtTranslator
from vision_assets.warehouse import warehouse_pool

_project = vision_dbt_project()
_DAILY_SELECTION = f"tag:{DAILY_TAG}"


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
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()


@dbt_assets(
    manifest=_project.manifest_path,
    project=_project,
    exclude=_DAILY_SELECTION,
    dagster_dbt_translator=VisionDbtTranslator(),
    name="dbt_full_rebuild_models",
    pool=warehouse_pool(),
)
def dbt_full_rebuild_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
