"""A dashboard writes its trust panel beside its page when it materializes, and every chart links to it.

The sales dashboard runs for real (chart module, page writer, preview); the demand table it reads is a
small stand-in asset with one check, so the panel's verdict follows that check.
"""

import re
from datetime import UTC, datetime, timedelta

import dagster as dg
import pandas as pd
import pytest
from dagster._core.test_utils import freeze_time

from vision_assets import paths
from vision_assets.dashboards.assets import sales_by_business_line
from vision_assets.dashboards.theme import BUSINESS_LINES
from vision_assets.trust.panel import render_html, render_text, what_would_change
from vision_assets.trust.report import FAILING, NEVER, STALE, TRUSTED, build_report

DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])


def _stand_in_demand(check_passes: bool) -> dg.AssetsDefinition:
    @dg.asset(
        key=DEMAND,
        description="A few days of demand for two days and four lines, standing in for the dbt model.",
        check_specs=[dg.AssetCheckSpec("net_revenue_matches_raw_sources", asset=DEMAND)],
    )
    def demand():
        days = pd.to_datetime(["2026-10-01", "2026-10-02"])
        rows = [
            {
                "demand_date": day,
                "business_line": line,
                "units_sold": 3,
                "purchase_count": 2,
                "refund_count": 0,
                "gross_revenue_usd": 30.0,
                "discount_usd": 1.5,
                "refund_usd": 0.0,
                "net_revenue_usd": 28.5,
            }
            for day in days
            for line in BUSINESS_LINES
        ]
        yield dg.Output(pd.DataFrame(rows))
        yield dg.AssetCheckResult(
            check_name="net_revenue_matches_raw_sources",
            passed=check_passes,
            severity=dg.AssetCheckSeverity.ERROR,
            description="matches to the cent" if check_passes else "2 days differ from the raw exports",
        )

    return demand


@pytest.mark.parametrize(("check_passes", "verdict"), [(True, "trusted"), (False, "failing checks")])
def test_a_dashboard_writes_its_trust_panel_at_materialization(check_passes, verdict):
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([_stand_in_demand(check_passes), sales_by_business_line], instance=instance)
    assert result.success

    directory = paths.dashboards_dir()
    page = (directory / "sales_by_business_line.html").read_text()
    panel = (directory / "sales_by_business_line.trust.html").read_text()
    assert f'data-verdict="{verdict}"' in panel
    assert 'href="sales_by_business_line.html"' in panel
    assert "demand.fct_daily_demand" in panel
    if not check_passes:
        assert "2 days differ from the raw exports" in panel

    sections = re.findall(r'<section class="panel".*?</section>', page, flags=re.DOTALL)
    assert sections
    for section in sections:
        assert 'href="sales_by_business_line.trust.html"' in section

    materialization = result.asset_materializations_for_node(sales_by_business_line.op.name)[0]
    assert materialization.metadata["trust_panel"].value.endswith("sales_by_business_line.trust.html")
    assert materialization.metadata["trust_verdict"].value.startswith(verdict)


def _stand_in_raw(table: str, line: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", table],
        partitions_def=dg.DailyPartitionsDefinition("2026-09-01"),
        tags={"business_line": line},
        freshness_policy=dg.FreshnessPolicy.cron(deadline_cron="0 7 * * *", lower_bound_delta=timedelta(hours=24)),
    )
    def raw_table() -> None:
        return None

    return raw_table


def test_a_dashboards_header_says_how_far_its_data_reaches_and_which_line_is_behind():
    books, mart = _stand_in_raw("books_orders", "books"), _stand_in_raw("mart_orders", "mart")

    @dg.asset(key=DEMAND, deps=[books.key, mart.key])
    def demand() -> pd.DataFrame:
        return pd.DataFrame(
            [{"demand_date": pd.Timestamp("2026-10-01"), "business_line": line, "units_sold": 1, "purchase_count": 1,
              "refund_count": 0, "gross_revenue_usd": 1.0, "discount_usd": 0.0, "refund_usd": 0.0,
              "net_revenue_usd": 1.0} for line in BUSINESS_LINES]
        )

    # The morning after 2 Oct: Books exported 1 and 2 Oct, Mart only 1 Oct.
    with dg.DagsterInstance.ephemeral() as instance, freeze_time(datetime(2026, 10, 3, 11, tzinfo=UTC)):
        for day in ("2026-10-01", "2026-10-02"):
            assert dg.materialize([books], partition_key=day, instance=instance).success
        assert dg.materialize([mart], partition_key="2026-10-01", instance=instance).success
        result = dg.materialize([books, mart, demand, sales_by_business_line], instance=instance,
                                selection=[DEMAND, sales_by_business_line.key])
    assert result.success
    page = (paths.dashboards_dir() / "sales_by_business_line.html").read_text()
    header = re.search(r'<p class="freshness[^"]*"[^>]*>.*?</p>', page).group(0)
    assert 'data-through="2026-10-01"' in header and 'data-verdict="stale"' in header
    assert 'data-lines-behind="mart"' in header
    assert "Vision Mart is behind</strong>: its data ends 01 Oct 2026" in header
    metadata = result.asset_materializations_for_node(sales_by_business_line.op.name)[0].metadata
    assert metadata["data_through"].value == "2026-10-01"
    assert metadata["lines_behind"].value == {"mart": "2026-10-01"}


# ------------------------------------------------------------------------------------ the panel's content
# Two business lines' orders and a table of rates (no days in it), the daily demand built from them, and a
# page built from that, each with its layer's deadline; the clock starts the morning after 1 Oct, once every
# deadline of 2 Oct has passed.
PAGE = dg.AssetKey(["dashboards", "stand_in_page"])
BOOKS, MART = dg.AssetKey(["raw", "books_orders"]), dg.AssetKey(["raw", "mart_orders"])
RATES = dg.AssetKey(["staging", "rates"])
EVERYTHING = [BOOKS, MART, RATES, DEMAND, PAGE]
DAILY = dg.DailyPartitionsDefinition("2026-09-01")
MORNING_AFTER = datetime(2026, 10, 2, 11, tzinfo=UTC)
DEMAND_CHECK = "net_revenue_matches_raw_sources"


def _due(deadline_cron: str) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(deadline_cron=deadline_cron, lower_bound_delta=timedelta(hours=24))


def _lines_to_page_graph():
    raw = [
        dg.AssetSpec(
            key, partitions_def=DAILY, tags={"business_line": line}, freshness_policy=_due("0 7 * * *")
        )
        for key, line in ((BOOKS, "books"), (MART, "mart"))
    ]

    rates = dg.AssetSpec(RATES, freshness_policy=_due("0 8 * * *"))

    @dg.asset(
        key=DEMAND,
        deps=[BOOKS, MART, RATES],
        partitions_def=DAILY,
        freshness_policy=_due("30 8 * * *"),
        check_specs=[dg.AssetCheckSpec(DEMAND_CHECK, asset=DEMAND, blocking=True)],
    )
    def demand():
        return None

    page = dg.AssetSpec(PAGE, deps=[DEMAND], freshness_policy=_due("0 10 * * *"))
    return dg.Definitions(assets=[*raw, rates, demand, page]).resolve_asset_graph()


@pytest.fixture
def lines_to_page():
    with dg.DagsterInstance.ephemeral() as instance, freeze_time(MORNING_AFTER):
        yield instance, _lines_to_page_graph()


def _materialized(instance, keys, days=("2026-10-01",)) -> None:
    for key in keys:
        for day in days if key not in (RATES, PAGE) else (None,):
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=day))


def _changes(instance, graph) -> list[tuple[str, tuple[str, ...]]]:
    report = build_report(instance, graph, PAGE)
    return report.verdict, [(change.what, change.assets) for change in what_would_change(report, graph).items]


def test_never_materialized_says_what_to_materialize_step_by_step(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, [BOOKS])
    verdict, changes = _changes(instance, graph)
    assert verdict == NEVER
    assert changes == [
        ("Materialize, step 1", ("raw.mart_orders", "staging.rates")),
        ("Materialize, step 2", ("demand.fct_daily_demand",)),
        ("Materialize, step 3", ("dashboards.stand_in_page",)),
    ]


def test_failing_checks_says_which_check_must_pass_on_which_asset(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=DEMAND, check_name=DEMAND_CHECK, passed=False, severity=dg.AssetCheckSeverity.ERROR,
            description="2 days differ from the raw exports",
        )
    )
    verdict, changes = _changes(instance, graph)
    assert verdict == FAILING
    assert changes == [
        (
            f"{DEMAND_CHECK} (it failed: 2 days differ from the raw exports) must pass on",
            ("demand.fct_daily_demand",),
        )
    ]


def test_stale_says_which_days_must_land_and_what_must_be_rebuilt(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    # Two days on: Books exported both days, Mart neither; demand waits for every line, the page is rebuilt,
    # the rates are not.
    with freeze_time(MORNING_AFTER + timedelta(days=2)):
        _materialized(instance, [BOOKS], ("2026-10-02", "2026-10-03"))
        _materialized(instance, [PAGE])
        verdict, changes = _changes(instance, graph)
    assert verdict == STALE
    assert changes == [
        ("The exports of 2026-10-02 to 2026-10-03 from Vision Mart must land and load", ("raw.mart_orders",)),
        (
            (
                "Materialize again, as its freshness policy asks: materialized within 24 hours before each "
                "'0 8 * * *' deadline (UTC)"
            ),
            ("staging.rates",),
        ),
        ("Materialize the partitions 2026-10-02 to 2026-10-03", ("demand.fct_daily_demand",)),
        ("Rebuild from inputs through 2026-10-03", ("dashboards.stand_in_page",)),
    ]


def test_stale_says_to_rebuild_a_page_built_before_its_inputs_new_day(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    # The next day every line has its day and demand has it, but the page was not rebuilt since.
    with freeze_time(MORNING_AFTER + timedelta(days=1)):
        _materialized(instance, [BOOKS, MART, RATES, DEMAND], ("2026-10-02",))
        verdict, changes = _changes(instance, graph)
    assert verdict == STALE
    assert changes == [("Rebuild from inputs through 2026-10-02", ("dashboards.stand_in_page",))]


def test_stale_past_a_deadline_says_what_to_materialize_again(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    # Two days on everything has the new days but the rates, which hold no day: built more than 24 hours
    # before the latest deadline, they miss it however current their rows are.
    with freeze_time(MORNING_AFTER + timedelta(days=2)):
        _materialized(instance, [BOOKS, MART, DEMAND, PAGE], ("2026-10-02", "2026-10-03"))
        verdict, changes = _changes(instance, graph)
    assert verdict == STALE
    assert [assets for _, assets in changes] == [("staging.rates",)]
    assert changes[0][0].startswith("Materialize again, as its freshness policy asks")


def test_trusted_says_what_would_make_it_stale_next_and_when(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    verdict, changes = _changes(instance, graph)
    assert verdict == TRUSTED
    assert changes == [
        (
            "By 2026-10-03 07:00 UTC, the export of 2026-10-02 from Vision Books must have landed and loaded",
            ("raw.books_orders",),
        ),
        (
            "By 2026-10-03 07:00 UTC, the export of 2026-10-02 from Vision Mart must have landed and loaded",
            ("raw.mart_orders",),
        ),
        ("By 2026-10-03 08:30 UTC, partition 2026-10-02 must be materialized", ("demand.fct_daily_demand",)),
        (
            "By 2026-10-03 10:00 UTC, must be rebuilt from inputs through 2026-10-02",
            ("dashboards.stand_in_page",),
        ),
        # 24 hours after it was built at 11:00, the next deadline of the rates is the day after's 08:00.
        ("By 2026-10-04 08:00 UTC, must be materialized again", ("staging.rates",)),
    ]


def test_the_text_leads_with_the_verdict_and_what_would_change_it(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, EVERYTHING)
    lines = render_text(build_report(instance, graph, PAGE), graph).splitlines()
    assert lines[0] == "dashboards.stand_in_page: TRUSTED"
    assert lines[2] == "  Data through 2026-10-01"
    assert lines[4] == "What would make it stale next:"
    assert lines[5].startswith("  - By 2026-10-03 07:00 UTC, the export of 2026-10-02 from Vision Books")
    assert lines.index("Assets (latest materialization; freshness; checks):") > 10


def test_the_page_leads_with_the_verdict_draws_one_box_per_asset_and_folds_the_table(lines_to_page):
    instance, graph = lines_to_page
    _materialized(instance, [BOOKS, RATES, DEMAND, PAGE])
    report = build_report(instance, graph, PAGE)
    page = render_html(report, graph, back_link="stand_in_page.html")
    assert report.verdict == NEVER

    main = page[page.index("<main"):]
    first_block = re.match(r'<main class="trust">\s*<section class="([^"]+)" id="([^"]+)">', main)
    assert first_block.groups() == ("verdict-block state-never-materialized", "verdict")
    blocks = [main.index(block) for block in ('id="verdict"', 'id="changes"', "<svg", "<details")]
    assert blocks == sorted(blocks)

    # One box per asset, by its steps from the page and coloured by its own state.
    boxes = re.findall(r'<g class="node ([^" ]+)[^"]*" data-asset="([^"]+)" data-state="[^"]+" '
                       r'data-distance="(\d)"', page)
    assert sorted(boxes, key=lambda box: box[1]) == [
        ("state-trusted", "dashboards.stand_in_page", "0"),
        ("state-trusted", "demand.fct_daily_demand", "1"),
        ("state-trusted", "raw.books_orders", "2"),
        ("state-never-materialized", "raw.mart_orders", "2"),
        ("state-trusted", "staging.rates", "2"),
    ]
    edges = re.findall(r'<path class="edge" data-from="([^"]+)" data-to="([^"]+)"', page)
    assert sorted(edges) == [("demand.fct_daily_demand", "dashboards.stand_in_page"),
                             ("raw.books_orders", "demand.fct_daily_demand"),
                             ("raw.mart_orders", "demand.fct_daily_demand"),
                             ("staging.rates", "demand.fct_daily_demand")]

    folded = re.search(r"<details class=\"upstream\"[^>]*>(.*?)</details>", page, flags=re.DOTALL)
    assert folded and " open" not in folded.group(0).split(">")[0]
    rows = re.findall(r'<tr data-asset="([^"]+)"', folded.group(1))
    assert rows == [status.name for status in report.statuses]
    assert "<script" not in page and "http" not in page
