"""An automation condition that waits until no raw load is queued or running anywhere.

Dagster's built-in conditions see an asset's own inputs only (``any_deps_in_progress``). A staging view
of Books cannot see that Mart's load of the same day is still queued, so each line's load would trigger
its own rebuild of the whole-table models. This condition looks at the instance's unfinished runs instead;
being Python, not one of Dagster's serializable built-ins, it needs the automation sensor to evaluate in
the code server (``use_user_code_server=True``).
"""

import dagster as dg

UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def raw_load_unfinished(instance: dg.DagsterInstance) -> bool:
    """Whether a run that writes raw tables (a landing sensor's, the schedule's, a person's) is unfinished."""
    return any(
        any(key.path[0] == "raw" for key in run.asset_selection or ())
        for run in instance.get_runs(dg.RunsFilter(statuses=UNFINISHED))
    )


class LandingSettled(dg.AutomationCondition):
    """True for every candidate when no raw load is queued or running."""

    @property
    def name(self) -> str:
        return "landing_settled"

    @property
    def description(self) -> str:
        return "No raw load is queued or running"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        if raw_load_unfinished(context.asset_graph_view.instance):
            return dg.AutomationResult(context=context, true_subset=context.get_empty_subset())
        return dg.AutomationResult(context=context, true_subset=context.candidate_subset)
