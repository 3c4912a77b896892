"""Which day an asset's data reaches, and which day it should reach by now: freshness judged on the data.

An asset rebuilt this morning from data that stopped two days ago is not fresh. Dagster's freshness policy
on an asset looks at when it last materialized; this module looks at the days in it:

* a daily-partitioned asset's data reaches its latest materialized partition;
* any other asset's data reaches the earliest of what its inputs reached *when it was last built* (a
  dimension rebuilt from three business lines' new days and one line's old ones reaches the old day);
* an asset with no dated input at all (a seed) has no day: it is never behind.

The day expected by now follows the asset's freshness policy, as ``build_time_partition_freshness_checks``
reads a deadline: once the policy's deadline of a day has passed (07:00 UTC for raw), the day before must
be in. The demo's data ends yesterday, so on the day ``make run`` runs this says "data through yesterday".
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

# An asset with no dated input: it reaches every day (the minimum of its inputs is the others').
_UNDATED = date.max


@dataclass(frozen=True)
class DataThrough:
    """The last day of data an asset holds (None: never built, or nothing dated in it) and the day its
    freshness policy expects by now (None: no daily deadline)."""

    day: date | None
    expected: date | None

    @property
    def behind(self) -> bool:
        return self.day is not None and self.expected is not None and self.day < self.expected

    def describe(self) -> str:
        if self.day is None:
            return "no dated data"
        text = f"data through {self.day.isoformat()}"
        if self.behind:
            text += f", expected through {self.expected.isoformat()}"
        return text


def expected_day(deadline_cron: str | None, now: datetime) -> date | None:
    """The latest complete UTC day whose deadline (a daily cron, ``"m h * * *"``) has passed at ``now``."""
    if deadline_cron is None:
        return None
    minute, hour, *rest = deadline_cron.split()
    if rest != ["*", "*", "*"] or not (minute.isdigit() and hour.isdigit()):
        return None
    deadline_today = now.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    last_deadline = deadline_today if now >= deadline_today else deadline_today - timedelta(days=1)
    return last_deadline.date() - timedelta(days=1)


class DataThroughReader:
    """Reads the days assets reach from the instance's materializations, remembering what it read."""

    def __init__(self, instance: dg.DagsterInstance, graph: BaseAssetGraph):
        self._instance = instance
        self._graph = graph
        self._seen: dict[tuple[dg.AssetKey, int | None], date | None] = {}

    def day(self, key: dg.AssetKey, before_storage_id: int | None = None) -> date | None:
        """The last day of data in ``key`` as of ``before_storage_id`` (an event log position; None: now)."""
        reached = self._reached(key, before_storage_id)
        return None if reached is _UNDATED else reached

    def data_through(self, key: dg.AssetKey, now: datetime, building: bool = False) -> DataThrough:
        """What ``key`` reaches against what its policy expects at ``now``; ``building``: as the run that is
        building it now will leave it."""
        policy = self._graph.get(key).freshness_policy_or_from_metadata
        day = self.day_if_built_now(key) if building else self.day(key)
        return DataThrough(day, expected_day(getattr(policy, "deadline_cron", None), now))

    def _reached(self, key: dg.AssetKey, before: int | None) -> date | None:
        if (key, before) in self._seen:
            return self._seen[(key, before)]
        node = self._graph.get(key)
        if node.partitions_def is not None:
            partitions = self._instance.get_materialized_partitions(key, before_cursor=before)
            reached = date.fromisoformat(max(partitions)) if partitions else None
        else:
            latest = self._instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=key, before_storage_id=before), limit=1
            ).records
            if not latest:
                reached = None
            else:
                reached = self._from_inputs(key, latest[0].storage_id)
        self._seen[(key, before)] = reached
        return reached

    def _from_inputs(self, key: dg.AssetKey, before: int | None) -> date | None:
        """The earliest day the asset's inputs reached at ``before``; inputs not built by then are not read."""
        parents = self._graph.get(key).parent_keys
        reached = [day for day in (self._reached(parent, before) for parent in parents) if day is not None]
        if reached:
            return min(reached)
        return None if parents else _UNDATED

    def day_if_built_now(self, key: dg.AssetKey) -> date | None:
        """The day ``key`` reaches when it is built from its inputs as they are now (the run building it)."""
        node = self._graph.get(key)
        if node.partitions_def is not None:
            return self.day(key)
        reached = self._from_inputs(key, None)
        return None if reached is _UNDATED else reached
