"""`make run`'s window: it ends yesterday unless a start is given, and a later run continues the demo; its
summary counts each check once, as passed, warned or failed."""

from datetime import date

import dagster as dg

from vision_assets.demo import _built_summary, demo_window
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


def test_the_summary_counts_checks_passed_warned_and_failed(tmp_path):
    @dg.asset(check_specs=[dg.AssetCheckSpec(name, asset="checked") for name in ("sound", "doubtful", "broken")])
    def checked():
        yield dg.Output(1)
        yield dg.AssetCheckResult(check_name="sound", passed=True)
        yield dg.AssetCheckResult(check_name="doubtful", passed=False, severity=dg.AssetCheckSeverity.WARN)
        yield dg.AssetCheckResult(check_name="broken", passed=False, severity=dg.AssetCheckSeverity.ERROR)

    result = dg.materialize([checked], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))})
    assert _built_summary(result, 1).endswith("checks: 1 passed, 1 warned, 1 failed")
