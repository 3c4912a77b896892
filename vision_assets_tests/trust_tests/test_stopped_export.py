"""One business line's exports stop for two days: exactly that line turns stale, and the pages say so.

The raw tables and the data-quality ledger are loaded by real Dagster runs from simulated landing files
(Mart's last two days deleted before they land). What dbt and the dashboards would then do is reported to
the instance as their runs would record it: the daily facts build for a day only once every line has it
(the automation's rule), the whole tables rebuild after the last loads. The verdicts are judged the
morning after the last day, once every deadline has passed.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb
import pytest
from dagster._core.test_utils import freeze_time

from vision_assets.dashboards.assets import quality_notes
from vision_assets.dashboards.page import DataFreshness, render_index
from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.layout import landing_day_dir
from vision_assets.quality.assets import DATA_QUALITY_KEY
from vision_assets.raw.assets import raw_asset_key
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.trust.report import STALE, TRUSTED, build_report
from vision_assets_tests.instances import vision_instance
from vision_assets_tests.loading import loading_definitions

FIRST = date(2026, 10, 1)
LAST = date(2026, 10, 4)
STOPPED_FROM = LAST - timedelta(days=1)
THE_MORNING_AFTER = datetime(2026, 10, 5, 11, 0, tzinfo=UTC)
DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])
SALES_PAGE = dg.AssetKey(["dashboards", "sales_by_business_line"])


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    root = tmp_path_factory.mktemp("stopped")
    simulate(root / "landing", root / "truth", start=FIRST, days=(LAST - FIRST).days + 1, scale=0.1, seed=3)
    mart = [table for table in SOURCE_TABLES if table.line == "mart"]
    for day in (STOPPED_FROM, LAST):
        for table in mart:
            for path in landing_day_dir(root / "landing", table, day).iterdir():
                path.unlink()
            landing_day_dir(root / "landing", table, day).rmdir()
    database = root / "warehouse.duckdb"
    loading = loading_definitions(root / "landing", database)
    graph = defs.resolve_asset_graph()
    still_landing = [key for key in graph.get_all_asset_keys() if key.path[0] == "raw" and "mart_" not in key.path[-1]]
    with vision_instance() as instance, freeze_time(THE_MORNING_AFTER):
        assert materialize_days(loading, instance, FIRST, STOPPED_FROM - timedelta(days=1)).success
        assert materialize_days(
            loading, instance, STOPPED_FROM, LAST,
            selection=dg.AssetSelection.assets(*still_landing, DATA_QUALITY_KEY),
        ).success
        # What dbt and the dashboards' runs then record: a daily fact for the days every line has, each
        # whole table rebuilt once (upstream first).
        every_line_has = _days(FIRST, STOPPED_FROM - timedelta(days=1))
        built_by_others = [key for key in graph.get_all_asset_keys() if key.path[0] != "raw" and key != DATA_QUALITY_KEY]
        for key in sorted(built_by_others, key=lambda key: len(graph.get_ancestor_asset_keys(key))):
            for day in every_line_has if graph.get(key).partitions_def is not None else [None]:
                instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=day))
        with duckdb.connect(str(database), read_only=True) as connection:
            quality = connection.execute("select * from analytics.data_quality").fetchdf()
        reports = {
            key: build_report(instance, graph, key)
            for key in [
                raw_asset_key(next(t for t in SOURCE_TABLES if t.name == "books_orders")),
                raw_asset_key(next(t for t in SOURCE_TABLES if t.name == "mart_orders")),
                dg.AssetKey(["staging", "stg_books__orders"]),
                dg.AssetKey(["marts", "dim_customer"]),
                DATA_QUALITY_KEY,
                DEMAND,
                SALES_PAGE,
            ]
        }
        yield {"reports": reports, "quality": quality}


def test_the_stopped_lines_raw_tables_are_stale_and_the_other_lines_fresh(stopped):
    reports = stopped["reports"]
    books = reports[dg.AssetKey(["raw", "books_orders"])]
    mart = reports[dg.AssetKey(["raw", "mart_orders"])]
    assert books.verdict == TRUSTED, books.reason
    assert books.data_through == LAST
    assert mart.verdict == STALE
    assert mart.reason.startswith(f"data through {STOPPED_FROM - timedelta(days=1)}, expected through {LAST}")


def test_what_is_computed_from_the_stopped_line_is_stale_and_the_rest_is_not(stopped):
    reports = stopped["reports"]
    assert reports[dg.AssetKey(["staging", "stg_books__orders"])].verdict == TRUSTED
    for key in (dg.AssetKey(["marts", "dim_customer"]), DEMAND):
        report = reports[key]
        assert report.verdict == STALE, (key, report.reason)
        assert report.lines_behind() == {"mart": STOPPED_FROM - timedelta(days=1)}
        assert "Vision Mart is behind (its exports reach 2026-10-02)" in report.reason
    # The ledger is fresh: it reports on every day, the missing line included.
    assert reports[DATA_QUALITY_KEY].verdict == TRUSTED


def test_the_dashboards_say_which_line_is_behind(stopped):
    report = stopped["reports"][SALES_PAGE]
    assert report.verdict == STALE
    assert report.lines_behind() == {"mart": STOPPED_FROM - timedelta(days=1)}
    freshness = DataFreshness(report.data_through, report.verdict, report.lines_behind())
    page = render_index([], freshness=freshness, quality=quality_notes(stopped["quality"]))
    assert 'data-lines-behind="mart"' in page
    assert "Vision Mart is behind</strong>: its data ends 02 Oct 2026" in page
    notes = quality_notes(stopped["quality"])
    assert notes.latest_complete_day == {
        "books": LAST, "flicks": LAST, "music": LAST, "mart": STOPPED_FROM - timedelta(days=1),
    }
    assert "Vision Mart orders on 04 Oct 2026: not landed" in notes.notes
