"""Declarative automation, tick by tick, on the real definitions and a real (temporary) instance.

Materializations are reported to the instance as the runs would write them, and each tick is evaluated
with the cursor of the one before, as the automation sensor does. What is checked is the order a landed
day takes through the layers, and that the four lines' loads of a day lead to one rebuild, not four.
"""

import uuid
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest

from vision_assets.automation.upstream_settled import UNFINISHED, assets_being_written
from vision_assets.definitions import defs
from vision_assets.quality.assets import DATA_QUALITY_KEY
from vision_assets_tests.instances import vision_instance

DAY = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()


def _keys_by_layer():
    graph = defs.resolve_asset_graph()
    keys = [key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]
    layers: dict[str, set[dg.AssetKey]] = {}
    for key in keys:
        node = graph.get(key)
        name = "raw" if key.path[0] == "raw" else ("daily" if node.partitions_def else "whole")
        layers.setdefault(name, set()).add(key)
    return graph, layers


class Ticks:
    """The automation sensor's successive evaluations over one instance."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self.cursor = None

    def next(self) -> dict[dg.AssetKey, int]:
        result = dg.evaluate_automation_conditions(defs=defs, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {item.key: item.true_subset.size for item in result.results if item.true_subset.size}

    def materialize(self, keys, partition: str | None = None) -> None:
        for key in keys:
            self.instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=partition))


@pytest.fixture
def ticks():
    with vision_instance() as instance:
        yield Ticks(instance)


def _start_run(instance: dg.DagsterInstance, keys) -> dg.DagsterRun:
    run = dg.DagsterRun(
        job_name="__ASSET_JOB", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED,
        asset_selection=frozenset(keys),
    )
    return instance.add_run(run)


def test_a_landed_day_flows_layer_by_layer_and_waits_for_every_lines_load(ticks):
    graph, layers = _keys_by_layer()
    # A deployment whose seeds and whole-table models have been built once before.
    requested = ticks.next()
    ticks.materialize(requested)
    ticks.materialize(layers["whole"] - set(requested))
    ticks.next()

    # Three lines have loaded the day; the fourth line's load is still running.
    music = {key for key in layers["raw"] if key.path[-1].startswith("music_")}
    ticks.materialize(layers["raw"] - music, partition=DAY)
    running = _start_run(ticks.instance, music)
    assert assets_being_written(ticks.instance) == music
    waiting = ticks.next()
    assert not set(waiting) & (layers["whole"] | layers["daily"]), (
        f"rebuilt while a line's load was still running: {sorted(k.to_user_string() for k in waiting)}"
    )

    # The last load finishes: every staging table and dimension is rebuilt in one tick (one run), and the
    # daily facts, which read them, wait for the next tick instead of starting beside that rebuild. The
    # day's data-quality ledger reads only the loads' records: it is built now, once.
    ticks.instance.report_run_canceled(running)
    assert not assets_being_written(ticks.instance)
    ticks.materialize(music, partition=DAY)
    rebuild = ticks.next()
    staging = {key for key in layers["whole"] if key.path[0] == "staging" and graph.get(key).parent_keys}
    assert staging <= set(rebuild), sorted(k.to_user_string() for k in staging - set(rebuild))
    assert dg.AssetKey(["marts", "dim_customer"]) in rebuild
    assert rebuild.get(DATA_QUALITY_KEY) == 1
    assert not set(rebuild) & (layers["daily"] - {DATA_QUALITY_KEY})
    # Nothing built from the facts is rebuilt beside the dimensions, from the day before's facts: the
    # recommendations read the dimensions too, but wait for the interactions and model the facts feed.
    from_facts = {key for key in layers["whole"] if key.path[0] in ("recommendations", "demand", "dashboards")}
    assert not set(rebuild) & from_facts, sorted(k.to_user_string() for k in set(rebuild) & from_facts)

    # While that rebuild's run is still writing dim_product, no daily fact starts, not even those
    # whose own inputs are all rebuilt: they would otherwise go in runs of their own, or read a
    # half-rebuilt dimension.
    dim_product = dg.AssetKey(["marts", "dim_product"])
    rebuilding = _start_run(ticks.instance, rebuild)
    ticks.materialize(set(rebuild) - {dim_product})
    assert not set(ticks.next()) & layers["daily"]

    ticks.instance.report_run_canceled(rebuilding)
    ticks.materialize([dim_product])
    ticks.materialize([DATA_QUALITY_KEY], partition=DAY)
    facts = ticks.next()
    daily_facts = layers["daily"] - {DATA_QUALITY_KEY}
    assert set(facts) & layers["daily"] == daily_facts, "every daily fact in one tick, so in one run"
    rollups = {key for key in layers["whole"] if key.path[0] == "demand"}
    assert not set(facts) & rollups, "roll-ups wait until the facts they sum are built"

    ticks.materialize(set(facts) & layers["daily"], partition=DAY)
    ticks.materialize(set(facts) - layers["daily"])
    after_facts = ticks.next()
    assert dg.AssetKey(["demand", "fct_customer_spend_monthly"]) in after_facts
    assert not set(after_facts) & layers["daily"]


def test_the_data_quality_ledger_is_built_for_a_day_a_business_line_did_not_land(ticks):
    graph, layers = _keys_by_layer()
    ticks.materialize(ticks.next())
    ticks.materialize(layers["whole"])
    ticks.next()

    mart = {key for key in layers["raw"] if key.path[-1].startswith("mart_")}
    ticks.materialize(layers["raw"] - mart, partition=DAY)
    requested = ticks.next()
    assert requested.get(DATA_QUALITY_KEY) == 1, "the ledger must show the line that did not land"
    assert not set(requested) & (layers["daily"] - {DATA_QUALITY_KEY}), "the facts wait for every line"


def test_the_unfinished_runs_are_read_once_per_tick_not_once_per_asset(ticks, monkeypatch):
    graph, layers = _keys_by_layer()
    guarded = [key for key in graph.get_all_asset_keys()
               if graph.get(key).automation_condition and "upstream_settled" in str(graph.get(key).automation_condition)]
    reads = []
    get_runs = dg.DagsterInstance.get_runs

    def counting_get_runs(self, filters=None, *args, **kwargs):
        if filters is not None and set(filters.statuses or ()) == set(UNFINISHED):
            reads.append(1)
        return get_runs(self, filters, *args, **kwargs)

    monkeypatch.setattr(dg.DagsterInstance, "get_runs", counting_get_runs)
    for tick in range(2):
        ticks.next()
        assert len(reads) == tick + 1, f"{len(reads)} reads after {tick + 1} ticks"
    assert len(guarded) > 10
