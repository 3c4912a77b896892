"""A partition's window reaches the daily dbt models as the half-open [start, end) in dbt's environment,
without costing dbt its saved parse."""

import os
import shutil
from datetime import datetime, timezone

import dagster as dg
import pytest

from vision_assets.partitions import daily_partitions, days_in_window
from vision_assets.transform.dbt_window import (
    WINDOW_END_VARIABLE as END,
    WINDOW_START_VARIABLE as START,
    dbt_environment_for_window,
    environment_variables,
)
from vision_assets_tests.transform_tests.dbt_cli import run_dbt


def test_one_day_becomes_that_day_and_the_next():
    window = daily_partitions.time_window_for_partition_key("2026-10-05")
    assert dbt_environment_for_window(window) == {START: "2026-10-05", END: "2026-10-06"}


def test_a_backfill_range_becomes_one_window():
    window = dg.TimeWindow(datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 10, 31, tzinfo=timezone.utc))
    assert dbt_environment_for_window(window) == {START: "2026-10-01", END: "2026-10-31"}
    days = days_in_window(window)
    assert len(days) == 30
    assert days[0].isoformat() == "2026-10-01" and days[-1].isoformat() == "2026-10-30"


def test_the_last_day_of_a_year_ends_on_the_first_of_the_next():
    window = daily_partitions.time_window_for_partition_key("2025-12-31")
    assert dbt_environment_for_window(window) == {START: "2025-12-31", END: "2026-01-01"}


def test_the_window_is_in_the_environment_only_for_the_dbt_call(monkeypatch):
    monkeypatch.setenv(START, "set-before")
    monkeypatch.delenv(END, raising=False)
    with environment_variables({START: "2026-10-05", END: "2026-10-06"}):
        assert (os.environ[START], os.environ[END]) == ("2026-10-05", "2026-10-06")
    assert os.environ[START] == "set-before"
    assert END not in os.environ


def _dbt(args: list[str], target_path, environment: dict[str, str]) -> str:
    """dbt in its own target and log folder; returns its log."""
    result = run_dbt([*args, "--target", "duckdb", "--log-path", str(target_path)], target_path, environment)
    assert result.returncode == 0, result.stdout + result.stderr
    return (target_path / "dbt.log").read_text()


@pytest.mark.slow
def test_consecutive_daily_windows_keep_dbt_partial_parse(tmp_path, monkeypatch):
    """Each day's dbt starts from the saved parse, as each Dagster invocation does (`invocation_target_path`),
    and skips parsing: a window passed in --vars made it re-parse the whole project, 6-7 s a day."""
    for name in (START, END):
        monkeypatch.delenv(name, raising=False)
    database = {"VISION_DUCKDB_PATH": str(tmp_path / "vision.duckdb")}
    _dbt(["parse"], tmp_path / "parsed", database)
    for day in ("2026-10-05", "2026-10-06"):
        target = tmp_path / day
        target.mkdir()
        shutil.copy2(tmp_path / "parsed" / "partial_parse.msgpack", target)
        window = dbt_environment_for_window(daily_partitions.time_window_for_partition_key(day))
        log = _dbt(["compile", "--select", "fct_membership"], target, {**database, **window})
        assert "Nothing changed, skipping partial parsing" in log, f"{day}: dbt parsed again"
        assert "Starting full parse" not in log
        compiled = (target / "compiled" / "vision" / "models" / "marts" / "facts" / "fct_membership.sql")
        sql = compiled.read_text()
        assert f"cast('{window[START]}' as date)" in sql and f"cast('{window[END]}' as date)" in sql
        assert "1900-01-01" not in sql and "2999-12-31" not in sql
