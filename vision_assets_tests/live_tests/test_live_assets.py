"""The live lane in the asset graph, and in step with the daily lane's staging models."""

import re
from datetime import date

import dagster as dg
import pytest

from vision_assets.definitions import defs
from vision_assets.live.assets import LIVE_EVENTS, RECONCILIATION_KEY, STREAM_KEYS, live_specs
from vision_assets.live.consumer import LiveConsumer
from vision_assets.live.events import EVENT_SHAPES
from vision_assets.live.publisher import events_of_day, publish
from vision_assets.live.reporting import DagsterReporter
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.simulate.world import World

_ARGUMENT = r"{name}\s*=\s*'([a-z_]+)'"


@pytest.mark.parametrize("line, table", sorted(EVENT_SHAPES))
def test_event_shapes_follow_the_staging_models(line, table):
    """The live lane reads who, what and how long from the columns the staging model passes its macro."""
    shape = EVENT_SHAPES[(line, table)]
    model = (DBT_PROJECT_DIR / "models" / "staging" / line / f"stg_{line}__{table}.sql").read_text()
    staged = {name: re.search(_ARGUMENT.format(name=name), model) for name in
              ("account_column", "product_column", "minutes_column", "seconds_column")}
    staged = {name: match.group(1) if match else None for name, match in staged.items()}
    assert shape.account_column == staged["account_column"]
    if table != "billing":
        assert shape.product_column == staged["product_column"]
    assert (shape.minutes_column, shape.seconds_column) == (staged["minutes_column"], staged["seconds_column"])


def test_streams_feed_the_live_tables_with_freshness_in_minutes():
    graph = defs.resolve_asset_graph()
    for key in STREAM_KEYS.values():
        assert not graph.get(key).is_executable
        assert LIVE_EVENTS in graph.get(key).child_keys
    for spec in live_specs:
        node = graph.get(spec.key)
        assert not node.is_executable and node.automation_condition is None
        assert node.freshness_policy.fail_window.to_timedelta().total_seconds() <= 600
    reconciliation = graph.get(RECONCILIATION_KEY)
    assert reconciliation.is_executable and reconciliation.partitions_def is not None
    assert {("marts", "fct_sales"), ("marts", "fct_engagement"), ("marts", "fct_billing")} <= {
        tuple(key.path) for key in reconciliation.parent_keys
    }
    assert reconciliation.automation_condition is not None


def test_the_consumer_reports_materializations_and_check_results_to_dagster(client):
    instance = dg.DagsterInstance.ephemeral()
    reporter = DagsterReporter(instance, every_s=0)
    world = World(start=date(2026, 6, 1), scale=0.1, seed=2)
    publish(client, events_of_day(world.simulate_day(date(2026, 6, 1))))
    consumer = LiveConsumer(client, on_batch=reporter.add)
    while consumer.poll_once() is not None:
        pass
    for key in [*STREAM_KEYS.values(), *(spec.key for spec in live_specs)]:
        assert instance.get_latest_materialization_event(key) is not None, key
    event = instance.get_latest_materialization_event(LIVE_EVENTS)
    assert event.asset_materialization.metadata["new_events"].value > 0
    records = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(LIVE_EVENTS, "each_event_once"), limit=1
    )
    assert records and records[0].event.asset_check_evaluation.passed
