"""Walk column lineage from an asset or one of its columns back to the raw tables and the landing files.

The lineage is what the definitions declare as ``dagster/column_lineage``: dbt models' from their SQL
(:mod:`vision_assets.trust.dbt_lineage`), the Python assets' written beside their code. A raw asset is a
root: each of its columns is the column of the same name in the landing files of its table (the load adds
``_source_file`` and ``_loaded_at``). A dbt seed is a root too: its CSV lives in the dbt project. An asset
that declares no column lineage cannot say which upstream columns a column reads; the walk then counts
all of its upstream assets and says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME, SourceTable
from vision_assets.raw.names import LOADED_AT_COLUMN, RAW_SCHEMA, SOURCE_FILE_COLUMN

COLUMN_LINEAGE = "dagster/column_lineage"
COLUMN_SCHEMA = "dagster/column_schema"
_LOAD_COLUMNS = {
    SOURCE_FILE_COLUMN: "the landing file's path, added at load",
    LOADED_AT_COLUMN: "the load time, added at load",
}


@dataclass(frozen=True)
class ColumnRef:
    asset: dg.AssetKey
    column: str

    def __str__(self) -> str:
        return f"{dotted(self.asset)}.{self.column}"


@dataclass(frozen=True)
class LandingSource:
    """Where a raw table's rows come from: one business line's daily export of one table."""

    raw_asset: dg.AssetKey
    table: SourceTable
    columns: tuple[str, ...]

    @property
    def files(self) -> str:
        return landing_files(self.table)

    def describe_column(self, column: str) -> str:
        return _LOAD_COLUMNS.get(column, f"column {column} of {self.files}")


def landing_files(table: SourceTable) -> str:
    """The files a raw table is loaded from, under the data folder (vision_assets/landing/layout.py)."""
    return f"landing/{table.line}/{table.table}/<day>/part-*.csv"


@dataclass
class Lineage:
    """Everything a value is computed from: column edges, the assets they cross, and the roots."""

    target: dg.AssetKey
    column: str | None
    # downstream column -> the upstream columns it reads, for every column on the way.
    edges: dict[ColumnRef, list[ColumnRef]] = field(default_factory=dict)
    # every upstream asset whose state matters, with the columns of it that are read (empty: unknown).
    assets: dict[dg.AssetKey, set[str]] = field(default_factory=dict)
    landing: dict[dg.AssetKey, LandingSource] = field(default_factory=dict)
    seeds: set[dg.AssetKey] = field(default_factory=set)
    # assets without declared column lineage: all of their upstream assets count.
    undeclared: set[dg.AssetKey] = field(default_factory=set)

    def raw_columns(self) -> dict[dg.AssetKey, list[str]]:
        return {key: sorted(source.columns) for key, source in sorted(self.landing.items(), key=_by_name)}


def dotted(key: dg.AssetKey) -> str:
    return ".".join(key.path)


def _by_name(item) -> str:
    return dotted(item[0])


def column_lineage_of(graph: BaseAssetGraph, key: dg.AssetKey) -> dg.TableColumnLineage | None:
    value = graph.get(key).metadata.get(COLUMN_LINEAGE)
    return getattr(value, "value", value)


def column_schema_of(graph: BaseAssetGraph, key: dg.AssetKey) -> dg.TableSchema | None:
    value = graph.get(key).metadata.get(COLUMN_SCHEMA)
    return getattr(value, "schema", value)


def columns_of(graph: BaseAssetGraph, key: dg.AssetKey) -> list[str]:
    """The asset's columns as its definition declares them (column schema, else column lineage)."""
    schema = column_schema_of(graph, key)
    if schema is not None:
        return [column.name for column in schema.columns]
    lineage = column_lineage_of(graph, key)
    return list(lineage.deps_by_column) if lineage else []


def is_raw(key: dg.AssetKey) -> bool:
    return key.path[0] == RAW_SCHEMA and key.path[-1] in SOURCE_TABLES_BY_NAME


def is_seed(graph: BaseAssetGraph, key: dg.AssetKey) -> bool:
    unique_id = graph.get(key).metadata.get("dagster_dbt/unique_id")
    return str(getattr(unique_id, "value", unique_id) or "").startswith("seed.")


def trace(graph: BaseAssetGraph, key: dg.AssetKey, column: str | None = None) -> Lineage:
    """The lineage of one column of ``key``, or of all its columns when ``column`` is None."""
    result = Lineage(target=key, column=column)
    start = [column] if column is not None else columns_of(graph, key)
    queue = [ColumnRef(key, name) for name in start]
    seen: set[ColumnRef] = set()
    if not start:
        _count_all_upstream(graph, key, result)
    while queue:
        ref = queue.pop()
        if ref in seen:
            continue
        seen.add(ref)
        result.assets.setdefault(ref.asset, set()).add(ref.column)
        if is_raw(ref.asset):
            table = SOURCE_TABLES_BY_NAME[ref.asset.path[-1]]
            source = result.landing.get(ref.asset) or LandingSource(ref.asset, table, ())
            result.landing[ref.asset] = LandingSource(ref.asset, table, tuple({*source.columns, ref.column}))
            continue
        if is_seed(graph, ref.asset):
            result.seeds.add(ref.asset)
            continue
        lineage = column_lineage_of(graph, ref.asset)
        if lineage is None:
            _count_all_upstream(graph, ref.asset, result)
            continue
        parents = [
            ColumnRef(dep.asset_key, dep.column_name) for dep in lineage.deps_by_column.get(ref.column, [])
        ]
        result.edges[ref] = sorted(parents, key=str)
        queue.extend(parents)
    if column is None:
        # The asset as a whole: every upstream asset counts, even one no column of it reads by name.
        for ancestor in graph.get_ancestor_asset_keys(key):
            result.assets.setdefault(ancestor, set())
    return result


def _count_all_upstream(graph: BaseAssetGraph, key: dg.AssetKey, result: Lineage) -> None:
    result.undeclared.add(key)
    for ancestor in graph.get_ancestor_asset_keys(key):
        result.assets.setdefault(ancestor, set())
        if is_raw(ancestor) and ancestor not in result.landing:
            table = SOURCE_TABLES_BY_NAME[ancestor.path[-1]]
            result.landing[ancestor] = LandingSource(ancestor, table, tuple(table.column_names))


def resolve(graph: BaseAssetGraph, target: str) -> tuple[dg.AssetKey, str | None]:
    """``schema.table`` or ``schema.table.column`` (``/`` works too) to an asset key and column.

    A column may be given by a unique prefix (``net_revenue`` for ``net_revenue_usd``).
    """
    parts = [part for part in target.replace("/", ".").split(".") if part]
    keys = {tuple(key.path): key for key in graph.get_all_asset_keys()}
    for length in range(len(parts), 0, -1):
        key = keys.get(tuple(parts[:length]))
        if key is None:
            continue
        if length == len(parts):
            return key, None
        # Everything after the table is the column (a dashboard tile may be `net_revenue_usd.books`).
        column = ".".join(parts[length:])
        columns = columns_of(graph, key)
        if column in columns:
            return key, column
        matches = [name for name in columns if name.startswith(column)]
        if len(matches) == 1:
            return key, matches[0]
        raise LookupError(
            f"{dotted(key)} has no column {column!r}"
            + (
                f"; did you mean one of {', '.join(matches)}?"
                if matches
                else f". Its columns: {', '.join(columns)}"
            )
        )
    raise LookupError(f"no asset {target!r}; assets look like demand.fct_daily_demand (schema.table)")


def upstream_order(graph: BaseAssetGraph, keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The given assets, each after everything downstream of it (the target first, landing-side last)."""
    keys = set(keys)
    depth: dict[dg.AssetKey, int] = {}

    def distance(key: dg.AssetKey) -> int:
        if key not in depth:
            parents = [parent for parent in graph.get(key).parent_keys if graph.has(parent)]
            depth[key] = 1 + max((distance(parent) for parent in parents), default=0)
        return depth[key]

    return sorted(keys, key=lambda key: (-distance(key), dotted(key)))
