"""The code location of test_ui_backfill: Vision's assets with this test's warehouse and landing zone.

Read from the environment when imported, which the test does after setting it (the backfill daemon's
workspace and the in-memory run launcher both load this module, in the test's process).
"""

import os

import dagster as dg

from vision_assets.definitions import defs as vision_defs
from vision_assets.resources import LandingZone
from vision_assets.transform.project import vision_dbt_resource
from vision_assets.warehouse import VisionDuckDBPandasIOManager

defs = dg.Definitions(
    assets=vision_defs.assets,
    asset_checks=vision_defs.asset_checks,
    jobs=vision_defs.jobs,
    resources={
        "io_manager": VisionDuckDBPandasIOManager(database=os.environ["VISION_DUCKDB_PATH"]),
        "landing_zone": LandingZone(root=os.environ["VISION_LANDING_ROOT"]),
        "dbt": vision_dbt_resource(),
    },
    executor=dg.in_process_executor,
)
