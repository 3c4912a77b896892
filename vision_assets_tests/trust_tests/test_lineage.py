"""Column lineage and documentation, read from the definitions alone (no warehouse is built).

The dbt models' lineage is derived from their compiled SQL (vision_assets/trust/dbt_lineage.py); the
Python assets declare theirs. These tests hold both to what the code really reads.
"""

import dagster as dg
import pytest

from vision_assets import cli
from vision_assets.dashboards import dashboard_assets
from vision_assets.definitions import defs
from vision_assets.recommendations.assets import recommendation_assets
from vision_assets.trust.lineage import (
    column_lineage_of,
    column_schema_of,
    columns_of,
    is_seed,
    resolve,
    trace,
)

DEMAND = dg.AssetKey(["demand", "fct_daily_demand"])

# Net revenue = order lines (quantity x unit price - discount) of Books and Mart, plus membership payments
# less refunds (billing: the amount, and the event type that says payment or refund) of all four lines.
NET_REVENUE_RAW_COLUMNS = {
    dg.AssetKey(["raw", "books_orders"]): ["discount_amount", "quantity", "unit_price"],
    dg.AssetKey(["raw", "mart_orders"]): ["discount_amount", "quantity", "unit_price"],
    dg.AssetKey(["raw", "books_billing"]): ["amount", "event_type"],
    dg.AssetKey(["raw", "flicks_billing"]): ["amount", "event_type"],
    dg.AssetKey(["raw", "music_billing"]): ["amount", "event_type"],
    dg.AssetKey(["raw", "mart_billing"]): ["amount", "event_type"],
}


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def _materializable(graph):
    return [graph.get(key) for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]


def _dbt_models(graph):
    return [
        node
        for node in _materializable(graph)
        if "dagster_dbt/unique_id" in node.metadata and not is_seed(graph, node.key)
    ]


def test_net_revenue_of_daily_demand_comes_from_order_lines_and_billing_of_the_raw_exports(graph):
    lineage = trace(graph, DEMAND, "net_revenue_usd")

    assert lineage.raw_columns() == NET_REVENUE_RAW_COLUMNS
    assert lineage.seeds == {dg.AssetKey(["staging", "currency_rates"])}
    assert not lineage.undeclared
    mart_orders = graph.get(dg.AssetKey(["raw", "mart_orders"]))
    assert lineage.landing[mart_orders.key].files == "landing/mart/orders/<day>/part-*.csv"
    assert mart_orders.metadata["landing_files"] == "landing/mart/orders/<day>/part-*.csv"
    # On the way: the sales fact and each line's staging of orders and billing, nothing about engagement.
    crossed = {".".join(key.path) for key in lineage.assets}
    assert {"marts.fct_sales", "staging.stg_books__orders", "staging.stg_music__billing"} <= crossed
    assert not any("engagement" in name or "reviews" in name or "customer" in name for name in crossed)


def test_a_dashboard_tile_reaches_the_same_raw_columns_as_the_fact_it_sums(graph):
    tile = trace(graph, dg.AssetKey(["dashboards", "sales_by_business_line"]), "net_revenue_usd")
    assert tile.raw_columns() == NET_REVENUE_RAW_COLUMNS
    index = trace(graph, dg.AssetKey(["dashboards", "index"]), "headline")
    assert set(NET_REVENUE_RAW_COLUMNS) <= set(index.raw_columns())


def test_every_asset_has_a_description_owner_group_and_column_schema(graph):
    for node in _materializable(graph):
        name = node.key.to_user_string()
        assert node.description and len(node.description) > 40, name
        assert node.owners, name
        assert node.group_name and node.group_name != "default", name
        schema = column_schema_of(graph, node.key)
        assert schema is not None and schema.columns, f"{name} has no column schema"
        for column in schema.columns:
            assert column.description, f"{name}.{column.name} has no description"


def test_every_dbt_column_is_documented_and_has_lineage_from_the_sql(graph):
    models = _dbt_models(graph)
    assert len(models) > 30
    for node in models:
        lineage = column_lineage_of(graph, node.key)
        assert lineage is not None, f"{node.key.to_user_string()} has no column lineage"
        documented = [column.name for column in column_schema_of(graph, node.key).columns]
        # The columns the compiled SQL selects are exactly the documented ones.
        assert sorted(lineage.deps_by_column) == sorted(documented), node.key.to_user_string()
        for column, deps in lineage.deps_by_column.items():
            for dep in deps:
                assert dep.asset_key in node.parent_keys, (node.key, column, dep)
                assert dep.column_name in columns_of(graph, dep.asset_key), (node.key, column, dep)


@pytest.mark.parametrize(
    "asset", [*recommendation_assets, *dashboard_assets], ids=lambda asset: asset.key.path[-1]
)
def test_python_assets_declare_lineage_for_every_column_from_columns_they_read(graph, asset):
    node = graph.get(asset.key)
    lineage = column_lineage_of(graph, asset.key)
    assert lineage is not None, asset.key
    assert sorted(lineage.deps_by_column) == sorted(columns_of(graph, asset.key))
    selected = {
        asset.keys_by_input_name[input_def.name]: (input_def.metadata or {}).get("columns")
        for input_def in asset.node_def.input_defs
    }
    for column, deps in lineage.deps_by_column.items():
        for dep in deps:
            assert dep.asset_key in node.parent_keys, f"{column} reads {dep.asset_key}, not an input"
            assert dep.column_name in columns_of(graph, dep.asset_key), (column, dep)
            if selected.get(dep.asset_key):
                assert dep.column_name in selected[dep.asset_key], f"{column}: {dep} is not read"


def test_names_resolve_to_an_asset_and_a_column(graph):
    assert resolve(graph, "demand.fct_daily_demand") == (DEMAND, None)
    assert resolve(graph, "demand/fct_daily_demand/net_revenue_usd") == (DEMAND, "net_revenue_usd")
    assert resolve(graph, "demand.fct_daily_demand.net_revenue") == (DEMAND, "net_revenue_usd")
    tile = resolve(graph, "dashboards.sales_by_business_line.net_revenue_usd.books")
    assert tile == (dg.AssetKey(["dashboards", "sales_by_business_line"]), "net_revenue_usd.books")
    with pytest.raises(LookupError, match="no column 'revenue'"):
        resolve(graph, "demand.fct_daily_demand.revenue")
    with pytest.raises(LookupError, match="no asset"):
        resolve(graph, "demand.no_such_table")


def test_the_command_answers_from_the_instance_and_exits_by_verdict(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert cli.main(["trust", "demand.fct_daily_demand.net_revenue"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("demand.fct_daily_demand.net_revenue_usd: NEVER MATERIALIZED")
    assert (
        "raw.books_orders: discount_amount, quantity, unit_price  <-  landing/books/orders/<day>/part-*.csv"
        in out
    )

    assert cli.main(["trust", "demand.nothing"]) == 2
    assert "no asset" in capsys.readouterr().err
