"""``vision trust <asset or column>``: may I use this number? (The ``vision`` command is :mod:`vision_assets.cli`.)

    vision trust demand.fct_daily_demand
    vision trust demand.fct_daily_demand.net_revenue_usd

    vision trust --json demand.fct_daily_demand.net_revenue_usd    # for tools

It reads the Dagster instance (``DAGSTER_HOME``, by default ``data/dagster_home``, the one ``make run`` and
``make dev`` use) and the code location's asset graph (a snapshot of it while the code is unchanged:
:mod:`vision_assets.trust.graph_snapshot`), and prints the verdict and what would change it first, then where
the value comes from, when each asset on the way was materialized and for which partitions, whether each is
fresh, and which checks ran and what they said. The exit status is 0 for trusted, 1 otherwise, 2 for a name
it cannot find.
"""

import dataclasses
import json
import sys

import dagster as dg

from vision_assets.trust.graph_snapshot import asset_graph
from vision_assets.trust.lineage import resolve
from vision_assets.trust.panel import render_text, what_would_change
from vision_assets.trust.report import TRUSTED, TrustReport, build_report


def trust(target: str, as_json: bool = False) -> int:
    graph = asset_graph()
    try:
        key, column = resolve(graph, target)
    except LookupError as error:
        print(f"vision trust: {error}", file=sys.stderr)
        return 2
    from vision_assets.instance import vision_instance

    with vision_instance() as instance:
        report = build_report(instance, graph, key, column)
    if as_json:
        print(json.dumps(_plain(report_as_json(report, graph)), indent=2))
    else:
        print(render_text(report, graph), end="")
    return 0 if report.verdict == TRUSTED else 1


def report_as_json(report: TrustReport, graph) -> dict:
    """The report for tools: the verdict and what would change it first, then every asset on the way."""
    changes = what_would_change(report, graph)
    return {
        "subject": report.subject,
        "verdict": report.verdict,
        "reason": report.reason,
        "what_would_change": {
            "heading": changes.heading,
            "items": list(changes.items),
            "note": changes.note,
        },
        "data_through": report.data_through,
        "column_description": report.column_description,
        "generated_at": report.generated_at,
        "assets": report.statuses,
    }


def _plain(value):
    """What the report holds as JSON values: asset keys as ``schema.table``, dataclasses as objects, days in
    ISO 8601; timestamps stay Unix seconds, as the report holds them. (Asset keys are tuples to the json
    module, which would write them as lists, hence converting before dumping.)"""
    if isinstance(value, dg.AssetKey):
        return ".".join(value.path)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
