"""Three days landed at once on a team's deployment (`deploy/team.sh` on a real PostgreSQL server) are picked
up by the landing sensors, which the daemon evaluates through the code server, and loaded: a run per business
line and day through the instance's run queue, their warehouse steps taking turns through the
`duckdb_warehouse` pool kept in PostgreSQL. Every run succeeds with no lock error and each day is loaded
once, the promises the single-machine SQLite tests make.

The automation sensor (dbt models onwards) is stopped through the GraphQL API before the days land: what
follows a raw load is proven by the single-machine end-to-end test; the shared instance is what is under test
here. About four minutes on two cores: `make test-long`.
"""

import subprocess
import time
from datetime import date, timedelta

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import InstigatorStatus

from vision_assets.landing.contracts import BUSINESS_LINES, SOURCE_TABLES
from vision_assets.paths import REPO_ROOT
from vision_assets.raw.assets import raw_asset_key
from vision_assets.simulate import simulate
from vision_assets_tests.automation_tests.run_checks import landed_and_loaded_rows_by_day, lock_errors
from vision_assets_tests.team_tests.deployment import (
    leaked_passwords,
    nginx_missing,
    stop_sensor,
    team_deployment,
)

pytestmark = [pytest.mark.slow, pytest.mark.long]

FIRST_DAY = date(2026, 10, 1)
DAYS = 3
WAIT_SECONDS = 600


def _loaded_and_settled(instance: dg.DagsterInstance, days: list[str]) -> bool:
    loaded = all(
        set(days) <= instance.get_materialized_partitions(raw_asset_key(table)) for table in SOURCE_TABLES
    )
    unfinished = instance.get_run_records(
        dg.RunsFilter(
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
            ]
        )
    )
    return loaded and not unfinished


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    if nginx_missing():
        pytest.skip("nginx is not installed (Debian's nginx-light, which .ci/run installs)")
    with team_deployment(tmp_path_factory.mktemp("team")) as running:
        assert stop_sensor(running, "downstream_automation_sensor") == InstigatorStatus.STOPPED
        # The three days land at once, as after an outage of the exports.
        simulate(
            running.root / "landing", running.root / "truth", start=FIRST_DAY, days=DAYS, scale=0.05, seed=5
        )
        days = [(FIRST_DAY + timedelta(days=offset)).isoformat() for offset in range(DAYS)]
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and not _loaded_and_settled(running.instance, days):
            running.assert_running()
            time.sleep(3)
        yield running, days


def test_each_line_and_day_is_one_sensor_run_and_every_run_succeeds(team):
    running, days = team
    runs = [record.dagster_run for record in running.instance.get_run_records()]
    sensor_runs = sorted(
        (run.tags["vision/trigger"], run.tags["dagster/partition"])
        for run in runs
        if "vision/trigger" in run.tags
    )
    assert sensor_runs == sorted((f"{line}_landing_sensor", day) for line in BUSINESS_LINES for day in days)
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs), [
        (run.job_name, run.tags, run.status) for run in runs
    ]
    assert not lock_errors(running.instance)


def test_each_day_is_loaded_once(team):
    running, _ = team
    landed, loaded = landed_and_loaded_rows_by_day(running.root)
    assert loaded == landed


def test_the_warehouse_pool_is_kept_in_postgres_with_one_slot(team):
    running, _ = team
    assert running.instance.event_log_storage.get_concurrency_info("duckdb_warehouse").slot_count == 1


def test_no_password_reaches_the_runs_events_or_logs(team):
    running, _ = team
    events = sum(
        len(running.instance.all_logs(record.dagster_run.run_id))
        for record in running.instance.get_run_records()
    )
    assert events > 100
    assert not leaked_passwords(running)


def test_started_with_a_wrong_database_password_team_sh_stops_and_names_the_cause(team, tmp_path):
    running, _ = team
    (tmp_path / "pg_password").write_text("not-the-password")
    env = {
        **running.env,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VISION_TEAM_LOG_DIR": str(tmp_path / "logs"),
        "DAGSTER_PG_PASSWORD_FILE": str(tmp_path / "pg_password"),
    }
    started = subprocess.run(
        ["bash", str(REPO_ROOT / "deploy" / "team.sh")],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode == 2
    assert f'password authentication failed for user "{running.postgres.user}"' in started.stderr
    assert "the instance could not be migrated" in started.stderr
    assert "not-the-password" not in started.stdout + started.stderr
