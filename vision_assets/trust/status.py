"""What the Dagster instance knows about an asset: its materializations, partitions, freshness and checks.

Nothing is recomputed that Dagster records. Freshness is the state Dagster's own evaluator for the asset's
``FreshnessPolicy`` gives now (the evaluator the freshness daemon runs every 30 s; reading it directly
keeps the answer right when no daemon runs, e.g. from the command line); the state the daemon last
recorded, which the UI shows, is reported beside it. Check results are the latest execution record of
each check.

The assets' records (each one's latest materialization) are read in one query for all of them, through the
loading context the freshness evaluators read too, so no record is read twice.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph, BaseAssetNode
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.loader import LoadingContext
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.tags import KIND_PREFIX

from vision_assets.trust.data_through import DataThrough
from vision_assets.trust.lineage import dotted

if TYPE_CHECKING:
    from dagster._core.storage.event_log.base import AssetRecord

# The tag of an asset whose content is the state of the landings it depends on (analytics.data_quality).
REPORTS_ON_LANDINGS_TAG = "vision/reports_on_landings"


class _InstanceLoadingContext(LoadingContext):
    """The batching context Dagster's freshness evaluators read the instance through."""

    def __init__(self, instance: dg.DagsterInstance):
        self._instance = instance
        self._loaders = {}

    @property
    def instance(self) -> dg.DagsterInstance:
        return self._instance

    @property
    def loaders(self):
        return self._loaders


@dataclass(frozen=True)
class CheckStatus:
    name: str
    description: str
    blocking: bool
    # SUCCEEDED, FAILED, PLANNED (started, no result) or NEVER_RUN
    status: str
    passed: bool | None = None
    severity: str | None = None
    result: str = ""
    evaluated_at: float | None = None
    # Evaluated before the asset's latest materialization: it says nothing about the data there now.
    outdated: bool = False
    # The evaluation's metadata, plain values (a raw table's quarantine check: rows_by_reason, ...).
    details: dict = field(default_factory=dict)

    @property
    def blocks_trust(self) -> bool:
        """A check that failed with severity ERROR on the data there now (a WARN failure is a warning, as in
        Dagster, where only an ERROR stops the assets downstream of a blocking check)."""
        return self.passed is False and not self.outdated and self.severity == "ERROR"


@dataclass
class AssetStatus:
    key: dg.AssetKey
    description: str
    owners: list[str]
    group: str | None
    kinds: list[str]
    code_version: str | None
    freshness_policy: str
    materialized_at: float | None = None
    run_id: str | None = None
    row_count: int | None = None
    # The partition of the latest materialization, whose row count ``row_count`` is.
    latest_partition: str | None = None
    last_run_partitions: list[str] = field(default_factory=list)
    partitions: str = ""
    freshness: str = FreshnessState.NOT_APPLICABLE.value
    recorded_freshness: str | None = None
    recorded_freshness_at: float | None = None
    checks: list[CheckStatus] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    # The last day of data in it, against the day its policy expects by now.
    data: DataThrough = field(default_factory=lambda: DataThrough(None, None))
    business_line: str | None = None
    # It reports on its inputs' landings (analytics.data_quality): an input that is behind is what it
    # shows, not a reason to distrust it.
    reports_on_landings: bool = False

    @property
    def name(self) -> str:
        return dotted(self.key)

    @property
    def never_materialized(self) -> bool:
        return self.materialized_at is None

    @property
    def stale(self) -> bool:
        """Past its deadline without a new materialization, or holding data older than its policy allows
        (however recently it was rebuilt)."""
        return self.freshness == FreshnessState.FAIL.value or self.data.behind


def describe_policy(policy: dg.FreshnessPolicy | None) -> str:
    if policy is None:
        return "no freshness policy"
    deadline = getattr(policy, "deadline_cron", None)
    if deadline is not None:
        window = policy.lower_bound_delta
        return f"materialized within {_hours(window)} before each '{deadline}' deadline ({policy.timezone})"
    fail = policy.fail_window.to_timedelta()
    return f"materialized within the last {_hours(fail)}"


def _hours(delta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hours"


def _kinds(node: BaseAssetNode) -> list[str]:
    """An asset's kinds. The code location's graph has them as a field; a snapshot's graph (what ``vision
    trust`` reads) as ``dagster/kind/<kind>`` tags, which is how Dagster stores them."""
    kinds = getattr(node, "kinds", None)
    if kinds is None:
        kinds = {tag.removeprefix(KIND_PREFIX) for tag in node.tags if tag.startswith(KIND_PREFIX)}
    return sorted(kinds)


def read_statuses(
    instance: dg.DagsterInstance, graph: BaseAssetGraph, keys: list[dg.AssetKey]
) -> list[AssetStatus]:
    nodes = [graph.get(key) for key in keys]
    records, freshness = asyncio.run(_records_and_freshness(_InstanceLoadingContext(instance), nodes))
    return [
        _read_status(instance, graph, node, record, state)
        for node, record, state in zip(nodes, records, freshness)
    ]


async def _records_and_freshness(
    context: LoadingContext, nodes: list[BaseAssetNode]
) -> tuple[list["AssetRecord | None"], list[str]]:
    """Every asset's record, in one batch, and its freshness now (the evaluators read the same records)."""
    # Dagster's event-log storage (SQLAlchemy, Alembic) is imported when a report is built, not with this
    # module: the code location imports it for its names, and a dashboard only when it writes its panel.
    from dagster._core.definitions.freshness_evaluator import FRESHNESS_EVALUATORS_BY_POLICY_TYPE
    from dagster._core.storage.event_log.base import AssetRecord

    records = list(await AssetRecord.gen_many(context, [node.key for node in nodes]))
    freshness = [await _freshness_now(context, node, FRESHNESS_EVALUATORS_BY_POLICY_TYPE) for node in nodes]
    return records, freshness


def _read_status(
    instance: dg.DagsterInstance,
    graph: BaseAssetGraph,
    node: BaseAssetNode,
    record: "AssetRecord | None",
    freshness: str,
) -> AssetStatus:
    key = node.key
    policy = node.freshness_policy_or_from_metadata
    status = AssetStatus(
        key=key,
        description=(node.description or "").strip(),
        owners=list(node.owners),
        group=node.group_name,
        kinds=_kinds(node),
        code_version=node.code_version,
        freshness_policy=describe_policy(policy),
        business_line=node.tags.get("business_line"),
        reports_on_landings=node.tags.get(REPORTS_ON_LANDINGS_TAG) == "true",
    )
    latest = record.asset_entry.last_materialization_record if record else None
    if latest is not None:
        event = latest.event_log_entry
        materialization = event.asset_materialization
        status.materialized_at = event.timestamp
        status.run_id = event.run_id
        metadata = materialization.metadata if materialization else {}
        row_count = metadata.get("dagster/row_count")
        status.row_count = getattr(row_count, "value", row_count)
        status.latest_partition = materialization.partition if materialization else None
        files = metadata.get("source_files")
        status.source_files = list(getattr(files, "value", files) or [])
        if node.partitions_def is not None:
            status.last_run_partitions = _partitions_of_run(instance, key, event.run_id)
    if node.partitions_def is not None:
        status.partitions = _partition_summary(instance, node)
    status.freshness = freshness
    recorded = instance.get_freshness_state_records([key]).get(key)
    if recorded is not None:
        status.recorded_freshness = recorded.freshness_state.value
        status.recorded_freshness_at = recorded.updated_at.timestamp()
    status.checks = _checks(instance, graph, node, status.materialized_at)
    return status


async def _freshness_now(
    context: LoadingContext, node: BaseAssetNode, evaluators: Mapping[type, type]
) -> str:
    policy = node.freshness_policy_or_from_metadata
    if policy is None:
        return FreshnessState.NOT_APPLICABLE.value
    evaluator = evaluators.get(type(policy))
    if evaluator is None:
        return FreshnessState.UNKNOWN.value
    state = await evaluator().evaluate_freshness(context=context, node=node)
    return state.value


def _partitions_of_run(instance: dg.DagsterInstance, key: dg.AssetKey, run_id: str) -> list[str]:
    """The partitions the asset's latest run materialized: its newest materializations, back to another run."""
    partitions: set[str] = set()
    cursor = None
    while True:
        page = instance.fetch_materializations(key, limit=100, cursor=cursor)
        for record in page.records:
            if record.run_id != run_id:
                return sorted(partitions)
            if record.partition_key:
                partitions.add(record.partition_key)
        if not page.has_more:
            return sorted(partitions)
        cursor = page.cursor


def _partition_summary(instance: dg.DagsterInstance, node: BaseAssetNode) -> str:
    materialized = sorted(instance.get_materialized_partitions(node.key))
    if not materialized:
        return "no partition materialized"
    keys = node.partitions_def.get_partition_keys()
    first, last = materialized[0], materialized[-1]
    window = (
        keys[keys.index(first) : keys.index(last) + 1] if first in keys and last in keys else materialized
    )
    gaps = len(set(window) - set(materialized))
    return f"{len(materialized)} partitions materialized, {first} to {last}" + (
        f" ({gaps} missing in between)" if gaps else ""
    )


def _checks(
    instance: dg.DagsterInstance, graph: BaseAssetGraph, node: BaseAssetNode, materialized_at: float | None
) -> list[CheckStatus]:
    check_keys = sorted(graph.get_check_keys_for_assets({node.key}), key=lambda check: check.name)
    if not check_keys:
        return []
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    # The check nodes, which both the code location's graph and a snapshot's have (only the first has specs).
    specs = {check.key: check for check in graph.asset_check_nodes if check.key in set(check_keys)}
    checks = []
    for check_key in check_keys:
        spec = specs[check_key]
        record = records.get(check_key)
        if record is None:
            checks.append(CheckStatus(check_key.name, spec.description or "", spec.blocking, "NEVER_RUN"))
            continue
        evaluation = record.evaluation if record.status != AssetCheckExecutionRecordStatus.PLANNED else None
        evaluated_at = record.event.timestamp if record.event else record.create_timestamp
        checks.append(
            CheckStatus(
                name=check_key.name,
                description=spec.description or "",
                blocking=spec.blocking,
                status=record.status.value,
                passed=evaluation.passed if evaluation else None,
                severity=evaluation.severity.value if evaluation else None,
                result=(evaluation.description or "") if evaluation else "",
                evaluated_at=evaluated_at,
                outdated=materialized_at is not None and evaluated_at < materialized_at,
                details={name: getattr(value, "value", value) for name, value in evaluation.metadata.items()}
                if evaluation
                else {},
            )
        )
    return checks


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
