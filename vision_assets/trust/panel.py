"""The trust panel: the verdict first, then what would change it and a picture of the lineage; the state of
every asset on the way follows, for whoever wants it.

One :class:`TrustPanel` in two forms: ``render_text`` is the answer of ``vision trust``, ``render_html`` the
page beside each dashboard (``<dashboard>.trust.html``, written from
``vision_assets/pages/templates/trust.html.j2``, with no script and no request). A panel is built from a
:class:`~vision_assets.trust.report.TrustReport` and the asset graph the report was built from: the graph
gives the lineage picture its edges and each asset its freshness deadline.
"""

import itertools
import textwrap
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.freshness import FreshnessState
from dagster._utils.schedules import cron_string_iterator

from vision_assets import pages
from vision_assets.landing.contracts import BUSINESS_LINE_NAMES
from vision_assets.live.names import RECONCILIATION_KEY
from vision_assets.trust.data_through import expected_day
from vision_assets.trust.lineage import dotted, is_raw
from vision_assets.trust.provisional import PROVISIONAL
from vision_assets.trust.report import FAILING, NEVER, STALE, TRUSTED, TrustReport
from vision_assets.trust.status import AssetStatus, when

# The states an asset is drawn in: the verdicts' words, as it would be judged on its own.
STATES = (TRUSTED, PROVISIONAL, STALE, FAILING, NEVER)


@dataclass(frozen=True)
class Change:
    """One thing that must happen for the verdict to change, and the assets it is about."""

    what: str
    assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changes:
    """What would change the verdict: for a trusted one, what would make it stale next."""

    heading: str
    items: tuple[Change, ...]
    note: str = ""


@dataclass(frozen=True)
class Node:
    """An asset in the lineage picture: its box, its label and its state."""

    name: str
    state: str
    distance: int
    x: float
    y: float
    width: float
    label_x: float
    label_y: float
    title: str
    is_target: bool


@dataclass(frozen=True)
class Edge:
    """A line from an asset to one that reads it, as SVG path data."""

    source: str
    target: str
    path: str


@dataclass(frozen=True)
class ColumnLabel:
    """Above a column of the picture: how many steps its assets are from the metric."""

    x: float
    text: str


@dataclass(frozen=True)
class LineagePicture:
    width: float
    height: float
    box_height: float
    label_y: float
    columns: tuple[ColumnLabel, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def count(self, state: str) -> int:
        return sum(1 for node in self.nodes if node.state == state)


@dataclass(frozen=True)
class Cell:
    text: str
    # The trust state the cell shows in colour, if any.
    state: str | None = None


@dataclass(frozen=True)
class TrustPanel:
    report: TrustReport
    changes: Changes
    lineage: LineagePicture
    # The table of every asset on the way, folded away below the picture.
    assets: tuple[dict[str, Cell | str], ...]


def panel_of(report: TrustReport, graph: BaseAssetGraph) -> TrustPanel:
    return TrustPanel(
        report=report,
        changes=what_would_change(report, graph),
        lineage=lineage_picture(report, graph),
        assets=tuple(_asset_row(status) for status in report.statuses),
    )


def asset_state(status: AssetStatus) -> str:
    """An asset's state in the verdicts' words and order, judged on its own (what it reads aside)."""
    if status.never_materialized:
        return NEVER
    if any(check.blocks_trust for check in status.checks):
        return FAILING
    if status.stale:
        return STALE
    return TRUSTED


# ------------------------------------------------------------------------------------- what would change it
def what_would_change(report: TrustReport, graph: BaseAssetGraph) -> Changes:
    """What must happen for the verdict to change, from the report's own data: for ``never materialized``
    what to materialize, for ``failing checks`` which checks on which assets must pass, for ``stale`` which
    business lines' days must land and which assets be rebuilt, for ``trusted`` the deadlines ahead."""
    steps = _steps(report, graph)
    upstream_first = sorted(report.statuses, key=lambda status: (steps[status.name], status.name))
    if report.verdict == NEVER:
        return _to_materialize(upstream_first, steps)
    if report.verdict == FAILING:
        return _checks_to_pass(upstream_first)
    if report.verdict == STALE:
        return _to_land_and_rebuild(report.target_status, upstream_first, graph)
    if report.verdict == PROVISIONAL:
        return Changes(
            heading="What would confirm it",
            items=(
                Change(
                    "the day's batch export lands, the daily lane builds its facts, and "
                    f"{'.'.join(RECONCILIATION_KEY.path)} passes its check for that day",
                    (".".join(RECONCILIATION_KEY.path),),
                ),
            ),
        )
    return _next_deadlines(upstream_first, graph)


def _steps(report: TrustReport, graph: BaseAssetGraph) -> dict[str, int]:
    """Each asset's step from the landings: 1 reads nothing on the way, then one more than what it reads."""
    statuses = {status.key: status for status in report.statuses}
    step: dict = {}

    def of(key) -> int:
        if key not in step:
            parents = [parent for parent in graph.get(key).parent_keys if parent in statuses]
            step[key] = 1 + max((of(parent) for parent in parents), default=0)
        return step[key]

    return {status.name: of(status.key) for status in report.statuses}


def _to_materialize(upstream_first: list[AssetStatus], steps: dict[str, int]) -> Changes:
    never = [status for status in upstream_first if status.never_materialized]
    items = [
        Change(f"Materialize, step {number}", _names(statuses))
        for number, (_, statuses) in enumerate(_runs(never, lambda status: steps[status.name]), start=1)
    ]
    return Changes(
        "What would change it",
        tuple(items),
        "Never materialized so far. Each step reads only what the steps before it build; materialized "
        "together, Dagster runs them in this order.",
    )


def _checks_to_pass(upstream_first: list[AssetStatus]) -> Changes:
    items = [
        Change(
            f"{check.name}" + (f" (it failed: {check.result})" if check.result else "") + " must pass on",
            (status.name,),
        )
        for status in upstream_first
        for check in status.checks
        if check.blocks_trust
    ]
    return Changes(
        "What would change it",
        tuple(items),
        "A check runs again when its asset is next materialized (a partition freshness check when "
        "partition_freshness_sensor next evaluates it); a failure older than the asset's latest "
        "materialization no longer counts.",
    )


def _to_land_and_rebuild(
    target: AssetStatus, upstream_first: list[AssetStatus], graph: BaseAssetGraph
) -> Changes:
    def action(status: AssetStatus) -> tuple | None:
        # As the verdict does: an asset that reports on the landings is not judged by its inputs' days.
        if status.data.behind and (status.key == target.key or not target.reports_on_landings):
            days = (status.data.day + timedelta(days=1), status.data.expected)
            if is_raw(status.key):
                return ("land", *days, status.business_line)
            return ("partitions" if _partitioned(graph, status) else "rebuild", *days)
        if status.freshness == FreshnessState.FAIL.value:
            return ("again", status.freshness_policy)
        return None

    acting = [(status, action(status)) for status in upstream_first]
    items = [
        Change(_stale_action(*key), _names(status for status, _ in entries))
        for key, entries in _runs([entry for entry in acting if entry[1]], lambda entry: entry[1])
    ]
    return Changes("What would change it", tuple(items), _IN_THIS_ORDER)


def _stale_action(kind: str, *details) -> str:
    if kind == "land":
        first, last, line = details
        return f"The exports of {_days(first, last)} from {_line_name(line)} must land and load"
    if kind == "partitions":
        return f"Materialize the partitions {_days(*details)}"
    if kind == "rebuild":
        return f"Rebuild from inputs through {details[1]}"
    return f"Materialize again, as its freshness policy asks: {details[0]}"


def _next_deadlines(upstream_first: list[AssetStatus], graph: BaseAssetGraph) -> Changes:
    """Each asset's next deadline and what it asks, the earliest first."""
    due = []
    for status in upstream_first:
        next_due = _next_due(status, graph)
        if next_due is not None:
            due.append((*next_due, status))
    if not due:
        return Changes(
            "What would make it stale next",
            (),
            "Nothing on the way has a freshness deadline: it does not turn stale with time.",
        )
    due.sort(key=lambda item: item[0])
    items = [
        Change(f"By {tick:%Y-%m-%d %H:%M} UTC, {what}", _names(entry[2] for entry in entries))
        for (tick, what), entries in _grouped(due, lambda item: (item[0], item[1])).items()
    ]
    return Changes(
        "What would make it stale next",
        tuple(items),
        f"Trusted until {due[0][0]:%Y-%m-%d %H:%M} UTC at least; each of these missing its deadline turns "
        "the verdict stale.",
    )


def _next_due(status: AssetStatus, graph: BaseAssetGraph) -> tuple[datetime, str] | None:
    """The asset's next deadline and what it asks, of two: the day after its last one, once the deadline
    that expects it passes (data_through's rule); a new materialization, once the last one is older than
    the policy's window before a deadline (Dagster's cron freshness)."""
    policy = graph.get(status.key).freshness_policy_or_from_metadata
    cron = getattr(policy, "deadline_cron", None)
    if cron is None:
        return None
    candidates = []
    if status.data.day is not None and status.data.expected is not None:
        next_day = status.data.day + timedelta(days=1)
        ticks = _ticks(cron, policy.timezone, datetime.combine(next_day, time(), UTC))
        tick = next(tick for tick in ticks if expected_day(cron, _naive_utc(tick)) > status.data.day)
        candidates.append((tick, _due_data(status, graph, next_day)))
    if status.materialized_at is not None:
        window_end = datetime.fromtimestamp(status.materialized_at, UTC) + policy.lower_bound_delta
        tick = next(tick for tick in _ticks(cron, policy.timezone, window_end) if tick > window_end)
        candidates.append((tick, "must be materialized again"))
    return min(candidates) if candidates else None


def _due_data(status: AssetStatus, graph: BaseAssetGraph, day: date) -> str:
    if is_raw(status.key):
        return f"the export of {day} from {_line_name(status.business_line)} must have landed and loaded"
    if _partitioned(graph, status):
        return f"partition {day} must be materialized"
    return f"must be rebuilt from inputs through {day}"


def _ticks(cron: str, timezone: str, start: datetime) -> Iterator[datetime]:
    """The deadlines of ``cron`` from ``start`` on, in UTC."""
    return (tick.astimezone(UTC) for tick in cron_string_iterator(start.timestamp(), cron, timezone))


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _partitioned(graph: BaseAssetGraph, status: AssetStatus) -> bool:
    return graph.get(status.key).partitions_def is not None


_IN_THIS_ORDER = "In this order: each reads only what is listed before it."


def _runs(items: list, key: Callable[[object], Hashable]) -> list[tuple[Hashable, list]]:
    """Items in their order, neighbours with the same ``key`` together."""
    return [(value, list(run)) for value, run in itertools.groupby(items, key)]


def _grouped(items: Iterable, key: Callable[[object], Hashable]) -> dict[Hashable, list]:
    """Items by ``key``, groups in the order of their first item."""
    groups: dict[Hashable, list] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _names(statuses: Iterable[AssetStatus]) -> tuple[str, ...]:
    return tuple(status.name for status in statuses)


def _line_name(line: str | None) -> str:
    return BUSINESS_LINE_NAMES.get(line, line or "its business line")


def _days(first: date, last: date) -> str:
    return f"{first}" if first == last else f"{first} to {last}"


# ----------------------------------------------------------------------------------------- lineage picture
# Drawn here rather than by a library: Graphviz would need its binary on every machine that materializes a
# dashboard, and networkx's multipartite layout places layers but neither orders a layer to keep lines
# short nor sizes boxes to their labels. A layered drawing of a few dozen assets needs three steps: each
# asset's layer is its longest distance to the metric (so every line runs one way, right to the metric),
# a few barycentre sweeps order each layer by the positions of what it feeds and reads, and boxes are as
# wide as their monospace labels.
_BOX_HEIGHT = 22
_ROW_PITCH = 28
_COLUMN_GAP = 56
_MARGIN = 4
# Room above the columns for their labels.
_HEADER = 20
# The labels are 12 px monospace (vision.css): 0.6 em, 7.2 px, a character.
_CHARACTER_WIDTH = 7.2
_LABEL_PADDING = 8
_SWEEPS = 4


def lineage_picture(report: TrustReport, graph: BaseAssetGraph) -> LineagePicture:
    """Every asset of the report, in layers by distance from the metric (the metric on the right)."""
    statuses = {status.name: status for status in report.statuses}
    target = report.target_status.name
    parents = {
        name: sorted(
            dotted(parent) for parent in graph.get(status.key).parent_keys if dotted(parent) in statuses
        )
        for name, status in statuses.items()
    }
    children: dict[str, list[str]] = {name: [] for name in statuses}
    for name, reads in parents.items():
        for parent in reads:
            children[parent].append(name)
    distance = _distances(target, children)
    columns = _ordered_columns(distance, parents, children)
    widths = [max(_box_width(name) for name in column) for column in columns]
    tallest = max(len(column) for column in columns) * _ROW_PITCH - (_ROW_PITCH - _BOX_HEIGHT)
    height = _HEADER + tallest + 2 * _MARGIN
    boxes: dict[str, tuple[float, float, float]] = {}
    labels = []
    x = _MARGIN
    for steps, column, width in reversed(list(zip(range(len(columns)), columns, widths, strict=True))):
        top = _HEADER + _MARGIN + (tallest - (len(column) * _ROW_PITCH - (_ROW_PITCH - _BOX_HEIGHT))) / 2
        for row, name in enumerate(column):
            boxes[name] = (x, top + row * _ROW_PITCH, _box_width(name))
        labels.append(
            ColumnLabel(
                round(x, 1), f"{steps} step{'s' if steps > 1 else ''} away" if steps else "the metric"
            )
        )
        x += width + _COLUMN_GAP
    nodes = tuple(
        Node(
            name=name,
            state=asset_state(statuses[name]),
            distance=distance[name],
            x=round(left, 1),
            y=round(top, 1),
            width=round(width, 1),
            label_x=round(left + _LABEL_PADDING, 1),
            label_y=round(top + _BOX_HEIGHT / 2 + 4, 1),
            title=_node_title(statuses[name]),
            is_target=name == target,
        )
        for name, (left, top, width) in boxes.items()
    )
    edges = tuple(
        _edge(parent, boxes[parent], child, boxes[child])
        for child, reads in parents.items()
        for parent in reads
    )
    return LineagePicture(
        width=round(x - _COLUMN_GAP + _MARGIN, 1),
        height=round(height, 1),
        box_height=_BOX_HEIGHT,
        label_y=_MARGIN + 12,
        columns=tuple(labels),
        nodes=nodes,
        edges=edges,
    )


def _distances(target: str, children: dict[str, list[str]]) -> dict[str, int]:
    """The most steps from each asset down to the target."""
    distance: dict[str, int] = {target: 0}

    def of(name: str) -> int:
        if name not in distance:
            distance[name] = 1 + max((of(child) for child in children[name]), default=0)
        return distance[name]

    for name in children:
        of(name)
    return distance


def _ordered_columns(
    distance: dict[str, int], parents: dict[str, list[str]], children: dict[str, list[str]]
) -> list[list[str]]:
    """The assets of each distance (0: the target), ordered so lines between columns cross little."""
    columns = [
        sorted(name for name in distance if distance[name] == layer)
        for layer in range(max(distance.values()) + 1)
    ]

    def positions() -> dict[str, float]:
        tallest = max(len(column) for column in columns)
        return {
            name: (tallest - len(column)) / 2 + row for column in columns for row, name in enumerate(column)
        }

    def by_mean_of(neighbours: dict[str, list[str]], column: list[str]) -> list[str]:
        place = positions()

        def mean(name: str) -> float:
            known = [place[other] for other in neighbours[name]]
            return sum(known) / len(known) if known else place[name]

        return sorted(column, key=lambda name: (mean(name), name))

    for _ in range(_SWEEPS):
        for layer in range(1, len(columns)):  # away from the metric: by what each feeds
            columns[layer] = by_mean_of(children, columns[layer])
        for layer in range(len(columns) - 2, -1, -1):  # back towards it: by what each reads
            columns[layer] = by_mean_of(parents, columns[layer])
    return columns


def _box_width(name: str) -> float:
    return len(name) * _CHARACTER_WIDTH + 2 * _LABEL_PADDING


def _edge(parent: str, parent_box: tuple, child: str, child_box: tuple) -> Edge:
    """From the right of the asset read to the left of the one reading it: level where it leaves and where
    it arrives, bending between."""
    x1, y1 = parent_box[0] + parent_box[2], parent_box[1] + _BOX_HEIGHT / 2
    x2, y2 = child_box[0], child_box[1] + _BOX_HEIGHT / 2
    leave, arrive = x1 + _COLUMN_GAP / 2, x2 - _COLUMN_GAP / 2
    return Edge(
        parent, child, f"M{x1:.1f},{y1:.1f} C{leave:.1f},{y1:.1f} {arrive:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    )


def _node_title(status: AssetStatus) -> str:
    return (
        f"{status.name}: {asset_state(status)}; {status.data.describe()}; "
        f"last materialized {when(status.materialized_at)}; checks: {_checks_line(status)}"
    )


# ------------------------------------------------------------------------------------------- asset table
def _asset_row(status: AssetStatus) -> dict[str, Cell | str]:
    return {
        "name": status.name,
        "owners": ", ".join(status.owners),
        "materialized": Cell(_materialized_line(status), NEVER if status.never_materialized else None),
        "partitions": status.partitions,
        "freshness": Cell(
            _freshness_line(status),
            STALE
            if status.freshness == FreshnessState.FAIL.value
            else TRUSTED
            if status.freshness == FreshnessState.PASS.value
            else None,
        ),
        "data": Cell(status.data.describe(), STALE if status.data.behind else None),
        "checks": Cell(
            _checks_line(status), FAILING if any(check.blocks_trust for check in status.checks) else None
        ),
    }


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
            f"{_line_name(line)} (through {last.isoformat() if last else 'no day yet'})"
            for line, last in behind.items()
        )
    return text


# ---------------------------------------------------------------------------------------------------- text
def render_text(report: TrustReport, graph: BaseAssetGraph) -> str:
    """The panel as ``vision trust`` prints it: the verdict and what would change it first."""
    target = report.target_status
    changes = what_would_change(report, graph)
    lines = [
        f"{report.subject}: {report.verdict.upper()}",
        f"  {report.reason}",
        f"  {_through_line(report)}",
        "",
        f"{changes.heading}:",
    ]
    for change in changes.items:
        lines.append(f"  - {change.what}" + (":" if change.assets else ""))
        if change.assets:
            lines.append(
                textwrap.fill(
                    ", ".join(change.assets),
                    width=110,
                    initial_indent=" " * 6,
                    subsequent_indent=" " * 6,
                    break_on_hyphens=False,
                )
            )
    if changes.note:
        lines.append(textwrap.fill(changes.note, width=110, initial_indent="  ", subsequent_indent="  "))
    lines += [*(f"  Held back: {sentence}" for sentence in report.held_back()), ""]
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


# ---------------------------------------------------------------------------------------------------- HTML
def render_html(report: TrustReport, graph: BaseAssetGraph, back_link: str | None = None) -> str:
    """The panel as one self-contained page (no script, no request), e.g. beside a dashboard."""
    panel = panel_of(report, graph)
    description = report.target_status.description
    return pages.render(
        "trust.html.j2",
        panel=panel,
        report=report,
        states=STATES,
        back_link=back_link,
        through=_through_line(report),
        description=description.splitlines()[0] if description else "",
        written=when(report.generated_at),
        failed_checks=[
            (status.name, check)
            for status in report.statuses
            for check in status.checks
            if check.passed is False
        ],
        column_lineage=[
            (str(ref), [str(parent) for parent in parents])
            for ref, parents in sorted(report.lineage.edges.items(), key=lambda item: str(item[0]))
            if parents
        ],
        raw_columns=[
            (dotted(key), ", ".join(columns), report.lineage.landing[key].files)
            for key, columns in report.lineage.raw_columns().items()
        ]
        + [
            (dotted(key), "(dbt seed)", f"vision_dbt/seeds/{key.path[-1]}.csv")
            for key in sorted(report.lineage.seeds, key=dotted)
        ],
    )
