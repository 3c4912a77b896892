"""The verdict follows what the Dagster instance records, on the real definitions and an ephemeral instance.

Materializations and check results are reported to the instance as Dagster records them from a run
(runless events), so these tests exercise the verdict without building a warehouse; freshness is moved by
moving Dagster's clock past the policies' deadlines. The clock starts the morning after the day the
partitions hold, once every deadline has passed, when that day is the one every policy expects.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest
from dagster._core.test_utils import freeze_time

from vision_assets.definitions import defs
from vision_assets.trust.lineage import trace
from vision_assets.trust.panel import render_html, render_text
from vision_assets.trust.report import FAILING, NEVER, STALE, TRUSTED, build_report

DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])
SALES = dg.AssetKey(["marts", "fct_sales"])
REVIEWS = dg.AssetKey(["marts", "fct_reviews"])
DAY = "2026-10-01"
NOW = datetime(2026, 10, 2, 11, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


@pytest.fixture(autouse=True)
def the_morning_after_the_day():
    with freeze_time(NOW):
        yield


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def _materialize(instance: dg.DagsterInstance, graph, keys, days: tuple[str, ...] = (DAY,)) -> None:
    """Report the assets materialized (the partitioned ones for ``days``), upstream first, as a run would."""
    for key in sorted(keys, key=lambda key: len(graph.get_ancestor_asset_keys(key))):
        partitioned = graph.get(key).partitions_def is not None
        for partition in days if partitioned else (None,):
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def _days_after(first: str, count: int) -> tuple[str, ...]:
    return tuple((date.fromisoformat(first) + timedelta(days=offset)).isoformat() for offset in range(1, count + 1))


def _everything_upstream(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    return {key, *graph.get_ancestor_asset_keys(key)}


def _fail_a_blocking_check(instance: dg.DagsterInstance, graph, key: dg.AssetKey) -> str:
    check = next(
        check
        for check in sorted(graph.get_check_keys_for_assets({key}))
        if graph.get_check_spec(check).blocking
    )
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=key,
            check_name=check.name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description="3 rows fail",
        )
    )
    return check.name


def test_never_materialized_until_the_asset_and_what_it_reads_are(instance, graph):
    report = build_report(instance, graph, DEMAND, "net_revenue_usd")
    assert report.verdict == NEVER
    assert "demand.fct_daily_demand has never been materialized" in report.reason

    _materialize(instance, graph, [DEMAND])
    report = build_report(instance, graph, DEMAND, "net_revenue_usd")
    assert report.verdict == NEVER
    assert "marts.fct_sales" in report.reason

    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    assert build_report(instance, graph, DEMAND, "net_revenue_usd").verdict == TRUSTED


def test_failing_blocking_check_then_stale_then_trusted_again(instance, graph):
    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    assert build_report(instance, graph, DEMAND, "net_revenue_usd").verdict == TRUSTED

    failed = _fail_a_blocking_check(instance, graph, SALES)
    report = build_report(instance, graph, DEMAND, "net_revenue_usd")
    assert report.verdict == FAILING
    assert f"marts.fct_sales: {failed}" in report.reason and "3 rows fail" in report.reason

    # Three days on, nothing has materialized since: every deadline passed. The failed check still counts
    # (it judged the data that is there now) and comes first.
    new_days = _days_after(DAY, 3)
    with freeze_time(NOW + timedelta(days=3)):
        assert build_report(instance, graph, DEMAND, "net_revenue_usd").verdict == FAILING

        # fct_sales gets the new days (its failed check judged the previous data), the rest does not: stale.
        _materialize(instance, graph, [SALES], new_days)
        report = build_report(instance, graph, DEMAND, "net_revenue_usd")
        assert report.verdict == STALE
        assert report.reason.startswith("data through 2026-10-01, expected through 2026-10-04")
        assert report.data_through == date(2026, 10, 1)

        _materialize(instance, graph, _everything_upstream(graph, DEMAND) - {SALES}, new_days)
        report = build_report(instance, graph, DEMAND, "net_revenue_usd")
        assert report.verdict == TRUSTED, report.reason
        assert report.data_through == date(2026, 10, 4)


def test_stale_when_one_business_lines_raw_table_stops_however_recently_the_rest_was_rebuilt(instance, graph):
    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    stopped = dg.AssetKey(["raw", "mart_orders"])
    with freeze_time(NOW + timedelta(days=3)):
        _materialize(instance, graph, _everything_upstream(graph, DEMAND) - {stopped}, _days_after(DAY, 3))
        report = build_report(instance, graph, DEMAND, "net_revenue_usd")
        books = build_report(instance, graph, dg.AssetKey(["raw", "books_orders"]))
        mart = build_report(instance, graph, stopped)
    assert report.verdict == STALE, report.reason
    assert report.data_through == date(2026, 10, 4)
    assert report.lines_behind() == {"mart": date(2026, 10, 1)}
    assert "Vision Mart is behind (its exports reach 2026-10-01)" in report.reason
    assert "Data through 2026-10-04; behind: Vision Mart (through 2026-10-01)" in render_text(report, graph)
    assert books.verdict == TRUSTED, books.reason
    assert mart.verdict == STALE and mart.reason.startswith("data through 2026-10-01, expected through 2026-10-04")


def test_stale_when_rebuilt_whole_tables_were_built_before_the_newest_day(instance, graph):
    dashboard = dg.AssetKey(["dashboards", "sales_by_business_line"])
    _materialize(instance, graph, _everything_upstream(graph, dashboard))
    with freeze_time(NOW + timedelta(days=1)):
        _materialize(instance, graph, _everything_upstream(graph, dashboard) - {dashboard}, _days_after(DAY, 1))
        report = build_report(instance, graph, dashboard)
        assert report.verdict == STALE and report.data_through == date(2026, 10, 1)
        _materialize(instance, graph, [dashboard])
        assert build_report(instance, graph, dashboard).verdict == TRUSTED


def test_a_column_is_judged_by_what_it_reads_and_the_table_by_everything(instance, graph):
    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    assert REVIEWS not in trace(graph, DEMAND, "net_revenue_usd").assets
    _fail_a_blocking_check(instance, graph, REVIEWS)

    assert build_report(instance, graph, DEMAND, "net_revenue_usd").verdict == TRUSTED
    assert build_report(instance, graph, DEMAND, "average_rating").verdict == FAILING
    assert build_report(instance, graph, DEMAND).verdict == FAILING


def test_a_failed_warning_check_is_reported_but_does_not_fail_the_verdict(instance, graph):
    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    check = next(iter(sorted(graph.get_check_keys_for_assets({SALES}))))
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=SALES, check_name=check.name, passed=False, severity=dg.AssetCheckSeverity.WARN
        )
    )
    report = build_report(instance, graph, DEMAND, "net_revenue_usd")
    assert report.verdict == TRUSTED
    assert "1 failed (warning)" in render_text(report, graph)


def test_the_report_names_partitions_freshness_checks_and_landing_files(instance, graph):
    _materialize(instance, graph, _everything_upstream(graph, DEMAND))
    failed = _fail_a_blocking_check(instance, graph, SALES)
    report = build_report(instance, graph, DEMAND, "net_revenue_usd")

    text = render_text(report, graph)
    assert text.startswith("demand.fct_daily_demand.net_revenue_usd: FAILING CHECKS")
    assert f"partitions {DAY}" in text
    assert "freshness     PASS" in text
    assert "landing/books/orders/<day>/part-*.csv" in text
    assert failed in text

    page = render_html(report, graph, back_link="sales_by_business_line.html")
    assert 'data-verdict="failing checks"' in page
    assert 'href="sales_by_business_line.html"' in page
    assert "<script" not in page and "http" not in page


LIVE_METRICS = dg.AssetKey(["live", "metrics_per_minute"])


def test_live_figures_are_provisional_until_the_books_confirm_their_latest_day(instance, graph):
    from vision_assets.live.names import LATEST_DAY_METADATA, RECONCILIATION_CHECK, RECONCILIATION_KEY
    from vision_assets.trust.provisional import PROVISIONAL

    for key in sorted(_everything_upstream(graph, LIVE_METRICS), key=lambda key: len(graph.get_ancestor_asset_keys(key))):
        instance.report_runless_asset_event(dg.AssetMaterialization(key, metadata={LATEST_DAY_METADATA: DAY}))
    report = build_report(instance, graph, LIVE_METRICS, "net_revenue_usd")
    assert report.verdict == PROVISIONAL, report.reason
    assert DAY in report.reason and "live_reconciliation" in report.reason
    assert "live_reconciliation" in render_text(report, graph)

    def reconcile(passed: bool) -> None:
        instance.report_runless_asset_event(dg.AssetMaterialization(RECONCILIATION_KEY, partition=DAY))
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=RECONCILIATION_KEY, check_name=RECONCILIATION_CHECK, passed=passed)
        )

    reconcile(passed=False)
    assert build_report(instance, graph, LIVE_METRICS, "net_revenue_usd").verdict == FAILING
    reconcile(passed=True)
    assert build_report(instance, graph, LIVE_METRICS, "net_revenue_usd").verdict == TRUSTED
