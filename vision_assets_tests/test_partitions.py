"""The daily partitions start where the data starts: set by VISION_PARTITIONS_START, or recorded by the
demo in the data folder every process shares, so the UI shows no phantom missing days."""

import subprocess
import sys
from datetime import date

import pytest

from vision_assets.partitions import DEFAULT_PARTITIONS_START, partitions_start, record_partitions_start


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VISION_PARTITIONS_START", raising=False)
    return tmp_path


def test_without_a_setting_the_partitions_start_at_the_default(data_dir):
    assert partitions_start() == DEFAULT_PARTITIONS_START


def test_the_demo_records_its_first_day_and_a_later_start_does_not_move_it(data_dir):
    record_partitions_start(date(2026, 11, 2))
    record_partitions_start(date(2026, 11, 20))
    assert partitions_start() == date(2026, 11, 2)
    record_partitions_start(date(2026, 10, 1))
    assert partitions_start() == date(2026, 10, 1)


def test_the_environment_wins_over_the_record(data_dir, monkeypatch):
    record_partitions_start(date(2026, 11, 2))
    monkeypatch.setenv("VISION_PARTITIONS_START", "2024-03-01")
    assert partitions_start() == date(2024, 3, 1)


def test_a_setting_that_is_not_a_day_is_refused_naming_where_it_is(data_dir, monkeypatch):
    monkeypatch.setenv("VISION_PARTITIONS_START", "last spring")
    with pytest.raises(ValueError, match="VISION_PARTITIONS_START holds 'last spring'"):
        partitions_start()


def test_the_code_location_partitions_start_on_the_recorded_day(data_dir):
    record_partitions_start(date(2026, 11, 2))
    code = (
        "from vision_assets.definitions import defs; import dagster as dg; "
        "print(defs.resolve_assets_def(dg.AssetKey(['demand', 'fct_daily_demand'])).partitions_def.start.date())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "2026-11-02"
