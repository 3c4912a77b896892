"""The raw tables and the data-quality ledger as a test loads them: real assets, a DuckDB file, a landing zone."""

from pathlib import Path

import dagster as dg

from vision_assets.quality.assets import quality_assets
from vision_assets.raw.assets import raw_assets
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager


def loading_definitions(landing_root: Path, database: Path) -> dg.Definitions:
    """Every raw asset and ``analytics.data_quality``, writing to ``database``, in one process."""
    return dg.Definitions(
        assets=[*raw_assets, *quality_assets],
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(landing_root)),
        },
        executor=dg.in_process_executor,
    )
