"""Freshness and automation, decided per layer in one place and applied over every asset spec.

A business line's export for a UTC day lands by about 05:00 UTC the next morning. Each layer is due a
bounded time after the one it reads:

========================  ==========  ==============================================================
layer                     due (UTC)   what it waits for
========================  ==========  ==============================================================
raw                       07:00       the four exports, loaded by the landing sensors or the schedule
staging, marts            08:00       raw
demand                    08:30       marts
recommendations/analytics 09:30       marts and demand
dashboards                10:00       everything above
========================  ==========  ==============================================================

An asset is fresh when it materialized in the 24 hours before its deadline; past the deadline without
that, Dagster marks it failing freshness and the UI shows it red.
"""

from collections.abc import Callable, Sequence, Set
from datetime import timedelta

import dagster as dg

from vision_assets.automation.upstream_settled import UpstreamSettled

LAYER_DEADLINES = {
    "raw": "0 7 * * *",
    "staging": "0 8 * * *",
    "marts": "0 8 * * *",
    "demand": "30 8 * * *",
    "recommendations": "30 9 * * *",
    "analytics": "30 9 * * *",
    "dashboards": "0 10 * * *",
}
FRESHNESS_LOOKBACK = timedelta(hours=24)

# How far back a late or re-landed day still flows downstream without a person: a week of partitions.
LATE_DAY_LOOKBACK = timedelta(days=7)


def freshness_policy_for(layer: str) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(deadline_cron=LAYER_DEADLINES[layer], lower_bound_delta=FRESHNESS_LOOKBACK)


def downstream_automation(spec: dg.AssetSpec, daily_keys: Set[dg.AssetKey]) -> dg.AutomationCondition:
    """Run when what it reads has changed, once nothing it reads is missing and nothing upstream is
    being written (:class:`UpstreamSettled`): the four lines' loads of a day finish minutes apart, and one
    rebuild after the last of them replaces one per line, each paying dbt's start-up and queueing for the
    DuckDB writer.

    * A daily asset: like ``AutomationCondition.eager()``, but looking back over the last week instead of
      the latest day only, so a day that lands late still flows through.
    * An asset that reads nothing Vision builds (the dbt seeds): built while missing and when its code
      (the seed file) changes. Not ``eager()``: eager only reacts to assets that become missing after the
      condition was added, so on a fresh deployment it never builds them.
    * An asset rebuilt whole from every day (staging tables, dimensions, monthly roll-ups,
      recommendations, dashboards) cannot wait for "no upstream partition missing": days before the
      first landing are missing forever. It runs when an upstream asset was updated and none of its
      whole-table inputs is missing (a dimension waits for every line's staging table). When it reads
      daily facts, only an update of those facts counts: the facts are rebuilt after every dimension
      change anyway, and a dimension update alone would otherwise start a roll-up before the facts it
      sums exist.
    """
    ready = ~dg.AutomationCondition.any_deps_in_progress() & ~dg.AutomationCondition.in_progress()
    if spec.partitions_def is not None:
        updated = (
            dg.AutomationCondition.newly_missing() | dg.AutomationCondition.any_deps_updated()
        ).since_last_handled()
        return (
            dg.AutomationCondition.in_latest_time_window(lookback_delta=LATE_DAY_LOOKBACK)
            & updated
            & ~dg.AutomationCondition.any_deps_missing()
            & ready
            & UpstreamSettled()
        ).with_label("eager, including late days of the last week")
    if not spec.deps:
        return (
            (dg.AutomationCondition.missing() | dg.AutomationCondition.code_version_changed().since_last_handled())
            & ~dg.AutomationCondition.execution_failed()
            & ~dg.AutomationCondition.in_progress()
        ).with_label("built when missing or changed")
    daily_deps = [dep.asset_key for dep in spec.deps if dep.asset_key in daily_keys]
    deps_updated = dg.AutomationCondition.any_deps_updated()
    inputs_exist = ~dg.AutomationCondition.any_deps_missing()
    if daily_deps:
        daily = dg.AssetSelection.assets(*daily_deps)
        deps_updated = deps_updated.allow(daily)
        inputs_exist = ~dg.AutomationCondition.any_deps_missing().ignore(daily)
    return (deps_updated.since_last_handled() & inputs_exist & ready & UpstreamSettled()).with_label(
        "whole-table rebuild after its daily inputs update"
        if daily_deps
        else "whole-table rebuild after an upstream update"
    )


def layer_policies(assets: Sequence[dg.AssetsDefinition]) -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The spec mapper for ``Definitions.map_asset_specs``: freshness by layer, automation downstream of raw."""
    daily_keys = {spec.key for asset in assets for spec in asset.specs if spec.partitions_def is not None}

    def with_layer_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
        layer = spec.key.path[0]
        automation = None if layer == "raw" else downstream_automation(spec, daily_keys)
        return spec.replace_attributes(freshness_policy=freshness_policy_for(layer), automation_condition=automation)

    return with_layer_policies
