"""What the trust report reads of each asset: its records, read in one batch, say what Dagster's own
``get_latest_materialization_event`` says (vision_assets/trust/status.py relies on Dagster's loader for it)."""

import dagster as dg
import pytest

from vision_assets.definitions import defs
from vision_assets.trust.status import read_statuses

SALES = dg.AssetKey(["marts", "fct_sales"])


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_each_asset_s_latest_materialization_is_the_one_dagster_reports(graph):
    keys = sorted([SALES, *graph.get(SALES).parent_keys], key=lambda key: key.to_user_string())
    materialized, never = keys[:-1], keys[-1]
    with dg.DagsterInstance.ephemeral() as instance:
        for key in materialized:
            for day in ("2026-10-01", "2026-10-02"):
                partition = day if graph.get(key).partitions_def is not None else None
                instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))
        instance.wipe_assets([materialized[0]])  # wiped: as never materialized again
        statuses = {status.key: status for status in read_statuses(instance, graph, keys)}
        for key in keys:
            latest = instance.get_latest_materialization_event(key)
            assert statuses[key].materialized_at == (latest.timestamp if latest else None), key
            assert statuses[key].run_id == (latest.run_id if latest else None), key
        assert statuses[never].never_materialized
        assert statuses[materialized[0]].never_materialized
        assert not statuses[materialized[1]].never_materialized
