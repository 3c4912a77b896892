"""What every asset spec carries for an analyst deciding whether to trust it, applied over ``Definitions``.

The Python assets (recommendations, dashboards) declare their own ``dagster/column_lineage``. The dbt
models get theirs here, from :mod:`vision_assets.trust.dbt_lineage`, because on DuckDB their
materializations cannot carry it. The raw assets are the roots: each column is the landing files' column
of the same name, and their definitions say which files (``landing_files``), since a file is no asset a
column lineage could name.
"""

import logging
from collections.abc import Callable

import dagster as dg

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.trust.dbt_lineage import dbt_column_lineage
from vision_assets.trust.lineage import is_raw, landing_files

COLUMN_LINEAGE = "dagster/column_lineage"
_DBT_UNIQUE_ID = "dagster_dbt/unique_id"

logger = logging.getLogger(__name__)


def trust_metadata() -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The spec mapper for ``Definitions.map_asset_specs``: dbt column lineage, raw tables' landing files."""
    try:
        lineage = dbt_column_lineage()
    # Whatever stops the derivation (dbt, sqlglot, a file), the code location must still load; the lineage
    # tests and `vision trust` then show that the dbt models have none.
    except Exception as error:  # noqa: BLE001
        logger.warning(f"No column lineage for the dbt models: {error}")
        lineage = {}

    def add_trust_metadata(spec: dg.AssetSpec) -> dg.AssetSpec:
        if is_raw(spec.key):
            table = SOURCE_TABLES_BY_NAME[spec.key.path[-1]]
            return spec.merge_attributes(metadata={"landing_files": landing_files(table)})
        if _DBT_UNIQUE_ID not in spec.metadata or spec.key not in lineage or COLUMN_LINEAGE in spec.metadata:
            return spec
        return spec.merge_attributes(metadata={COLUMN_LINEAGE: lineage[spec.key]})

    return add_trust_metadata
