"""The identity assets through Dagster and the IO manager: DuckDB, and Snowflake (fakesnow) alike."""

from datetime import date

import dagster as dg
import duckdb
import fakesnow
import pandas as pd
import pytest

from vision_assets.identity import resolve
from vision_assets.identity.assets import (
    BRIDGE_KEY,
    BRIDGE_SCHEMA,
    KEY_MAP_KEY,
    KEY_MAP_SCHEMA,
    QUALITY_KEY,
    REVIEW_KEY,
    REVIEW_SCHEMA,
    STAGED_CUSTOMER_KEYS,
    identity_assets,
    identity_resolution,
)
from vision_assets.landing.contracts import BUSINESS_LINES
from vision_assets.simulate.engine import IDENTITY_TRUTH_FILE
from vision_assets.simulate.identities import accounts_and_truth
from vision_assets.simulate.world import World
from vision_assets.warehouse import VisionDuckDBPandasIOManager, snowflake_io_manager
from vision_assets_tests.raw_tests.test_snowflake_path import SNOWFLAKE_ENV

STAGED_TYPES = {
    "account_key": "varchar", "business_line": "varchar", "account_id": "varchar", "customer_name": "varchar",
    "email": "varchar", "country_code": "varchar", "region": "varchar", "city": "varchar",
    "geography_key": "varchar", "signed_up_at": "timestamp", "updated_at": "timestamp",
}


@pytest.fixture(scope="module")
def staged():
    """What the four staging customer tables would hold for a small simulated population, and its truth."""
    accounts, truth = accounts_and_truth(World(date(2026, 10, 1), scale=0.3, seed=5).population)
    accounts = accounts.assign(
        account_id=truth["account_id"],
        geography_key="g",
        signed_up_at=accounts["signed_up_at"].dt.tz_localize(None),
        updated_at=accounts["signed_up_at"].dt.tz_localize(None),
    )[list(STAGED_TYPES)]
    return accounts, truth


STAGED_CUSTOMERS = [dg.AssetSpec(key) for key in STAGED_CUSTOMER_KEYS.values()]


def _create_staging(execute, accounts: pd.DataFrame, schema_prefix: str = "") -> None:
    execute(f"create schema if not exists {schema_prefix}staging")
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGED_TYPES.items())
    for line in BUSINESS_LINES:
        execute(f"create table {schema_prefix}staging.stg_{line}__customers ({columns})")


def _staged_warehouse(folder, accounts: pd.DataFrame):
    """A DuckDB file in ``folder`` whose four staging customer tables hold ``accounts``."""
    database = folder / "vision.duckdb"
    with duckdb.connect(str(database)) as connection:
        _create_staging(connection.execute, accounts)
        for line in BUSINESS_LINES:
            connection.register("lines_accounts", accounts[accounts["business_line"] == line])
            connection.execute(f"insert into staging.stg_{line}__customers select * from lines_accounts")
    return database


def test_the_bridge_key_map_review_and_quality_build_on_duckdb(staged, tmp_path, monkeypatch):
    accounts, truth = staged
    database = _staged_warehouse(tmp_path, accounts)
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    (tmp_path / "simulator_truth").mkdir()
    truth[["line", "account_id", "person_id"]].to_csv(tmp_path / "simulator_truth" / IDENTITY_TRUTH_FILE, index=False)

    result = dg.materialize(
        [*STAGED_CUSTOMERS, *identity_assets],
        selection=[key for asset in identity_assets for key in asset.keys],
        resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    assert checks["every_account_has_one_customer"].passed
    assert checks["meets_identity_targets"].passed, checks["meets_identity_targets"].metadata
    materialized = {event.asset_key: event for event in result.get_asset_materialization_events()}
    bridge_metadata = materialized[BRIDGE_KEY].materialization.metadata
    assert 0.5 <= bridge_metadata["match_threshold"].value < 1.0
    assert "first_name" in bridge_metadata["model_weights"].value

    with duckdb.connect(str(database), read_only=True) as connection:
        bridge = connection.execute("select * from marts.bridge_customer_account").fetchdf()
        key_map = connection.execute("select * from marts.customer_key_map").fetchdf()
        review = connection.execute("select * from analytics.identity_clerical_review").fetchdf()
        quality = connection.execute("select * from analytics.identity_resolution_quality").fetchdf()
    assert list(bridge.columns) == [column.name for column in BRIDGE_SCHEMA.columns]
    assert list(key_map.columns) == [column.name for column in KEY_MAP_SCHEMA.columns]
    assert list(review.columns) == [column.name for column in REVIEW_SCHEMA.columns]
    assert sorted(bridge["account_key"]) == sorted(accounts["account_key"])
    expected = resolve(accounts).set_index("account_key")["customer_key"]
    assert (bridge.set_index("account_key")["customer_key"] == expected.reindex(bridge["account_key"])).all()
    assert bridge["is_anchor_account"].sum() == bridge["customer_key"].nunique()
    assert len(quality) == 1 and quality["precision"][0] >= 0.99
    anchors = bridge[bridge["is_anchor_account"]].set_index("account_key")["customer_key"]
    current = key_map[key_map["is_current_key"]].set_index("account_key")["customer_key"]
    pd.testing.assert_series_equal(current.sort_index(), anchors.sort_index(), check_names=False)
    assert (key_map["former_customer_key"] != key_map["customer_key"]).sum() == len(bridge) - len(anchors)


def test_the_next_run_reuses_the_trained_model_and_a_run_can_ask_to_retrain(staged, tmp_path):
    accounts, _ = staged
    database = _staged_warehouse(tmp_path, accounts)
    instance = dg.DagsterInstance.ephemeral()

    def bridge_run(retrain: bool = False) -> tuple[dict, pd.DataFrame]:
        result = dg.materialize(
            [*STAGED_CUSTOMERS, identity_resolution],
            selection=[BRIDGE_KEY],
            resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
            instance=instance,
            run_config={"ops": {"identity_resolution": {"config": {"retrain": retrain}}}},
        )
        metadata = result.asset_materializations_for_node("identity_resolution")[0].metadata
        with duckdb.connect(str(database), read_only=True) as connection:
            return metadata, connection.execute("select * from marts.bridge_customer_account").fetchdf()

    first, first_bridge = bridge_run()
    second, second_bridge = bridge_run()
    forced, _ = bridge_run(retrain=True)
    assert first["model_training"].value == "trained in this run: no earlier model was recorded"
    assert second["model_training"].value.startswith("reused: trained at")
    assert second["model"].value == first["model"].value
    pd.testing.assert_frame_equal(second_bridge, first_bridge)
    assert forced["model_training"].value == "trained in this run: the run asked for it (retrain)"
    assert forced["model"].value["vision_trained_at"] > first["model"].value["vision_trained_at"]


def test_without_a_ground_truth_the_quality_check_warns_that_nothing_was_scored(staged, tmp_path, monkeypatch):
    accounts, _ = staged
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    bridge = dg.AssetSpec(BRIDGE_KEY)
    [quality_asset] = [asset for asset in identity_assets if QUALITY_KEY in asset.keys]
    database = tmp_path / "vision.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.register("accounts", accounts.assign(customer_key="c"))
        connection.execute("create table marts.bridge_customer_account as select * from accounts")
    result = dg.materialize(
        [bridge, quality_asset],
        selection=[QUALITY_KEY],
        resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "unscored" in check.description


def test_the_bridge_builds_on_snowflake_through_the_same_asset(staged, monkeypatch):
    """Snowflake mode: the staged customers are read from Snowflake, resolved in-process, and the bridge
    written back through the Snowflake IO manager (fakesnow emulates Snowflake in-process)."""
    accounts, truth = staged
    # Every account of 200 people: enough pairs to train on, few enough rows to insert one by one.
    people = truth["person_id"].drop_duplicates().head(200)
    accounts = accounts[accounts["account_key"].isin(truth.loc[truth["person_id"].isin(people), "account_key"])]
    for name, value in SNOWFLAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PRIVATE_KEY_PATH", raising=False)
    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        import snowflake.connector

        connection = snowflake.connector.connect(database="VISION_TEST")
        cursor = connection.cursor()
        _create_staging(cursor.execute, accounts, "vision_test.")
        for line in BUSINESS_LINES:
            for row in accounts[accounts["business_line"] == line].itertuples(index=False):
                values = ", ".join("null" if pd.isna(value) else "'" + str(value).replace("'", "''") + "'" for value in row)
                cursor.execute(f"insert into vision_test.staging.stg_{line}__customers values ({values})")
        # fakesnow words "table does not exist" differently from Snowflake (see test_snowflake_path.py):
        # the tables are created first so the product code runs exactly as on Snowflake.
        cursor.execute("create schema if not exists vision_test.marts")
        for key, schema in ((BRIDGE_KEY, BRIDGE_SCHEMA), (KEY_MAP_KEY, KEY_MAP_SCHEMA)):
            columns = ", ".join(f"{column.name} {column.type}" for column in schema.columns)
            cursor.execute(f"create table vision_test.{key.path[0]}.{key.path[1]} ({columns})")
        result = dg.materialize(
            [*STAGED_CUSTOMERS, identity_resolution],
            selection=[BRIDGE_KEY, KEY_MAP_KEY],
            resources={"io_manager": snowflake_io_manager()},
            instance=dg.DagsterInstance.ephemeral(),
        )
        assert result.success
        bridge = cursor.execute(
            "select account_key, customer_key from vision_test.marts.bridge_customer_account"
        ).fetch_pandas_all()
    bridge.columns = [column.lower() for column in bridge.columns]
    expected = resolve(accounts).set_index("account_key")["customer_key"]
    assert len(bridge) == len(accounts)
    assert (bridge.set_index("account_key")["customer_key"] == expected.reindex(bridge["account_key"])).all()
    assert REVIEW_KEY not in {event.asset_key for event in result.get_asset_materialization_events()}


def test_a_table_too_small_to_hold_a_pair_gives_an_empty_review_with_its_columns():
    from vision_assets.identity import resolve_identities
    from vision_assets.identity.assets import clerical_review_table

    one = pd.DataFrame([("books:1", "books", "Ann Lee", None, "US", None, None, "2024-01-03")], columns=[
        "account_key", "business_line", "customer_name", "email", "country_code", "region", "city", "signed_up_at",
    ])
    review = clerical_review_table(resolve_identities(one))
    assert review.empty
    assert list(review.columns) == [column.name for column in REVIEW_SCHEMA.columns]
