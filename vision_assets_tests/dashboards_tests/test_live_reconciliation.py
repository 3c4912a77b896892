"""The live lane reconciled with the books: the dashboards' warehouse days streamed, then compared.

The days this package's warehouse was built from are streamed again through a real Redis server and the
live consumer (the simulator gives the same events for the same days), and ``analytics.live_reconciliation``
runs through Dagster against the daily facts dbt built. Then the live store is tampered with, one way per
kind of difference, and the check must fail naming each.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from vision_assets.live.assets import RECONCILIATION_CHECK, RECONCILIATION_KEY, live_reconciliation
from vision_assets.live.broker import EmbeddedBroker, connect
from vision_assets.live.consumer import LiveConsumer, ensure_groups
from vision_assets.live.publisher import events_of_day, publish
from vision_assets.resources import LandingZone
from vision_assets.runs import materialize_days
from vision_assets.simulate.world import World
from vision_assets.transform.assets import dbt_model_assets
from vision_assets.transform.project import vision_dbt_resource
from vision_assets.warehouse import VisionDuckDBPandasIOManager, live_connection
from vision_assets_tests.dashboards_tests.conftest import DAYS, FIRST_DAY, LAST_DAY, query


@pytest.fixture(scope="module")
def streamed(built):
    root = built["database"].parent
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("VISION_LIVE_DUCKDB_PATH", str(root / "vision_live.duckdb"))
    world = World(start=FIRST_DAY, scale=0.2, seed=11)  # the conftest's simulation, day for day
    with EmbeddedBroker(root / "broker") as broker:
        client = connect(broker.url)
        ensure_groups(client)
        for offset in range(DAYS):
            publish(client, events_of_day(world.simulate_day(FIRST_DAY + timedelta(days=offset))))
        consumer = LiveConsumer(client)
        while consumer.poll_once() is not None:
            pass
    defs = dg.Definitions(
        assets=[*dbt_model_assets, live_reconciliation],
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(built["database"])),
            "landing_zone": LandingZone(root=str(root / "landing")),
            "dbt": vision_dbt_resource(),  # required by the dbt assets' definitions; not run here
        },
    )
    yield defs
    monkeypatch.undo()


def reconcile_days(defs) -> dg.AssetCheckEvaluation:
    result = materialize_days(
        defs, dg.DagsterInstance.ephemeral(), FIRST_DAY, LAST_DAY, selection=dg.AssetSelection.assets(RECONCILIATION_KEY)
    )
    assert result.success
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == RECONCILIATION_CHECK]
    return evaluation


def live_sql(sql: str, parameters=None) -> None:
    connection = live_connection()
    try:
        connection.execute(sql, parameters)
    finally:
        connection.close()


def copy_of_an_event(kind: str, new_key: str, published_at: datetime) -> None:
    live_sql(
        "insert into live.events by name select ? as event_key, * exclude (event_key, published_at), ? as published_at "
        "from live.events where source_table = ? order by event_key limit 1",
        [new_key, published_at, kind],
    )


def test_the_live_count_of_each_day_matches_the_books_and_a_late_event_is_explained(streamed, built):
    # An event the app published after the day's export had landed: in live, not in the books, explained.
    copy_of_an_event("engagement", "music:published-late", datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1))
    evaluation = reconcile_days(streamed)
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    assert evaluation.passed, metadata
    assert metadata["streamed_days"] == DAYS
    assert metadata["published_after_close"] == 1
    table = query(built["database"], "select * from analytics.live_reconciliation")
    assert len(table) == DAYS * 4 * 4  # days x lines x measures
    revenue = table[table["measure"] == "net_revenue_usd"]
    assert (revenue["live"] - revenue["books"]).abs().max() < 0.005
    events = table[table["measure"] == "events"]
    assert events["live"].sum() == events["books"].sum() + 1
    assert events["books"].sum() > 0
    live_sql("delete from live.events where event_key = 'music:published-late'")


def test_every_unexplained_difference_fails_the_check_and_is_named(streamed):
    live_sql("update live.events set net_amount_usd = net_amount_usd + 0.01 where event_key = "
             "(select min(event_key) from live.events where source_table = 'orders')")
    live_sql("delete from live.events where event_key = (select min(event_key) from live.events where "
             "source_table = 'engagement' and business_line = 'flicks')")
    copy_of_an_event("billing", "mart:never-exported", datetime(2000, 1, 1))
    evaluation = reconcile_days(streamed)
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    assert not evaluation.passed
    assert (metadata["value_differs"], metadata["missing_from_live"], metadata["not_in_books"]) == (1, 1, 1)
    assert metadata["unexplained_events"] == 3
    assert "mart:never-exported" in metadata["notes"]
