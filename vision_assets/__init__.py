"""Vision: four businesses (Books, Flicks, Music, Mart) unified into one warehouse as Dagster assets."""

import warnings

import dagster as dg

# Single-run backfills and the freshness/automation APIs we rely on are marked beta or preview in
# Dagster 1.13; they are the documented way to do this, so their warnings are noise in every run log.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
