"""``vision``: the command installed with the package.

    vision trust demand.fct_daily_demand.net_revenue_usd     # may I use this number? (vision_assets/trust/)
    vision trust --json demand.fct_daily_demand              # the same, for tools
    vision migrate --from duckdb --to snowflake              # move the warehouse (vision_assets/migrate/)
    vision migrate --to duckdb:/backups/vision.duckdb        # or copy it to another DuckDB file

Both read the Dagster instance ``DAGSTER_HOME`` names (by default ``data/dagster_home``, the one
``make run`` and ``make dev`` use). Each command's module is imported only when it runs.
"""

import argparse
import atexit
import gc
import sys

from vision_assets.collector import garbage_collector_paused


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
    trust_command.add_argument("--json", action="store_true", help="print the report as JSON, for tools")
    migrate_command = commands.add_parser(
        "migrate",
        help="copy every table to another warehouse, verified, resumable, recorded in the instance",
        description=(
            "Copy every table of every schema, partition by partition, verifying each partition's rows and "
            "content hash on both sides. Killed and run again, it finishes without copying twice; run again "
            "after success, it changes nothing. Exit status 1 when any table or partition differs."
        ),
    )
    migrate_command.add_argument(
        "--from",
        dest="source",
        default="duckdb",
        help="duckdb (the configured file, VISION_DUCKDB_PATH) or duckdb:<path> (default duckdb)",
    )
    migrate_command.add_argument(
        "--to",
        dest="target",
        required=True,
        help="snowflake (the account the SNOWFLAKE_* variables name) or duckdb:<path>",
    )
    migrate_command.add_argument(
        "--no-record",
        action="store_true",
        help="do not record the copied partitions in the Dagster instance as materialized",
    )
    args = parser.parse_args(argv)
    if args.command == "trust":
        # One answer, then the process exits: the garbage collector would only walk everything loaded again
        # and again, while answering and in the interpreter's collections at exit (about 0.4 s of a warm
        # answer), which freezing everything, the last thing before exit, leaves out.
        atexit.register(gc.freeze)
        with garbage_collector_paused():
            from vision_assets.trust.cli import trust

            return trust(args.target, as_json=args.json)
    from vision_assets.migrate.cli import migrate

    return migrate(args.source, args.target, record=not args.no_record)


if __name__ == "__main__":
    sys.exit(main())
