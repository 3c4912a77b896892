"""Trust before use: where a number comes from, how fresh it is and whether its checks passed.

* ``dbt_lineage``: the dbt models' column lineage, derived from the dbt project (compiled SQL + sqlglot).
* ``specs``: puts that lineage on the dbt assets' specs as ``dagster/column_lineage``.
* ``lineage``: walks column lineage from any asset or column back to the raw tables and landing files.
* ``status``: what the Dagster instance knows of an asset: materializations, partitions, freshness, checks.
* ``report``: the verdict (trusted, stale, failing checks, never materialized) and its text and HTML forms.
* ``cli``: ``vision trust <asset or column>``.
"""
