"""A small warehouse built from simulated days, then the dashboards materialized from it through Dagster.

Landing days are simulated, the raw assets load them through Dagster, and one ``dbt build`` (models and
seeds, no tests: those are the transform suite's) builds staging, marts and demand into a temporary
DuckDB file. The dashboard assets then run in a Dagster job, reading their tables through the IO manager
as in production. The recommendation and segment tables they read are stood in for by small assets built
here from the marts, with the columns the recommendation assets publish: these tests are about the
dashboards showing the warehouse's numbers, not about the recommender.
"""

import json
import os
import subprocess
from datetime import date, timedelta

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from vision_assets.dashboards import dashboard_assets
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.predictions.assets.common import cells_from
from vision_assets.predictions.assets.demand_forecast import forecast_rows
from vision_assets.predictions.assets.forecast_accuracy import forecast_accuracy
from vision_assets.predictions.demand import forecast_demand
from vision_assets.resources import LandingZone
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.loading import loading_definitions

FIRST_DAY = date(2026, 5, 30)
DAYS = 4  # crosses a month boundary, so monthly pages cover two months
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)


@dg.asset(
    key=["analytics", "customer_segments"], ins={"customers": dg.AssetIn(key=["marts", "dim_customer"])}
)
def stand_in_customer_segments(customers: pd.DataFrame) -> pd.DataFrame:
    labels = customers["business_line_count"].map(lambda lines: f"{lines} line{'s' if lines > 1 else ''}")
    return pd.DataFrame({"customer_key": customers["customer_key"], "segment_label": labels})


@dg.asset(
    key=["recommendations", "popular_items"],
    ins={
        "engagement": dg.AssetIn(key=["marts", "fct_engagement"]),
        "catalog": dg.AssetIn(key=["marts", "dim_product"]),
    },
)
def stand_in_popular_items(engagement: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    counts = engagement.groupby(["business_line", "product_key"], as_index=False).agg(
        distinct_customers=("customer_key", "nunique")
    )
    counts = counts.merge(catalog[["product_key", "product_name", "creator_name"]], on="product_key")
    counts = counts.sort_values(
        ["business_line", "distinct_customers", "product_key"], ascending=[True, False, True]
    )
    counts["rank"] = counts.groupby("business_line").cumcount() + 1
    top = counts[counts["rank"] <= 10]
    return pd.DataFrame(
        {
            "popularity_list": "business_line",
            "business_line": top["business_line"],
            "scope": top["business_line"],
            "rank": top["rank"],
            "item_type": "product",
            "item_name": top["product_name"],
            "creator_name": top["creator_name"],
            "distinct_customers": top["distinct_customers"],
        }
    )


@dg.asset(
    key=["recommendations", "user_recommendations"],
    ins={
        "popular": dg.AssetIn(key=["recommendations", "popular_items"]),
        "customers": dg.AssetIn(key=["marts", "dim_customer"]),
        "catalog": dg.AssetIn(key=["marts", "dim_product"]),
    },
)
def stand_in_user_recommendations(
    popular: pd.DataFrame, customers: pd.DataFrame, catalog: pd.DataFrame
) -> pd.DataFrame:
    items = popular.merge(
        catalog[["product_key", "product_name"]], left_on="item_name", right_on="product_name"
    )
    items = items.drop_duplicates("product_key").head(5)
    people = customers["customer_key"].head(50)
    return pd.DataFrame(
        {
            "customer_key": np.repeat(people.to_numpy(), len(items)),
            "scope": "all_lines",
            "rank": np.tile(np.arange(1, len(items) + 1), len(people)),
            "product_key": np.tile(items["product_key"].to_numpy(), len(people)),
            "source": "popularity_fallback",
        }
    )


@dg.asset(key=["recommendations", "similar_items"], ins={"catalog": dg.AssetIn(key=["marts", "dim_product"])})
def stand_in_similar_items(catalog: pd.DataFrame) -> pd.DataFrame:
    keys = catalog["product_key"].sort_values().to_numpy()
    return pd.DataFrame(
        {"product_key": keys, "rank": 1, "similar_product_key": np.roll(keys, 1), "similarity": 0.5}
    )


@dg.asset(
    key=["predictions", "demand_forecast"],
    ins={
        "demand": dg.AssetIn(key=["demand", "fct_daily_demand"]),
        "catalog": dg.AssetIn(key=["marts", "dim_product"]),
    },
)
def stand_in_demand_forecast(demand: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Forecasts made on the last two days by the forecast's own code (the asset waits for four weeks of
    history; these days are fewer): what the outlook page reads."""
    cells = cells_from(demand, catalog)
    made = [LAST_DAY - timedelta(days=2), LAST_DAY]
    return pd.concat(
        [forecast_rows(forecast_demand(cells[cells["ds"] <= pd.Timestamp(day)], 28)[0], day) for day in made]
    )


STAND_INS = [
    stand_in_customer_segments,
    stand_in_popular_items,
    stand_in_user_recommendations,
    stand_in_similar_items,
    stand_in_demand_forecast,
    # The real scoring of past forecasts, on the stand-in's forecasts.
    forecast_accuracy,
]


def _build_warehouse(root, database) -> None:
    """Land the days, load them into raw (and the data-quality ledger) through Dagster, then build every dbt
    model: one dbt run up to the staged customers, identity resolution, one dbt run for the rest.

    dbt runs as its own process here (the models' tests are the transform suite's job): the dbt assets'
    in-process metadata fetch keeps a handle on the DuckDB file, which this suite need not depend on.
    """
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=DAYS, scale=0.2, seed=11)
    raw = materialize_days(
        loading_definitions(root / "landing", database),
        dg.DagsterInstance.ephemeral(),
        FIRST_DAY,
        LAST_DAY,
    )
    assert raw.success
    window = json.dumps(
        {"min_date": FIRST_DAY.isoformat(), "max_date": (LAST_DAY + timedelta(days=1)).isoformat()}
    )
    # Identity resolution (a Python asset) sits between the staging models and what is built from its bridge.
    after_identity = "source:identity.bridge_customer_account+"
    _dbt_build(root, database, window, "--exclude", after_identity)
    _resolve_identities(database)
    _dbt_build(root, database, window, "--select", after_identity)


def _dbt_build(root, database, window: str, *selection: str) -> None:
    from vision_assets.transform.project import dbt_executable

    subprocess.run(
        [
            dbt_executable(),
            "build",
            *selection,
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--vars",
            window,
            "--target",
            "duckdb",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(root / "dbt_target"),
            "--log-path",
            str(root / "dbt_logs"),
            "--quiet",
        ],
        check=True,
        env={**os.environ, "VISION_DUCKDB_PATH": str(database)},
        timeout=600,
    )


def _resolve_identities(database) -> None:
    """The bridge and the key map, through Dagster and the IO manager, from the staged customers."""
    from vision_assets.identity.assets import (
        BRIDGE_KEY,
        KEY_MAP_KEY,
        STAGED_CUSTOMER_KEYS,
        identity_resolution,
    )

    staged = [dg.AssetSpec(key) for key in STAGED_CUSTOMER_KEYS.values()]
    result = dg.materialize(
        [*staged, identity_resolution],
        selection=[BRIDGE_KEY, KEY_MAP_KEY],
        resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success


@pytest.fixture(scope="package")
def built(tmp_path_factory):
    """Simulated days in a fresh warehouse, then the dashboards materialized from it through Dagster."""
    from vision_assets.identity.assets import identity_assets
    from vision_assets.quality.assets import quality_assets
    from vision_assets.transform.assets import dbt_model_assets
    from vision_assets.transform.project import vision_dbt_resource

    root = tmp_path_factory.mktemp("dashboards")
    database = root / "warehouse.duckdb"
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("VISION_DUCKDB_PATH", str(database))
    monkeypatch.setenv("VISION_DATA_DIR", str(root))
    _build_warehouse(root, database)
    # The dbt and data-quality assets are in the definitions (so the dashboards read the daily tables as
    # partitioned upstreams, as in production) but are not run again.
    defs = dg.Definitions(
        assets=[*quality_assets, *dbt_model_assets, *identity_assets, *STAND_INS, *dashboard_assets],
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "dbt": vision_dbt_resource(),
            "landing_zone": LandingZone(root=str(root / "landing")),
        },
        executor=dg.in_process_executor,
    )
    job = dg.define_asset_job("dashboards", selection=dg.AssetSelection.assets(*STAND_INS, *dashboard_assets))
    result = (
        dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
        .resolve_job_def("dashboards")
        .execute_in_process(instance=dg.DagsterInstance.ephemeral())
    )
    yield {"result": result, "database": database, "pages": root / "dashboards"}
    monkeypatch.undo()


def query(database, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchdf()
