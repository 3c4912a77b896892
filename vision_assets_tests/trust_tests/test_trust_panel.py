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
