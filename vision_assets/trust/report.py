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
* ``trusted``: none of the above.

For a column, "computed from" follows column lineage (a failed check on a table the column does not read
does not touch it); for an asset, every upstream asset counts.
"""

import html
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import dagster as dg
from dagster._check import CheckError
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._time import get_current_datetime

from vision_assets.landing.contracts import BUSINESS_LINE_NAMES, SOURCE_TABLES_BY_NAME
from vision_assets.quality.ledger import describe_reasons
from vision_assets.raw.assets import QUARANTINE_CHECK
from vision_assets.trust.data_through import DataThrough, DataThroughReader
from vision_assets.trust.lineage import Lineage, column_schema_of, dotted, is_raw, trace, upstream_order
from vision_assets.trust.status import AssetStatus, read_status, when

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
    statuses = [read_status(instance, graph, asset) for asset in keys]
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
    return TrustReport(
        target=key,
        column=column,
        column_description=_column_description(graph, key, column),
        verdict=verdict,
        reason=reason,
        lineage=lineage,
        statuses=statuses,
    )


def report_for_materialization(context: dg.AssetExecutionContext) -> TrustReport:
    """The report on the asset this step materializes, written by the step itself (a trust panel).

    It reads the code location's asset graph; a run started outside a code location
    (``execute_in_process``, ``materialize``) knows only its own job's assets, and reports on those.
    """
    try:
        graph = context.repository_def.asset_graph
    except CheckError:
        graph = context.job_def.asset_layer.asset_graph
    return build_report(context.instance, graph, context.asset_key, materializing_run_id=context.run_id)


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
            lines or [f"{status.name} ({status.data.describe()})" for status in upstream if status.data.behind]
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


# ------------------------------------------------------------------------------------------------- text
def _checks_line(status: AssetStatus) -> str:
    if not status.checks:
        return "no checks"
    counts: dict[str, int] = {}
    for check in status.checks:
        label = (
            "never run"
            if check.status == "NEVER_RUN"
            else "planned, no result"
            if check.passed is None
            else "passed"
            if check.passed
            else "FAILED"
            if check.blocks_trust
            else "failed (warning)"
            if not check.outdated
            else "failed before the latest materialization"
        )
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{count} {label}" for label, count in counts.items())


def _freshness_line(status: AssetStatus) -> str:
    recorded = (
        f"; daemon last recorded {status.recorded_freshness} at {when(status.recorded_freshness_at)}"
        if status.recorded_freshness
        else ""
    )
    return f"{status.freshness} ({status.freshness_policy}){recorded}"


def _materialized_line(status: AssetStatus) -> str:
    if status.never_materialized:
        return "never materialized"
    line = f"{when(status.materialized_at)} (run {status.run_id[:8] or 'reported'})"
    if status.last_run_partitions:
        parts = status.last_run_partitions
        line += f", partitions {parts[0]}" + (f" to {parts[-1]} ({len(parts)})" if len(parts) > 1 else "")
    if status.row_count is not None:
        line += f", {status.row_count:,} rows" + (
            f" in partition {status.latest_partition}" if status.latest_partition else ""
        )
    return line


def _through_line(report: TrustReport) -> str:
    """'Data through 2026-10-30', with the business lines that are behind."""
    day = report.data_through
    text = f"Data through {day.isoformat()}" if day else "No dated data"
    behind = report.lines_behind()
    if behind:
        text += "; behind: " + ", ".join(
            f"{BUSINESS_LINE_NAMES.get(line, line)} (through {_day(last)})" for line, last in behind.items()
        )
    return text


def render_text(report: TrustReport) -> str:
    target = report.target_status
    lines = [
        f"{report.subject}: {report.verdict.upper()}",
        f"  {report.reason}",
        f"  {_through_line(report)}",
        *(f"  Held back: {sentence}" for sentence in report.held_back()),
        "",
    ]
    if report.column_description:
        lines += [f"{report.column}: {report.column_description}", ""]
    lines += [
        f"{target.name}: {target.description.splitlines()[0] if target.description else '(no description)'}",
        (
            f"  owners {', '.join(target.owners) or '-'}; group {target.group}; "
            f"kinds {', '.join(target.kinds)}; code version {target.code_version or '-'}"
        ),
        "",
    ]
    if report.column:
        lines.append("Computed from (column lineage):")
        for ref, parents in sorted(report.lineage.edges.items(), key=lambda item: str(item[0])):
            if parents:
                lines.append(f"  {ref}  <-  {', '.join(map(str, parents))}")
        lines.append("")
    lines.append("Raw columns and the landing files they were loaded from:")
    for key, columns in report.lineage.raw_columns().items():
        source = report.lineage.landing[key]
        lines.append(f"  {dotted(key)}: {', '.join(columns)}  <-  {source.files}")
    for key in sorted(report.lineage.seeds, key=dotted):
        lines.append(f"  {dotted(key)}: dbt seed vision_dbt/seeds/{key.path[-1]}.csv")
    if report.lineage.undeclared:
        lines.append(
            "  (no column lineage declared for "
            + ", ".join(sorted(map(dotted, report.lineage.undeclared)))
            + ": all of its upstream assets are counted)"
        )
    lines += ["", "Assets (latest materialization; freshness; checks):"]
    for status in report.statuses:
        lines.append(f"  {status.name}")
        lines.append(f"    materialized  {_materialized_line(status)}")
        if status.partitions:
            lines.append(f"    partitions    {status.partitions}")
        lines.append(f"    freshness     {_freshness_line(status)}")
        lines.append(f"    data          {status.data.describe()}")
        lines.append(f"    checks        {_checks_line(status)}")
        for check in status.checks:
            if check.passed is False:
                lines.append(f"      {check.name}: {check.severity} {check.result}".rstrip())
        if status.source_files:
            lines.append(
                f"    landing files {', '.join(status.source_files[:3])}"
                + (" ..." if len(status.source_files) > 3 else "")
            )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------- HTML
_VERDICT_COLOURS = {TRUSTED: "#1b7f3b", STALE: "#b26a00", FAILING: "#b42318", NEVER: "#616e7c"}

_STYLE = """
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1f2933; background: #f5f7fa; }
header, main { padding: 12px 32px; }
h1 { font-size: 24px; margin: 4px 0; } h2 { font-size: 18px; margin: 18px 0 6px; }
.verdict { display: inline-block; color: #fff; border-radius: 6px; padding: 2px 10px; font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; background: #fff; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; } code { font-size: 13px; } nav a { color: #1f5fa8; text-decoration: none; }
.FAIL, .FAILED { color: #b42318; font-weight: 600; } .PASS { color: #1b7f3b; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _lineage_table(rows: str) -> str:
    if not rows:
        return ""
    head = "<thead><tr><th>column</th><th>computed from</th></tr></thead>"
    return f"<h2>Column lineage</h2><table>{head}<tbody>{rows}</tbody></table>"


def _held_back_html(report: TrustReport) -> str:
    sentences = report.held_back()
    if not sentences:
        return ""
    items = "".join(f"<li>{_e(sentence)}</li>" for sentence in sentences)
    return (
        '<section class="held-back"><h2>Held back at the door</h2><p>Rows the latest loads quarantined (kept as '
        "they landed, with their reason, in the quarantine folder; analytics.data_quality has every day):</p>"
        f"<ul>{items}</ul></section>"
    )


def render_html(report: TrustReport, back_link: str | None = None) -> str:
    """The report as one self-contained page (no script, no request), e.g. beside a dashboard."""
    colour = _VERDICT_COLOURS[report.verdict]
    rows = []
    for status in report.statuses:
        rows.append(
            f'<tr data-asset="{_e(status.name)}"><td><code>{_e(status.name)}</code></td>'
            f"<td>{_e(', '.join(status.owners))}</td><td>{_e(_materialized_line(status))}</td>"
            f"<td>{_e(status.partitions)}</td>"
            f'<td class="{_e(status.freshness)}">{_e(_freshness_line(status))}</td>'
            f'<td class="{"FAIL" if status.data.behind else ""}">{_e(status.data.describe())}</td>'
            f'<td class="{"FAILED" if any(c.blocks_trust for c in status.checks) else ""}">'
            f"{_e(_checks_line(status))}</td></tr>"
        )
    failed = "".join(
        f"<li><code>{_e(status.name)}</code> {_e(check.name)}: {_e(check.severity)} {_e(check.result)}</li>"
        for status in report.statuses
        for check in status.checks
        if check.passed is False
    )
    edges = "".join(
        f"<tr><td><code>{_e(ref)}</code></td>"
        f"<td>{'<br>'.join(f'<code>{_e(parent)}</code>' for parent in parents)}</td></tr>"
        for ref, parents in sorted(report.lineage.edges.items(), key=lambda item: str(item[0]))
        if parents
    )
    raw = "".join(
        f"<tr><td><code>{_e(dotted(key))}</code></td><td>{_e(', '.join(columns))}</td>"
        f"<td><code>{_e(report.lineage.landing[key].files)}</code></td></tr>"
        for key, columns in report.lineage.raw_columns().items()
    ) + "".join(
        f"<tr><td><code>{_e(dotted(key))}</code></td><td>(dbt seed)</td>"
        f"<td><code>vision_dbt/seeds/{_e(key.path[-1])}.csv</code></td></tr>"
        for key in sorted(report.lineage.seeds, key=dotted)
    )
    back = f'<nav><a href="{_e(back_link)}">&larr; Back to the dashboard</a></nav>' if back_link else ""
    description = report.target_status.description
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trust: {_e(report.subject)} · Vision</title><style>{_STYLE}</style></head>
<body data-trust="{_e(report.subject)}" data-verdict="{_e(report.verdict)}">
<header>{back}
<h1>Can I trust <code>{_e(report.subject)}</code>?</h1>
<p><span class="verdict" style="background:{colour}">{_e(report.verdict)}</span> {_e(report.reason)}</p>
<p class="through" data-through="{_e(report.data_through or "")}">{_e(_through_line(report))}</p>
{_held_back_html(report)}
<p>{_e(description.splitlines()[0] if description else "")}</p>
<p>Report written {when(report.generated_at)} from the Dagster instance and the definitions
(same as <code>vision trust {_e(report.subject)}</code>).</p>
</header>
<main>
<h2>Assets it is computed from</h2>
<table><thead><tr><th>asset</th><th>owners</th><th>latest materialization</th><th>partitions</th>
<th>freshness</th><th>data</th><th>checks</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
{f"<h2>Failed checks</h2><ul>{failed}</ul>" if failed else ""}
<h2>Raw columns and landing files</h2>
<table><thead><tr><th>raw table</th><th>columns read</th><th>landed as</th></tr></thead>
<tbody>{raw}</tbody></table>
{_lineage_table(edges)}
</main>
</body>
</html>
"""
