"""Names of the raw layer that what reads it shares: its schema and its checks' names.

Apart from :mod:`vision_assets.raw.assets`, so that a reader (the dbt translator, ``vision trust``) does not
import everything the raw assets are built from."""

RAW_SCHEMA = "raw"
QUARANTINE_CHECK = "no_quarantined_rows"
RECONCILIATION_CHECK = "landed_rows_reconcile"
