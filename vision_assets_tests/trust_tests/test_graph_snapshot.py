"""`vision trust` answers from a snapshot of the asset graph while the code is unchanged, and the answer is
the one the code location's own graph gives."""

import json
from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._core.test_utils import freeze_time

from vision_assets import cli
from vision_assets.definitions import defs
from vision_assets.trust import graph_snapshot
from vision_assets.trust.panel import render_text
from vision_assets.trust.report import build_report

DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])
NOW = datetime(2026, 10, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    return tmp_path


@pytest.fixture
def snapshot_graph(data_dir):
    graph_snapshot.write_snapshot(defs, "this code")
    return graph_snapshot.read_snapshot("this code")


def test_a_snapshot_written_for_other_code_is_not_used(snapshot_graph):
    assert snapshot_graph is not None
    assert graph_snapshot.read_snapshot("other code") is None


def test_the_fingerprint_follows_the_settings_that_shape_the_graph(data_dir, monkeypatch):
    before = graph_snapshot.code_fingerprint()
    assert graph_snapshot.code_fingerprint() == before
    monkeypatch.setenv("VISION_PARTITIONS_START", "2026-01-01")
    assert graph_snapshot.code_fingerprint() != before


def test_the_fingerprint_follows_the_dbt_project(data_dir, monkeypatch, tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    model = project / "models" / "a_model.sql"
    model.write_text("select 1 as one\n")
    monkeypatch.setattr(graph_snapshot.paths, "DBT_PROJECT_DIR", project)
    before = graph_snapshot.code_fingerprint()
    model.write_text("select 2 as one\n")
    assert graph_snapshot.code_fingerprint() != before


@pytest.mark.parametrize("target", ["demand.fct_daily_demand", "demand.fct_daily_demand.net_revenue_usd"])
def test_the_snapshot_gives_the_answer_the_code_location_gives(snapshot_graph, target):
    graph = defs.resolve_asset_graph()
    key = DEMAND
    column = target.split(".")[2] if target.count(".") == 2 else None
    with freeze_time(NOW), dg.DagsterInstance.ephemeral() as instance:
        for upstream in sorted(graph.get_ancestor_asset_keys(key), key=lambda k: len(graph.get_ancestor_asset_keys(k))):
            partition = "2026-10-01" if graph.get(upstream).partitions_def is not None else None
            instance.report_runless_asset_event(dg.AssetMaterialization(upstream, partition=partition))
        from_definitions = build_report(instance, graph, key, column)
        from_snapshot = build_report(instance, snapshot_graph, key, column)
        from_snapshot.generated_at = from_definitions.generated_at
        assert render_text(from_snapshot, snapshot_graph) == render_text(from_definitions, graph)
    assert from_snapshot.verdict == from_definitions.verdict == "never materialized"


def test_vision_trust_json_leads_with_the_verdict_and_writes_the_snapshot(data_dir, capsys):
    assert cli.main(["trust", "--json", "demand.fct_daily_demand.net_revenue_usd"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert list(answer)[:4] == ["subject", "verdict", "reason", "what_would_change"]
    assert answer["subject"] == "demand.fct_daily_demand.net_revenue_usd"
    assert answer["verdict"] == "never materialized"
    assert answer["what_would_change"]["items"]
    assert answer["assets"][0]["key"] == "demand.fct_daily_demand"
    assert graph_snapshot.snapshot_path().exists()
    # The second question reads the snapshot: the same answer, without importing the definitions again.
    assert graph_snapshot.read_snapshot(graph_snapshot.code_fingerprint()) is not None
    assert cli.main(["trust", "--json", "demand.fct_daily_demand.net_revenue_usd"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in again.items() if k != "generated_at"} == {
        k: v for k, v in answer.items() if k != "generated_at"
    }


def test_an_unknown_name_exits_2(data_dir, capsys):
    assert cli.main(["trust", "demand.no_such_table"]) == 2
    assert "no_such_table" in capsys.readouterr().err
