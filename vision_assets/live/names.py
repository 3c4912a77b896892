"""The live lane's names that other packages refer to (the trust verdict), without importing the lane."""

import dagster as dg

LIVE_LAYER = "live"
RECONCILIATION_KEY = dg.AssetKey(["analytics", "live_reconciliation"])
RECONCILIATION_CHECK = "live_matches_the_books"
# The materialization metadata that says the latest day a live table holds.
LATEST_DAY_METADATA = "latest_event_day"
