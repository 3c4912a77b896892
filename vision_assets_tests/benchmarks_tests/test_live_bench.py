"""The live-lane benchmark measures what it says: a short run reports every figure, nothing lost or doubled."""

import json
import subprocess
import sys

from vision_assets.paths import REPO_ROOT


def test_a_short_live_benchmark_reports_its_figures(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks.live", "--rate", "1500", "--seconds", "6", "--no-daily-batch",
         "--results-dir", str(tmp_path)],
        cwd=REPO_ROOT, check=True, capture_output=True, text=True, timeout=300,
    )
    (written,) = tmp_path.glob("live-*.json")
    measured = json.loads(written.read_text())["measured"]
    for figure in ("events_per_second", "p50_latency_s", "p95_latency_s", "p99_latency_s", "lost", "duplicated",
                   "peak_memory_mib"):
        assert figure in measured
    assert measured["published"] >= 1500 * 5
    assert measured["lost"] == measured["duplicated"] == 0
    assert 0 < measured["p50_latency_s"] <= measured["p95_latency_s"] <= measured["p99_latency_s"]
    assert measured["peak_memory_mib"] > 0
