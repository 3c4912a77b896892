"""Trust before use: where a number comes from, how fresh it is and whether its checks passed.

* ``dbt_lineage``: the dbt models' column lineage, derived from the dbt project (compiled SQL + sqlglot).
* ``specs``: puts that lineage on the dbt assets' specs as ``dagster/column_lineage``.
* ``lineage``: walks column lineage from any asset or column back to the raw tables and landing files.
* ``status``: what the Dagster instance knows of an asset: materializations, partitions, freshness, checks.
* ``report``: the verdict (trusted, stale, failing checks, never materialized) and its reason.
* ``panel``: the verdict first, what would change it, a picture of the lineage, then every upstream asset:
  the text ``vision trust`` prints and the HTML panel beside each dashboard.
* ``graph_snapshot``: the asset graph ``vision trust`` reads while the code is unchanged.
* ``cli``: ``vision trust <asset or column>`` (``--json`` for tools).
"""
