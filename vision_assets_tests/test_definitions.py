"""The code location loads, and every asset tells an analyst what it is, who owns it and how it is cut."""

import gc

import dagster as dg

from vision_assets.automation.policies import PARTITION_FRESHNESS_CHECK, without_partition_freshness_checks
from vision_assets.automation.schedules import daily_landing_job
from vision_assets.automation.sensors import landing_sensors
from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.partitions import daily_partitions
from vision_assets.raw.assets import QUARANTINE_CHECK, RECONCILIATION_CHECK


def _asset_nodes():
    graph = defs.resolve_asset_graph()
    return [graph.get(key) for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]


def test_definitions_load_with_one_raw_asset_per_source_table():
    keys = {node.key for node in _asset_nodes()}
    assert {dg.AssetKey(["raw", table.name]) for table in SOURCE_TABLES} <= keys


def test_the_garbage_collector_runs_again_once_the_definitions_are_loaded():
    # The load pauses it (vision_assets/collector.py); a process left without it would grow without bound.
    assert defs is not None
    assert gc.isenabled()
    garbage = []
    garbage.append(garbage)  # a cycle made after the load is still collected
    del garbage
    assert gc.collect() > 0


def test_every_asset_has_a_description_group_and_owner():
    for node in _asset_nodes():
        assert node.description and len(node.description) > 40, node.key
        assert node.group_name and node.group_name != "default", node.key
        assert node.owners, node.key


def test_every_raw_asset_is_daily_partitioned_and_replaces_its_day():
    for node in _asset_nodes():
        if node.key.path[0] == "raw":
            assert node.partitions_def == daily_partitions, node.key
            assert node.metadata["partition_expr"], node.key
            assert node.metadata["dagster/column_schema"].columns, node.key


def test_every_asset_has_a_freshness_policy_and_everything_downstream_of_raw_runs_by_itself():
    graph = defs.resolve_asset_graph()
    schedule_targets = {key for schedule in defs.schedules for key in schedule.job.selection.resolve(graph)}
    for node in _asset_nodes():
        assert node.freshness_policy is not None, node.key
        if node.key.path[0] == "raw":
            assert node.key in schedule_targets, f"{node.key} is loaded by neither sensor nor schedule"
        else:
            assert node.automation_condition is not None, node.key


def test_every_asset_has_a_code_version_that_follows_its_code(tmp_path, monkeypatch):
    from vision_assets import code_versions

    for node in _asset_nodes():
        assert node.code_version, node.key
    before = code_versions.source_hash("dashboards")
    copy = tmp_path / "dashboards"
    copy.mkdir()
    for source in (code_versions.PACKAGE / "dashboards").glob("*.py"):
        (copy / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(code_versions, "PACKAGE", tmp_path)
    code_versions.source_hash.cache_clear()
    assert code_versions.source_hash("dashboards") == before
    (copy / "theme.py").write_text((copy / "theme.py").read_text() + "\n# changed\n")
    code_versions.source_hash.cache_clear()
    assert code_versions.source_hash("dashboards") != before
    # A module named alone (the retail calendar the forecast reads) counts as its own source.
    (tmp_path / "calendar.py").write_text("BLACK_FRIDAY = 'the day after Thanksgiving'\n")
    code_versions.source_hash.cache_clear()
    with_calendar = code_versions.source_hash("dashboards", "calendar.py")
    (tmp_path / "calendar.py").write_text("BLACK_FRIDAY = 'the fourth Friday'\n")
    code_versions.source_hash.cache_clear()
    assert code_versions.source_hash("dashboards", "calendar.py") != with_calendar
    code_versions.source_hash.cache_clear()


def test_every_daily_asset_has_a_partition_freshness_check_that_no_materializing_run_includes():
    graph = defs.resolve_asset_graph()
    daily = {node.key for node in _asset_nodes() if node.partitions_def is not None}
    freshness = {key for key in graph.asset_check_keys if key.name == PARTITION_FRESHNESS_CHECK}
    assert {key.asset_key for key in freshness} == daily

    everything = without_partition_freshness_checks(dg.AssetSelection.all(), graph).resolve_checks(graph)
    assert not everything & freshness
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "mart_orders"]), QUARANTINE_CHECK) in everything
    for sensor in landing_sensors:
        checks = sensor.asset_selection.resolve_checks(graph)
        assert checks and {check.name for check in checks} == {QUARANTINE_CHECK, RECONCILIATION_CHECK}
    assert {check.name for check in daily_landing_job.selection.resolve_checks(graph)} == {
        QUARANTINE_CHECK,
        RECONCILIATION_CHECK,
    }
