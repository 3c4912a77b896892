"""The production path of the stored model: its binary weights written through the Snowflake IO manager and
read back bit for bit, against the fakesnow emulator."""

import dagster as dg
import fakesnow
import numpy as np

from vision_assets.recommendations.assets.collaborative_filtering_model import (
    KEY,
    MODEL_SCHEMA,
    model_from_table,
    model_table,
)
from vision_assets.recommendations.collaborative import EaseRecommender
from vision_assets.warehouse import snowflake_io_manager
from vision_assets_tests.raw_tests.test_snowflake_path import SNOWFLAKE_ENV

from .conftest import interactions


def test_the_model_table_round_trips_exactly_through_snowflake(monkeypatch):
    for name, value in SNOWFLAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PRIVATE_KEY_PATH", raising=False)
    model = EaseRecommender(l2=1.0).fit(
        interactions([(f"u{user}", f"item-{(user * step) % 7}") for user in range(20) for step in range(3)])
    ).model
    read_back = []

    @dg.asset(key=KEY.split("."), metadata={"dagster/column_schema": MODEL_SCHEMA})
    def stored():
        return model_table(model)

    @dg.asset(ins={"table": dg.AssetIn(key=KEY.split("."))})
    def scored(table) -> None:
        read_back.append(model_from_table(table))

    with fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]):
        # The second run replaces the table through the IO manager's load table.
        for _ in range(2):
            result = dg.materialize(
                [stored, scored],
                resources={"io_manager": snowflake_io_manager()},
                instance=dg.DagsterInstance.ephemeral(),
            )
            assert result.success
    for stored_model in read_back:
        assert stored_model.items.equals(model.items)
        np.testing.assert_array_equal(stored_model.weights, model.weights)
