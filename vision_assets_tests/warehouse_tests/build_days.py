"""Build every asset for a window of landed days on the warehouse ``VISION_WAREHOUSE`` names, in a process of
its own (the backend is chosen once per process), and print what the run did as one JSON line.

    VISION_WAREHOUSE=snowflake SNOWFLAKE_...=... \\
        python -m vision_assets_tests.warehouse_tests.build_days --first 2026-05-30 --last 2026-06-02

The landing zone and the data folder come from ``VISION_LANDING_ROOT`` and ``VISION_DATA_DIR``. The JSON holds
whether the run succeeded, the failed steps with their errors, every check's outcome (passed, warned or
failed, as `make run` counts them), and each dashboard's
headline totals as its materialization recorded them (``total/...``).
"""

import argparse
import json
import sys
from datetime import date


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=date.fromisoformat, required=True)
    parser.add_argument("--last", type=date.fromisoformat, required=True)
    args = parser.parse_args(argv)

    import dagster as dg

    from vision_assets.partitions import record_partitions_start

    record_partitions_start(args.first)
    from vision_assets.definitions import defs
    from vision_assets.runs import check_outcome, materialize_days
    from vision_assets_tests.dashboards_tests.test_dashboard_totals import recorded_totals

    result = materialize_days(defs, dg.DagsterInstance.get(), args.first, args.last, raise_on_error=False)
    failures = {
        event.step_key: str(event.event_specific_data.error)[:4000]
        for event in result.all_events
        if event.event_type_value == "STEP_FAILURE"
    }
    checks = {
        f"{check.asset_key.to_user_string()}:{check.check_name}": check_outcome(check)
        for check in result.get_asset_check_evaluations()
    }
    keys = {event.asset_key for event in result.get_asset_materialization_events()}
    totals = {
        key.path[-1]: recorded_totals(result, key.path[-1]) for key in keys if key.path[0] == "dashboards"
    }
    json.dump(
        {
            "success": result.success,
            "failed_steps": failures,
            "checks": checks,
            "totals": totals,
            "materialized": sorted(key.to_user_string() for key in keys),
        },
        sys.stdout,
        default=str,
    )
    print()


if __name__ == "__main__":
    main()
