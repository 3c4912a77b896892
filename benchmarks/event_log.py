"""What Dagster's event log costs a run shaped like a day's dbt work, on a given instance configuration.

One run of a multi-asset with ``--assets`` assets and ``--checks`` asset checks (a day through Dagster had
~100 dbt assets and ~600 dbt tests as checks, the default; ~300 since the not-null tests are one per model),
every check passing, nothing else: the time is the event bookkeeping Dagster does for them (planned events,
materializations, check evaluations, step events), with the instance built from ``--dagster-yaml`` in a
fresh ``--home``. Compare instance settings by running it with each file, alternately, on the same machine::

    .venv/bin/python -m benchmarks.event_log --home /tmp/event-log --dagster-yaml dagster.yaml
"""

import argparse
import json
import os
import shutil
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def measure_event_log(dagster_yaml: Path, home: Path, assets: int, checks: int) -> dict:
    """Seconds of the run, and of them the seconds spent storing events, with the number of events."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copy(dagster_yaml, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    keys = [dg.AssetKey(["event_log", f"asset_{index}"]) for index in range(assets)]
    check_specs = [dg.AssetCheckSpec(f"check_{index}", asset=keys[index % assets]) for index in range(checks)]

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in keys], check_specs=check_specs, name="day_shaped")
    def day_shaped():
        for key in keys:
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": 1})
        for spec in check_specs:
            yield dg.AssetCheckResult(asset_key=spec.asset_key, check_name=spec.name, passed=True)

    instance = dg.DagsterInstance.get()
    storage = instance.event_log_storage
    store_event = storage.store_event
    storing = [0.0]

    def timed_store_event(event):
        started = time.perf_counter()
        try:
            return store_event(event)
        finally:
            storing[0] += time.perf_counter() - started

    storage.store_event = timed_store_event
    started = time.perf_counter()
    result = dg.materialize([day_shaped], instance=instance)
    seconds = time.perf_counter() - started
    if not result.success:
        raise RuntimeError("the event-log run failed")
    return {
        "event_log_storage": type(storage).__name__,
        "seconds": round(seconds, 2),
        "store_event_seconds": round(storing[0], 2),
        "events": len(instance.all_logs(result.run_id)),
        "assets": assets,
        "checks": checks,
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a DAGSTER_HOME to create (emptied first)")
    parser.add_argument("--dagster-yaml", type=Path, default=REPO_ROOT / "dagster.yaml")
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--checks", type=int, default=600)
    args = parser.parse_args(argv)
    print(json.dumps(measure_event_log(args.dagster_yaml, args.home, args.assets, args.checks)))


if __name__ == "__main__":
    main()
