"""Names of the raw layer that what reads it shares: its schema, the columns the load adds, its checks' names.

Apart from :mod:`vision_assets.raw.assets`, so that a reader (the dbt translator, ``vision trust``) does not
import everything the raw assets are built from."""

RAW_SCHEMA = "raw"
# Added to every row by the load (vision_assets/landing/loader.py): where it came from and when.
SOURCE_FILE_COLUMN = "_source_file"
LOADED_AT_COLUMN = "_loaded_at"
QUARANTINE_CHECK = "no_quarantined_rows"
RECONCILIATION_CHECK = "landed_rows_reconcile"
