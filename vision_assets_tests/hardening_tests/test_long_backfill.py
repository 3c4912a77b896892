"""365 days at scale 1 in one backfill run: it completes, with no lock error and bounded memory (~25 min)."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.long

MEMORY_BOUND_MB = 4096


def test_a_year_backfills_in_one_run_with_bounded_memory(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vision_assets_tests.hardening_tests.long_backfill", "--days", "365", "--scale", "1",
         "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=3 * 3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(report)
    assert report["success"]
    assert report["lock_errors"] == []
    assert report["demand_days"] == 365
    assert report["peak_rss_mb"] < MEMORY_BOUND_MB
