"""Live figures are provisional: a live asset is trusted only for days the books have confirmed.

The live lane counts events seconds after they happen; the daily facts built from the batch export are the
books of record. A live table holds days the books have not confirmed yet (today, always, while the lane
runs), so a live asset that is otherwise trusted is ``provisional`` until the latest day it holds has a
passing ``live_matches_the_books`` check on ``analytics.live_reconciliation``; a failed reconciliation of
that day makes it ``failing checks``.
"""

from datetime import date

import dagster as dg

from vision_assets.live.names import LATEST_DAY_METADATA, LIVE_LAYER, RECONCILIATION_CHECK, RECONCILIATION_KEY
from vision_assets.trust.status import AssetStatus

PROVISIONAL = "provisional"
FAILING_CHECKS = "failing checks"  # trust.report.FAILING (which imports this module)


def is_live(key: dg.AssetKey) -> bool:
    return key.path[0] == LIVE_LAYER


def live_verdict(instance: dg.DagsterInstance, target: AssetStatus) -> tuple[str, str] | None:
    """``(provisional or failing checks, reason)`` for a live asset whose latest day is not confirmed; None
    when the books confirm it."""
    event = instance.get_latest_materialization_event(target.key)
    latest = event.asset_materialization.metadata.get(LATEST_DAY_METADATA) if event else None
    day = date.fromisoformat(latest.value) if latest is not None else None
    reconciled = instance.get_materialized_partitions(RECONCILIATION_KEY)
    where = f"{'.'.join(RECONCILIATION_KEY.path)} (check {RECONCILIATION_CHECK})"
    if day is None or day.isoformat() not in reconciled:
        return PROVISIONAL, (
            f"counted live{f' through {day}' if day else ''}: provisional until that day's batch export lands "
            f"and {where} confirms it against the daily facts"
        )
    evaluation = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK)]
    ).get(dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK))
    check = evaluation.event.asset_check_evaluation if evaluation and evaluation.event else None
    if check is not None and not check.passed:
        return FAILING_CHECKS, f"the live count disagrees with the books: {where} failed"
    return None
