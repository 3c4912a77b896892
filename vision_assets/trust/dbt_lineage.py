"""Column lineage of the dbt models, derived from the dbt project itself, before anything runs.

dagster-dbt derives ``dagster/column_lineage`` with sqlglot from each model's compiled SQL and the column
types of its parents, which it asks the warehouse for while ``dbt build`` runs
(``fetch_column_metadata()``). On DuckDB Vision cannot take that path: the adapter in the Dagster process
would hold the warehouse file while dbt still writes it (see ``vision_assets/transform/assets.py``), so
DuckDB materializations carry row counts and column schemas but no column lineage.

So the lineage is derived here the same way, from the project rather than from a live warehouse:

1. ``dbt compile`` renders every model's SQL (into a temporary target, against a throw-away DuckDB file,
   ``--no-populate-cache``: nothing is read from or written to the real warehouse);
2. the sources' columns are their documented columns (``__sources.yml``, written from the landing
   contracts), the seeds' columns are their CSV headers;
3. in dependency order, sqlglot qualifies each model's SQL against its parents' columns, which yields the
   model's own columns (``select *`` expanded) and, for each of them, the parent columns it is computed
   from: exactly the walk dagster-dbt makes, with the columns known statically instead of queried.

The lineage does not depend on the warehouse (the SQL differs between DuckDB and Snowflake only in the few
``cross_db`` macros), so it is always compiled for the ``duckdb`` target. It is cached beside the manifest,
keyed by the manifest's parse, so a code-location load pays for it once per change of the dbt project.
"""

import csv
import json
import logging
import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from sqlglot import MappingSchema, exp, parse_one, to_table
from sqlglot.expressions import normalize_table_name
from sqlglot.lineage import lineage
from sqlglot.optimizer import optimize

from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.transform.project import dbt_executable, vision_dbt_project
from vision_assets.transform.translator import VisionDbtTranslator

logger = logging.getLogger(__name__)

_CACHE_NAME = "vision_column_lineage.json"
_CACHE_VERSION = 1
_DIALECT = "duckdb"

# One model's lineage: column -> the (asset key path, column) pairs of its direct parents it reads.
ColumnDeps = dict[str, list[tuple[tuple[str, ...], str]]]


def dbt_column_lineage() -> dict[dg.AssetKey, dg.TableColumnLineage]:
    """Every dbt model's column lineage, keyed by its Dagster asset key (cached beside the manifest)."""
    raw = _cached_lineage()
    return {
        dg.AssetKey(list(key)): dg.TableColumnLineage(
            deps_by_column={
                column: [
                    dg.TableColumnDep(asset_key=dg.AssetKey(list(parent)), column_name=name)
                    for parent, name in deps
                ]
                for column, deps in columns.items()
            }
        )
        for key, columns in ((tuple(key.split("/")), columns) for key, columns in raw.items())
    }


def _cached_lineage() -> dict[str, ColumnDeps]:
    project = vision_dbt_project()
    manifest = json.loads(project.manifest_path.read_text())
    parse_id = manifest["metadata"].get("invocation_id")
    cache = project.manifest_path.parent / _CACHE_NAME
    if cache.exists():
        cached = json.loads(cache.read_text())
        if cached.get("version") == _CACHE_VERSION and cached.get("parse") == parse_id:
            return cached["lineage"]
    lineage_by_key = derive_lineage(compile_project())
    # Written whole then renamed: a code-location load running beside this one never reads half a file.
    with tempfile.NamedTemporaryFile("w", dir=cache.parent, suffix=".tmp", delete=False) as handle:
        json.dump({"version": _CACHE_VERSION, "parse": parse_id, "lineage": lineage_by_key}, handle)
    os.replace(handle.name, cache)
    return lineage_by_key


def compile_project() -> dict[str, Any]:
    """The manifest of ``dbt compile`` (with every model's compiled SQL), built in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="vision-dbt-lineage-") as scratch:
        target = Path(scratch) / "target"
        result = subprocess.run(
            [
                dbt_executable(),
                "compile",
                "--quiet",
                "--no-populate-cache",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target",
                "duckdb",
                "--target-path",
                str(target),
            ],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, "VISION_DUCKDB_PATH": str(Path(scratch) / "lineage.duckdb")},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt compile failed, no column lineage:\n{result.stdout}\n{result.stderr}")
        return json.loads((target / "manifest.json").read_text())


def derive_lineage(manifest: Mapping[str, Any]) -> dict[str, ColumnDeps]:
    """Column lineage of every model in a compiled manifest, keyed by ``"schema/model"`` asset key strings."""
    translator = VisionDbtTranslator()
    nodes = {**manifest["nodes"], **manifest["sources"]}
    columns: dict[str, list[str]] = {}
    for unique_id, source in manifest["sources"].items():
        columns[unique_id] = list(source["columns"])
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "seed":
            with (DBT_PROJECT_DIR / node["original_file_path"]).open(newline="") as handle:
                columns[unique_id] = next(csv.reader(handle))
    models = {
        unique_id: node for unique_id, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    result: dict[str, ColumnDeps] = {}
    for unique_id in _dependency_order(models, set(columns)):
        node = models[unique_id]
        model_columns, deps = _model_lineage(node, nodes, columns, translator)
        columns[unique_id] = model_columns
        result["/".join(translator.get_asset_key(node).path)] = deps
    return result


def _dependency_order(models: Mapping[str, Mapping[str, Any]], known: set[str]) -> list[str]:
    ordered: list[str] = []
    done = set(known)
    while len(ordered) < len(models):
        ready = [
            unique_id
            for unique_id, node in models.items()
            if unique_id not in done and all(parent in done for parent in node["depends_on"]["nodes"])
        ]
        if not ready:
            raise ValueError(f"models whose parents never resolve: {sorted(set(models) - done)}")
        ordered.extend(ready)
        done.update(ready)
    return ordered


def _model_lineage(
    node: Mapping[str, Any],
    nodes: Mapping[str, Mapping[str, Any]],
    columns: Mapping[str, list[str]],
    translator: VisionDbtTranslator,
) -> tuple[list[str], ColumnDeps]:
    schema = MappingSchema(dialect=_DIALECT)
    parents: dict[str, tuple[str, ...]] = {}
    for parent_id in node["depends_on"]["nodes"]:
        parent = nodes[parent_id]
        table = to_table(parent["relation_name"], dialect=_DIALECT)
        # Types do not change which columns a column is computed from; sqlglot only needs the names.
        schema.add_table(table, {column: "text" for column in columns[parent_id]}, dialect=_DIALECT)
        parents[normalize_table_name(table, dialect=_DIALECT)] = tuple(translator.get_asset_key(parent).path)
    optimized = optimize(parse_one(node["compiled_code"], dialect=_DIALECT), schema=schema, dialect=_DIALECT)
    # Serialised and re-parsed, as dagster-dbt does: sqlglot's lineage() expects the Expression form.
    optimized_sql = optimized.sql(dialect=_DIALECT)
    model_columns = [column.lower() for column in optimized.named_selects]
    deps: ColumnDeps = {}
    for column in model_columns:
        found: set[tuple[tuple[str, ...], str]] = set()
        for step in lineage(column=column, sql=optimized_sql, schema=schema, dialect=_DIALECT).walk():
            if step.downstream:
                continue
            table = step.expression.find(exp.Table)
            parent_key = parents.get(normalize_table_name(table, dialect=_DIALECT)) if table else None
            if parent_key:
                found.add((parent_key, exp.to_column(step.name).name.lower()))
        deps[column] = sorted(found)
    return model_columns, deps
