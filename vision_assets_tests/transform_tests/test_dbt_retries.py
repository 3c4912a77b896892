"""A dbt build that failed because the warehouse was briefly unavailable is retried; any other failure is final.

The retry itself is Dagster's (the assets' retry policy, the same as the raw assets', whose retry on a
held DuckDB file is exercised in hardening_tests/test_retries.py); this checks which failures reach it.
"""

import dagster as dg
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from vision_assets.transform.assets import dbt_model_assets, retryable_only_if_transient
from vision_assets.warehouse import WAREHOUSE_RETRY_POLICY


def test_a_dbt_build_is_retried_only_when_the_warehouse_was_briefly_unavailable():
    locked = DagsterDbtCliRuntimeError(
        description="dbt build failed. Errors: IO Error: Could not set lock on file \"vision.duckdb\": Conflicting lock"
    )
    assert retryable_only_if_transient(locked) is locked
    failing_test = DagsterDbtCliRuntimeError(description="dbt build failed. Errors: Failure in test unique_dim_product")
    final = retryable_only_if_transient(failing_test)
    assert isinstance(final, dg.Failure) and final.allow_retries is False
    assert "unique_dim_product" in final.description
    for assets_def in dbt_model_assets:
        assert assets_def.op.retry_policy == WAREHOUSE_RETRY_POLICY, assets_def.op.name
