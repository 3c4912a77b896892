"""``vision``: the command installed with the package. ``vision trust <asset or column>``.

    vision trust demand.fct_daily_demand
    vision trust demand.fct_daily_demand.net_revenue_usd

It reads the Dagster instance (``DAGSTER_HOME``, by default ``data/dagster_home``, the one ``make run`` and
``make dev`` use) and the code location's definitions, and prints where the value comes from, when each
asset on the way was materialized and for which partitions, whether each is fresh, which checks ran and
what they said, and a verdict. The exit status is 0 for trusted, 1 otherwise, 2 for a name it cannot find.
"""

import argparse
import os
import sys

import dagster as dg

from vision_assets.paths import data_dir
from vision_assets.trust.lineage import resolve
from vision_assets.trust.report import TRUSTED, build_report, render_text


def _instance() -> dg.DagsterInstance:
    if not os.environ.get("DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(data_dir() / "dagster_home")
        os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    return dg.DagsterInstance.get()


def trust(target: str) -> int:
    from vision_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    try:
        key, column = resolve(graph, target)
    except LookupError as error:
        print(f"vision trust: {error}", file=sys.stderr)
        return 2
    with _instance() as instance:
        report = build_report(instance, graph, key, column)
    print(render_text(report), end="")
    return 0 if report.verdict == TRUSTED else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vision", description="Vision: four businesses, one warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    trust_command = commands.add_parser(
        "trust",
        help="where a table or column comes from, how fresh it is, whether its checks passed",
        description="Trust before use: lineage back to the landing files, freshness, checks and a verdict.",
    )
    trust_command.add_argument(
        "target", help="schema.table or schema.table.column, e.g. demand.fct_daily_demand"
    )
    args = parser.parse_args(argv)
    return trust(args.target)


if __name__ == "__main__":
    sys.exit(main())
