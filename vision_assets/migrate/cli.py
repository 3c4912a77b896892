"""``vision migrate --from duckdb --to snowflake`` (or ``--to duckdb:<path>``): move the warehouse.

The tables are copied in the asset graph's order, each asset's table by its partitions (the days of its
``partition_expr``), verified and recorded (:mod:`vision_assets.migrate.copy`). Then every partition copied
is recorded in the Dagster instance as a materialization of its asset, reported in the same order (so an
asset is never recorded before what it reads), with the rows and content hash as metadata: the automation
sees the target's partitions as materialized and does not build them again.
"""

import sys
from collections.abc import Callable

import dagster as dg
from tqdm import tqdm

from vision_assets.migrate.copy import MigrationResult, migrate_warehouse
from vision_assets.migrate.warehouses import WHOLE_TABLE, open_warehouse


def table_plan(graph) -> tuple[dict[str, str], list[str], dict[str, dg.AssetKey]]:
    """From the asset graph: each table's partition column, the tables in dependency order, and the asset
    of each table (``schema.table`` is the asset key's path)."""
    partition_columns, order, assets = {}, [], {}
    for key in graph.toposorted_asset_keys:
        if len(key.path) != 2:
            continue
        node = graph.get(key)
        name = ".".join(key.path)
        order.append(name)
        assets[name.lower()] = key
        expression = (node.metadata or {}).get("partition_expr")
        if node.partitions_def is not None and isinstance(expression, str):
            partition_columns[name] = expression
    return partition_columns, order, assets


def record_in_instance(
    instance: dg.DagsterInstance, result: MigrationResult, assets: dict[str, dg.AssetKey], graph
) -> int:
    """Report a materialization of each copied partition's asset; returns how many were reported."""
    reported = 0
    for copied in result.copied:
        key = assets.get(copied.table.lower())
        if key is None:
            continue
        partitions_def = graph.get(key).partitions_def
        partition = None if copied.partition == WHOLE_TABLE else copied.partition
        if (partition is None) != (partitions_def is None):
            continue
        if partition is not None and not partitions_def.has_partition_key(partition):
            continue
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                asset_key=key,
                partition=partition,
                description=f"Migrated from {result.source} to {result.target} by `vision migrate`.",
                metadata={
                    "dagster/row_count": copied.content.rows,
                    "migrated_from": result.source,
                    "migrated_to": result.target,
                    "content_hash": copied.content.content_hash,
                },
            )
        )
        reported += 1
    return reported


def _bars() -> Callable[[str, int], Callable[[], None]]:
    bars: list[tqdm] = []

    def start(table: str, partitions: int) -> Callable[[], None]:
        if bars:
            bars.pop().close()
        bar = tqdm(total=partitions, desc=f"{table:<48}", unit="partition", leave=False, file=sys.stderr)
        bars.append(bar)
        return lambda: bar.update(1)

    return start


def migrate(source: str, target: str, record: bool = True) -> int:
    from vision_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    partition_columns, order, assets = table_plan(graph)
    source_end = open_warehouse(source, read_only=True)
    try:
        target_end = open_warehouse(target, read_only=False)
        try:
            result = migrate_warehouse(source_end, target_end, partition_columns, order, progress=_bars())
        finally:
            target_end.close()
    finally:
        source_end.close()
    print(result.summary())
    if record and result.copied:
        from vision_assets.instance import vision_instance

        with vision_instance() as instance:
            reported = record_in_instance(instance, result, assets, graph)
        print(f"Recorded {reported:,} partitions in the Dagster instance as materialized on the target.")
    return 1 if result.problems else 0
