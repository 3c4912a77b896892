"""The landing sensors request each finished day once, pick up late days, and report landings that cannot load."""

import os
from datetime import date

import dagster as dg
import pytest

from vision_assets.automation.sensors import build_landing_sensor
from vision_assets.landing.contracts import tables_of
from vision_assets.landing.layout import SUCCESS_MARKER, landing_day_dir
from vision_assets.resources import LandingZone

LINE = "music"


def land_day(root, day: date, finished_at: float, tables=None, header_of=None):
    """Write a minimal finished export of the line for a day, with a chosen marker time."""
    for table in tables or tables_of(LINE):
        folder = landing_day_dir(root, table, day)
        folder.mkdir(parents=True, exist_ok=True)
        header = header_of(table) if header_of else ",".join(table.column_names)
        (folder / "part-00000.csv").write_text(header + "\n")
        marker = folder / SUCCESS_MARKER
        marker.touch()
        os.utime(marker, (finished_at, finished_at))


def tick(instance, root, cursor=None) -> dg.SensorResult:
    sensor = build_landing_sensor(LINE)
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"landing_zone": LandingZone(root=str(root))}
    )
    return sensor(context)


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


def test_a_complete_day_yields_one_run_for_its_partition(instance, tmp_path):
    land_day(tmp_path, date(2026, 3, 1), finished_at=1_000.0)
    result = tick(instance, tmp_path)
    assert [request.partition_key for request in result.run_requests] == ["2026-03-01"]
    assert result.run_requests[0].run_key == "music:2026-03-01:1000.000000"
    assert result.cursor == "1000.000000"


def test_an_incomplete_day_yields_nothing(instance, tmp_path):
    land_day(tmp_path, date(2026, 3, 1), finished_at=1_000.0, tables=tables_of(LINE)[:-1])
    result = tick(instance, tmp_path)
    assert not result.run_requests
    assert result.skip_reason


def test_a_day_already_handled_is_not_requested_again(instance, tmp_path):
    land_day(tmp_path, date(2026, 3, 1), finished_at=1_000.0)
    first = tick(instance, tmp_path)
    second = tick(instance, tmp_path, cursor=first.cursor)
    assert len(first.run_requests) == 1
    assert not second.run_requests


def test_a_day_that_lands_late_is_still_picked_up(instance, tmp_path):
    land_day(tmp_path, date(2026, 3, 2), finished_at=1_000.0)
    first = tick(instance, tmp_path)
    land_day(tmp_path, date(2026, 3, 1), finished_at=2_000.0)  # the earlier day's export arrives after
    second = tick(instance, tmp_path, cursor=first.cursor)
    assert [request.partition_key for request in second.run_requests] == ["2026-03-01"]


def test_a_relanded_day_is_requested_again_with_a_new_run_key(instance, tmp_path):
    land_day(tmp_path, date(2026, 3, 1), finished_at=1_000.0)
    first = tick(instance, tmp_path)
    land_day(tmp_path, date(2026, 3, 1), finished_at=3_000.0)
    second = tick(instance, tmp_path, cursor=first.cursor)
    assert [request.partition_key for request in second.run_requests] == ["2026-03-01"]
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_landing_that_cannot_load_is_reported_once_not_requested(instance, tmp_path):
    land_day(
        tmp_path,
        date(2026, 3, 1),
        finished_at=1_000.0,
        header_of=lambda table: ",".join(table.column_names[:-1]),  # every file lost its last column
    )
    first = tick(instance, tmp_path)
    assert not first.run_requests
    assert "2026-03-01: landed but cannot load, not requested" in first.skip_reason.skip_message
    assert "does not match the music_customers contract" in first.skip_reason.skip_message
    second = tick(instance, tmp_path, cursor=first.cursor)
    assert not second.run_requests
    assert "cannot load" not in second.skip_reason.skip_message


def test_a_day_that_is_not_a_partition_yet_waits(instance, tmp_path):
    land_day(tmp_path, date(2099, 1, 1), finished_at=1_000.0)
    land_day(tmp_path, date(2026, 3, 1), finished_at=2_000.0)
    result = tick(instance, tmp_path)
    assert [request.partition_key for request in result.run_requests] == ["2026-03-01"]
    assert float(result.cursor) < 1_000.0, "the future day must stay ahead of the cursor"
