"""The trust report: lineage, state of every asset on the way, and a one-line verdict with its reason.

Verdicts, in order of precedence:

* ``never materialized``: the asset, or an asset it is computed from, has no materialization.
* ``failing checks``: a check on the asset or on an asset it is computed from failed on the data there now
  with severity ERROR (a WARN failure, or a check evaluated before the asset last materialized, is reported
  but does not count).
* ``stale``: the asset or an asset it is computed from is past its freshness deadline without a
  materialization inside its window (Dagster's freshness state FAIL), or its data ends on a day older than
  its policy allows, however recently it was rebuilt (:mod:`vision_assets.trust.data_through`); the reason
  names the business lines whose raw tables are behind.
* ``provisional``: a live table (``live.*``) holding a day the books have not confirmed yet
  (:mod:`vision_assets.trust.provisional`).
* ``trusted``: none of the above.

For a column, "computed from" follows column lineage (a failed check on a table the column does not read
does not touch it); for an asset, every upstream asset counts.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._time import get_current_datetime

from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, SOURCE_TABLES_BY_NAME
from vision_assets.raw.names import QUARANTINE_CHECK
from vision_assets.trust.data_through import DataThrough, DataThroughReader
from vision_assets.trust.lineage import Lineage, column_schema_of, dotted, is_raw, trace, upstream_order
from vision_assets.trust.provisional import is_live, live_verdict
from vision_assets.trust.status import AssetStatus, read_statuses, when

TRUSTED = "trusted"
STALE = "stale"
FAILING = "failing checks"
NEVER = "never materialized"


@dataclass
class TrustReport:
    target: dg.AssetKey
    column: str | None
    column_description: str
    verdict: str
    reason: str
    lineage: Lineage
    statuses: list[AssetStatus]
    generated_at: float = field(default_factory=lambda: datetime.now(UTC).timestamp())

    @property
    def subject(self) -> str:
        return dotted(self.target) + (f".{self.column}" if self.column else "")

    @property
    def target_status(self) -> AssetStatus:
        return self.statuses[0]

    @property
    def data_through(self) -> date | None:
        """The last day of data in the target."""
        return self.target_status.data.day

    def held_back(self) -> list[str]:
        """What the latest load of each raw table it is computed from quarantined, in sentences."""
        return held_back(self.statuses)

    def lines_behind(self) -> dict[str, date | None]:
        """Business lines whose raw tables, among what the target is computed from, hold data older than
        their policy allows (or none): each with the last day all its tables here reach."""
        return lines_behind(self.statuses)


def build_report(
    instance: dg.DagsterInstance,
    graph: BaseAssetGraph,
    key: dg.AssetKey,
    column: str | None = None,
    materializing_run_id: str | None = None,
    now: datetime | None = None,
) -> TrustReport:
    """The report on ``key`` (or one column of it), as of ``now`` (naive UTC; by default the clock's).

    ``materializing_run_id``: the report is written by the run materializing ``key`` (a dashboard's trust
    panel), so ``key`` counts as materialized now by that run; what it is computed from is read as recorded.
    """
    # Dagster's clock, which its freshness evaluators read too (tests move both with freeze_time).
    now = now or get_current_datetime().astimezone(UTC).replace(tzinfo=None)
    lineage = trace(graph, key, column)
    keys = upstream_order(graph, {key, *lineage.assets})
    statuses = read_statuses(instance, graph, keys)
    reader = DataThroughReader(instance, graph)
    for status in statuses:
        building = materializing_run_id is not None and status.key == key
        status.data = reader.data_through(status.key, now, building=building)
    if materializing_run_id is not None:
        target = statuses[0]
        target.materialized_at = datetime.now(UTC).timestamp()
        target.run_id = materializing_run_id
        target.freshness = "PASS"
        target.last_run_partitions = []
        # Whatever its checks said was about the data this run replaces.
        target.checks = [replace(check, outdated=check.evaluated_at is not None) for check in target.checks]
    verdict, reason = decide(statuses[0], statuses[1:])
    if verdict == TRUSTED and is_live(key):
        verdict, reason = live_verdict(instance, statuses[0]) or (verdict, reason)
    return TrustReport(
        target=key,
        column=column,
        column_description=_column_description(graph, key, column),
        verdict=verdict,
        reason=reason,
        lineage=lineage,
        statuses=statuses,
    )


def decide(target: AssetStatus, upstream: list[AssetStatus]) -> tuple[str, str]:
    """The verdict and its reason, from the target's state and the states of what it is computed from."""
    if target.never_materialized:
        return NEVER, f"{target.name} has never been materialized"
    never = [status.name for status in upstream if status.never_materialized]
    if never:
        return NEVER, f"computed from {_list(never)}, never materialized"
    failing = [
        f"{status.name}: {check.name}" + (f" ({check.result})" if check.result else "")
        for status in (target, *upstream)
        for check in status.checks
        if check.blocks_trust
    ]
    if failing:
        return FAILING, f"{len(failing)} failing check(s): {_list(failing)}"
    if target.reports_on_landings:  # a missing landing is its content, not a fault of its data
        upstream = [replace(status, data=DataThrough(status.data.day, None)) for status in upstream]
    behind = lines_behind([target, *upstream])
    if target.data.behind or behind:
        lines = [
            f"{BUSINESS_LINE_NAMES.get(line, line)} is behind (its exports reach {_day(day)})"
            for line, day in behind.items()
        ]
        return STALE, f"{target.data.describe()}: " + _list(
            lines
            or [f"{status.name} ({status.data.describe()})" for status in upstream if status.data.behind]
        )
    stale = [status for status in (target, *upstream) if status.stale]
    if stale:
        return STALE, "past the freshness deadline without a new materialization: " + _list(
            [
                f"{status.name} (last materialized {when(status.materialized_at)}; {status.freshness_policy})"
                for status in stale
            ]
        )
    checks = sum(1 for status in (target, *upstream) for check in status.checks if check.passed)
    return TRUSTED, (
        f"{target.name} materialized {when(target.materialized_at)}, {target.data.describe()}; "
        f"it and the {len(upstream)} asset(s) it is "
        f"computed from are fresh against their policies, and {checks} check(s) on them passed"
    )


def lines_behind(statuses: list[AssetStatus]) -> dict[str, date | None]:
    """Business lines with a raw table among ``statuses`` whose data is older than its policy allows, each
    with the earliest last day among its tables there."""
    behind: dict[str, date | None] = {}
    for status in statuses:
        if is_raw(status.key) and status.business_line and status.data.behind:
            day = status.data.day
            known = behind.get(status.business_line, day)
            behind[status.business_line] = min(day, known) if day and known else day or known
    return dict(sorted(behind.items()))


def held_back(statuses: list[AssetStatus]) -> list[str]:
    """'3 rows of Vision Mart reviews quarantined in its latest load (2026-10-01): 3 rows: rating is not
    between 1 and 5', for each raw table among ``statuses`` whose latest load held rows back."""
    sentences = []
    for status in statuses:
        if not is_raw(status.key):
            continue
        for check in status.checks:
            if check.name == QUARANTINE_CHECK and check.passed is False and not check.outdated:
                # Imported here: the ledger brings pandas, which only a load that held rows back needs.
                from vision_assets.quality.ledger import describe_reasons

                table = SOURCE_TABLES_BY_NAME[status.key.path[-1]]
                parts = status.last_run_partitions or [status.latest_partition or "?"]
                days = parts[0] if len(parts) == 1 else f"{parts[0]} to {parts[-1]}"
                rows = check.details.get("rows_quarantined", 0)
                sentences.append(
                    f"{rows} row{'s' if rows != 1 else ''} of {BUSINESS_LINE_NAMES[table.line]} {table.table} "
                    f"quarantined in its latest load ({days}): "
                    + describe_reasons(check.details.get("rows_by_reason") or {})
                )
    return sentences


def _day(day: date | None) -> str:
    return day.isoformat() if day else "no day yet"


def _list(items: list[str], limit: int = 5) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def _column_description(graph: BaseAssetGraph, key: dg.AssetKey, column: str | None) -> str:
    if column is None:
        return ""
    schema = column_schema_of(graph, key)
    for declared in schema.columns if schema else []:
        if declared.name == column:
            return declared.description or ""
    return ""
