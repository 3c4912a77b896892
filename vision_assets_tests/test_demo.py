"""`make run`'s window: it ends yesterday unless a start is given, and a later run continues the demo."""

from datetime import date

from vision_assets.demo import demo_window
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.layout import landing_day_dir

TODAY = date(2026, 12, 2)


def test_a_fresh_demo_ends_yesterday(tmp_path):
    assert demo_window(None, 30, tmp_path, today=TODAY) == (date(2026, 11, 2), date(2026, 12, 1))


def test_a_fixed_window_stays_available(tmp_path):
    assert demo_window(date(2026, 10, 1), 30, tmp_path, today=TODAY) == (date(2026, 10, 1), date(2026, 10, 30))


def test_a_later_run_continues_the_landed_demo_up_to_yesterday(tmp_path):
    folder = landing_day_dir(tmp_path, SOURCE_TABLES[0], date(2026, 11, 2))
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").touch()
    assert demo_window(None, 30, tmp_path, today=date(2026, 12, 9)) == (date(2026, 11, 2), date(2026, 12, 8))
