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
predictions               09:30       demand
dashboards                10:00       everything above
========================  ==========  ==============================================================

An asset is fresh when it materialized in the 24 hours before its deadline; past the deadline without
that, Dagster marks it failing freshness and the UI shows it red.

The live lane (``streams``, ``live``) is counted in minutes instead: its assets are external, refreshed by
the live consumer as events arrive, and stale when nothing arrived for ``LIVE_FRESHNESS``'s windows.
"""

import functools
import warnings
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
    "predictions": "30 9 * * *",
    "dashboards": "0 10 * * *",
}
FRESHNESS_LOOKBACK = timedelta(hours=24)

# The live lane's layers: external assets, no automation, freshness in minutes.
LIVE_LAYERS = ("streams", "live")
LIVE_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=10), warn_window=timedelta(minutes=2))

# How far back a late or re-landed day still flows downstream without a person: a week of partitions.
LATE_DAY_LOOKBACK = timedelta(days=7)

# The name Dagster's build_time_partition_freshness_checks gives every check it builds.
PARTITION_FRESHNESS_CHECK = "freshness_check"


@functools.cache
def freshness_policy_for(layer: str) -> dg.FreshnessPolicy:
    if layer in LIVE_LAYERS:
        return LIVE_FRESHNESS
    # Cached: Dagster validates a cron policy by walking its schedule for the smallest interval (about 10 ms
    # each on a quiet machine), and every asset of a layer shares its policy: a second of each code-location
    # load, before.
    return dg.FreshnessPolicy.cron(deadline_cron=LAYER_DEADLINES[layer], lower_bound_delta=FRESHNESS_LOOKBACK)


def downstream_automation(
    spec: dg.AssetSpec, daily_keys: Set[dg.AssetKey], fact_driven_keys: Set[dg.AssetKey] = frozenset()
) -> dg.AutomationCondition:
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
      daily facts, or whole tables built from them (``fact_driven_keys``: the recommender's interactions
      and model), only an update of those counts: the facts are rebuilt after every dimension change
      anyway, and a dimension update alone would otherwise start a roll-up before the facts it sums
      exist, or recommendations from the day before's interactions.
    """
    ready = ~dg.AutomationCondition.any_deps_in_progress() & ~dg.AutomationCondition.in_progress()
    if spec.partitions_def is not None:
        deps_updated, deps_missing = dg.AutomationCondition.any_deps_updated(), dg.AutomationCondition.any_deps_missing()
        live = [dep.asset_key for dep in spec.deps if dep.asset_key.path[0] in LIVE_LAYERS]
        if live:
            # The live tables are refreshed by the consumer, not by runs: neither a trigger nor a wait.
            deps_updated = deps_updated.ignore(dg.AssetSelection.assets(*live))
            deps_missing = deps_missing.ignore(dg.AssetSelection.assets(*live))
        history = [dep.asset_key for dep in spec.deps if _reads_earlier_days(dep)]
        if history:
            # A forecast reads a year of facts: one day of that year that never landed must not stop every
            # later forecast. The asset itself skips a day whose own facts are not there yet.
            deps_missing = deps_missing.ignore(dg.AssetSelection.assets(*history))
        updated = (dg.AutomationCondition.newly_missing() | deps_updated).since_last_handled()
        return (
            dg.AutomationCondition.in_latest_time_window(lookback_delta=LATE_DAY_LOOKBACK)
            & updated
            & ~deps_missing
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
    driving_deps = [dep.asset_key for dep in spec.deps if dep.asset_key in daily_keys | fact_driven_keys]
    deps_updated = dg.AutomationCondition.any_deps_updated()
    inputs_exist = ~dg.AutomationCondition.any_deps_missing()
    if driving_deps:
        deps_updated = deps_updated.allow(dg.AssetSelection.assets(*driving_deps))
    if daily_deps:
        inputs_exist = ~dg.AutomationCondition.any_deps_missing().ignore(dg.AssetSelection.assets(*daily_deps))
    return (deps_updated.since_last_handled() & inputs_exist & ready & UpstreamSettled()).with_label(
        "whole-table rebuild after its daily inputs update"
        if daily_deps
        else "whole-table rebuild after an upstream update"
    )


def partition_freshness_checks(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetChecksDefinition]:
    """A time-partition freshness check on every daily-partitioned asset: once its layer's deadline of a day
    has passed, the day before must be materialized, however recently anything else was. Each raw table is
    its own asset, so a business line whose export stopped fails exactly its own tables' checks.

    Dagster's ``FreshnessPolicy`` (above) judges when an asset last materialized; a rebuild of other days
    or of the dimensions keeps that fresh while a day is missing, which these checks catch. They run from
    ``partition_freshness_sensor``, not inside the runs that materialize the assets.
    """
    by_layer: dict[str, list[dg.AssetKey]] = {}
    for asset in assets:
        for spec in _specs_of(asset):
            if spec.partitions_def is not None:
                by_layer.setdefault(spec.key.path[0], []).append(spec.key)
    with warnings.catch_warnings():
        # Dagster marks these checks superseded by FreshnessPolicy, which does not look at partitions (see
        # dagster-io/dagster discussion #34023): for "is yesterday in?" the checks are still the tool.
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return [
            check
            for layer, keys in sorted(by_layer.items())
            for check in dg.build_time_partition_freshness_checks(
                assets=keys, deadline_cron=LAYER_DEADLINES[layer], timezone="UTC"
            )
        ]


def partition_freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """Evaluates the partition freshness checks as their deadlines pass."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks, name="partition_freshness_sensor", default_status=dg.DefaultSensorStatus.RUNNING
        )


def without_partition_freshness_checks(selection: dg.AssetSelection, graph) -> dg.AssetSelection:
    """``selection`` minus the partition freshness checks of ``graph``: a run that materializes assets does
    not judge their freshness mid-way (the sensor does, at its own pace)."""
    checks = [key for key in graph.asset_check_keys if key.name == PARTITION_FRESHNESS_CHECK]
    return selection - dg.AssetSelection.checks(*checks) if checks else selection


def fact_driven_keys(specs: Sequence[dg.AssetSpec], daily_keys: Set[dg.AssetKey]) -> set[dg.AssetKey]:
    """The whole tables built, directly or through other whole tables, from daily facts (partitioned
    assets other than the raw loads): they change when the facts do."""
    facts = {key for key in daily_keys if key.path[0] != "raw"}
    deps = {spec.key: {dep.asset_key for dep in spec.deps} for spec in specs if spec.key not in daily_keys}
    driven: set[dg.AssetKey] = set()
    while True:
        more = {key for key, parents in deps.items() if key not in driven and parents & (facts | driven)}
        if not more:
            return driven
        driven |= more


def _reads_earlier_days(dep: dg.AssetDep) -> bool:
    """The dependency maps a day to a window of earlier days too (a forecast's history)."""
    mapping = dep.partition_mapping
    return isinstance(mapping, dg.TimeWindowPartitionMapping) and mapping.start_offset < 0


def layer_policies(assets: Sequence[dg.AssetsDefinition]) -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The spec mapper for ``Definitions.map_asset_specs``: freshness by layer, automation downstream of raw."""
    specs = [spec for asset in assets for spec in _specs_of(asset)]
    daily_keys = {spec.key for spec in specs if spec.partitions_def is not None}
    fact_driven = fact_driven_keys(specs, daily_keys)

    def with_layer_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
        layer = spec.key.path[0]
        # An asset that declares its own condition (analytics.data_quality) keeps it.
        automation = (
            None
            if layer == "raw" or layer in LIVE_LAYERS
            else spec.automation_condition or downstream_automation(spec, daily_keys, fact_driven)
        )
        return spec.replace_attributes(freshness_policy=freshness_policy_for(layer), automation_condition=automation)

    return with_layer_policies


def _specs_of(asset: dg.AssetsDefinition | dg.AssetSpec) -> Sequence[dg.AssetSpec]:
    """The specs of an asset definition, or the spec itself (an external asset: the live lane's)."""
    return [asset] if isinstance(asset, dg.AssetSpec) else asset.specs
