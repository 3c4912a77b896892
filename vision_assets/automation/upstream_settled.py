"""An automation condition that waits until no landing load is in flight and nothing upstream is written.

Dagster's built-in ``any_deps_in_progress`` sees an asset's direct inputs only. A staging table of Books
cannot see that Mart's load of the same day is still queued, nor a dimension that the dbt seeds it reads
through a staging table are still being built; each input finishing on its own would then start its own
rebuild, every one paying dbt's start-up and queueing for the DuckDB writer, and a fact could start while a
dimension it joins is half rebuilt. This condition looks at the instance's unfinished runs instead: while any run
writes a raw table (of any line) or anything upstream of the asset, the asset waits, so what is
downstream of a landed day is rebuilt once, after everything above it settled. Being Python, not one of Dagster's serializable built-ins, it needs the automation sensor to
evaluate in the code server (``use_user_code_server=True``).
"""

import weakref
from collections.abc import Set

import dagster as dg

UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def assets_being_written(instance: dg.DagsterInstance) -> Set[dg.AssetKey]:
    """Every asset that a queued or running run (a sensor's, the schedule's, automation's, a person's) targets."""
    return {key for run in instance.get_runs(dg.RunsFilter(statuses=UNFINISHED)) for key in run.asset_selection or ()}


# One tick evaluates every asset against one AssetGraphView: the unfinished runs are read once per tick,
# not once per asset (some fifty assets carry this condition).
_BEING_WRITTEN_THIS_TICK: "weakref.WeakKeyDictionary[object, Set[dg.AssetKey]]" = weakref.WeakKeyDictionary()


def _being_written_this_tick(context: dg.AutomationContext) -> Set[dg.AssetKey]:
    view = context.asset_graph_view
    if view not in _BEING_WRITTEN_THIS_TICK:
        _BEING_WRITTEN_THIS_TICK[view] = assets_being_written(view.instance)
    return _BEING_WRITTEN_THIS_TICK[view]


class UpstreamSettled(dg.AutomationCondition):
    """True for every candidate when no queued or running run targets a raw table or an asset upstream of it."""

    @property
    def name(self) -> str:
        return "upstream_settled"

    @property
    def description(self) -> str:
        return "No run is loading raw tables or writing anything upstream"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        being_written = _being_written_this_tick(context)
        loading = any(key.path[0] == "raw" for key in being_written)
        if loading or being_written & context.asset_graph.get_ancestor_asset_keys(context.key):
            return dg.AutomationResult(context=context, true_subset=context.get_empty_subset())
        return dg.AutomationResult(context=context, true_subset=context.candidate_subset)
