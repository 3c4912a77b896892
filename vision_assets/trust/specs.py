"""What every asset spec carries for an analyst deciding whether to trust it, applied over ``Definitions``.

The Python assets (recommendations, dashboards) declare their own ``dagster/column_lineage``; the raw
assets are the roots (their columns come from the landing files, see :mod:`vision_assets.trust.lineage`).
The dbt models get theirs here, from :mod:`vision_assets.trust.dbt_lineage`, because on DuckDB their
materializations cannot carry it.
"""

import logging
from collections.abc import Callable

import dagster as dg

from vision_assets.trust.dbt_lineage import dbt_column_lineage

COLUMN_LINEAGE = "dagster/column_lineage"
_DBT_UNIQUE_ID = "dagster_dbt/unique_id"

logger = logging.getLogger(__name__)


def with_column_lineage() -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The spec mapper for ``Definitions.map_asset_specs``: each dbt model's column lineage as metadata."""
    try:
        lineage = dbt_column_lineage()
    # Whatever stops the derivation (dbt, sqlglot, a file), the code location must still load; the lineage
    # tests and `vision trust` then show that the dbt models have none.
    except Exception as error:  # noqa: BLE001
        logger.warning(f"No column lineage for the dbt models: {error}")
        lineage = {}

    def add_column_lineage(spec: dg.AssetSpec) -> dg.AssetSpec:
        if _DBT_UNIQUE_ID not in spec.metadata or spec.key not in lineage or COLUMN_LINEAGE in spec.metadata:
            return spec
        return spec.merge_attributes(metadata={COLUMN_LINEAGE: lineage[spec.key]})

    return add_column_lineage
