"""The event-log micro-benchmark runs on the repository's dagster.yaml and counts what it times."""

import json
import subprocess
import sys

from benchmarks.event_log import REPO_ROOT


def test_a_small_day_shaped_run_reports_its_events_and_the_time_storing_them(tmp_path):
    # Its own process: the benchmark points DAGSTER_HOME at the instance it creates.
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.event_log", "--home", str(tmp_path / "home"),
         "--assets", "3", "--checks", "6"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(completed.stdout.splitlines()[-1])
    assert result["event_log_storage"] == "EngineCachingSqliteEventLogStorage"
    # At least a planned event and a result for each asset and each check.
    assert result["events"] >= 2 * (3 + 6)
    assert 0 < result["store_event_seconds"] <= result["seconds"]
