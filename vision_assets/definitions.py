"""The Vision code location: every asset, resource, sensor and schedule, in one place."""

import dagster as dg

from vision_assets.raw.assets import raw_assets
from vision_assets.resources import build_resources

defs = dg.Definitions(
    assets=[*raw_assets],
    resources=build_resources(),
)
