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

from datetime import timedelta

import dagster as dg

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


def downstream_automation(partitioned: bool) -> dg.AutomationCondition:
    """Run when what it reads has changed, once nothing it reads is missing or still running.

    Like ``AutomationCondition.eager()``, but a daily asset looks back over the last week instead of the
    latest day only, so a day that lands late still flows through. An asset rebuilt whole from every day
    (staging views, dimensions, monthly roll-ups) cannot wait for "no missing upstream partition" (days
    before the first landing are missing forever), so it runs when an upstream asset was updated and
    none is in progress; it does not run merely because it is missing, which would build roll-ups before
    the facts they sum exist.
    """
    ready = ~dg.AutomationCondition.any_deps_in_progress() & ~dg.AutomationCondition.in_progress()
    if partitioned:
        updated = (
            dg.AutomationCondition.newly_missing() | dg.AutomationCondition.any_deps_updated()
        ).since_last_handled()
        return (
            dg.AutomationCondition.in_latest_time_window(lookback_delta=LATE_DAY_LOOKBACK)
            & updated
            & ~dg.AutomationCondition.any_deps_missing()
            & ready
        ).with_label("eager, including late days of the last week")
    updated = dg.AutomationCondition.any_deps_updated().since_last_handled()
    return (updated & ready).with_label("eager, whole-table rebuild after an upstream update")


def with_layer_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Freshness for every asset by its layer; automation for everything downstream of the landing."""
    layer = spec.key.path[0]
    automation = None if layer == "raw" else downstream_automation(partitioned=spec.partitions_def is not None)
    return spec.replace_attributes(freshness_policy=freshness_policy_for(layer), automation_condition=automation)
