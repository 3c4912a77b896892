"""dbt's sources, written from the Python that defines the tables they name.

* ``vision_dbt/models/staging/__sources.yml``: the raw tables, from the landing contracts
  (``vision_assets/landing/contracts.py``), the one description of every landed table;
* ``vision_dbt/models/marts/_identity__sources.yml``: the bridge identity resolution writes, from its
  declared columns (``vision_assets/identity/assets.py``).

The files are generated, committed (dbt reads them without Python) and checked: a test fails when one
differs from what the Python gives.

    python -m vision_assets.transform.dbt_sources           # rewrite the files
    python -m vision_assets.transform.dbt_sources --check   # exit 1 when one is stale
"""

import argparse
import sys

import yaml

from vision_assets.identity.assets import BRIDGE_KEY, BRIDGE_SCHEMA
from vision_assets.landing.contracts import SOURCE_TABLES, SourceTable
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.raw.assets import RAW_SCHEMA, raw_asset_key, raw_column_schema

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "__sources.yml"
IDENTITY_SOURCES_FILE = DBT_PROJECT_DIR / "models" / "marts" / "_identity__sources.yml"
HEADER = (
    "# The landed exports (schema raw). Generated from vision_assets/landing/contracts.py by\n"
    "# `python -m vision_assets.transform.dbt_sources`: edit the contracts, not this file.\n"
)
IDENTITY_HEADER = (
    "# Identity resolution is a Python asset (vision_assets/identity/): Splink's probabilistic record linkage\n"
    "# between dbt's staging customers and the dimensions and facts. Generated from its declared columns\n"
    "# (BRIDGE_SCHEMA in vision_assets/identity/assets.py) by `python -m vision_assets.transform.dbt_sources`.\n"
)
_SOURCE_DESCRIPTION = (
    "The four business lines' daily exports exactly as they landed, one table per exported table "
    "(`<line>_<table>`), loaded and contract-checked by the Dagster raw assets. Column names are each "
    "business's own; staging renames them to one vocabulary. Every table carries the load lineage columns "
    "`_source_file` and `_loaded_at`."
)


class _Folded(str):
    """A long description, written as a folded YAML block the way the dbt project's other files are."""


def _folded(dumper: yaml.SafeDumper, text: _Folded) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=">")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Folded, _folded)


def _table(table: SourceTable) -> dict:
    key = ", ".join(table.key)
    description = (
        f"{table.description} Loaded as landed by the raw Dagster asset "
        f"`{raw_asset_key(table).to_user_string()}`, one daily partition per UTC day of `{table.event_time}`; "
        f"a row is identified by ({key})."
    )
    return {
        "name": table.name,
        "description": _Folded(description),
        "config": {"meta": {"business_line": table.line, "partition_expr": table.event_time}},
        "columns": [
            {"name": column.name, "description": column.description}
            for column in raw_column_schema(table).columns
        ],
    }


def render_sources() -> str:
    """The text of ``__sources.yml`` that the contracts give."""
    document = {
        "version": 2,
        "sources": [
            {
                "name": RAW_SCHEMA,
                "description": _Folded(_SOURCE_DESCRIPTION),
                "schema": RAW_SCHEMA,
                "config": {
                    "loaded_at_field": "_loaded_at",
                    "freshness": {
                        "warn_after": {"count": 1, "period": "day"},
                        "error_after": {"count": 2, "period": "day"},
                    },
                },
                "tables": [_table(table) for table in SOURCE_TABLES],
            }
        ],
    }
    return HEADER + _yaml(document)


def render_identity_sources() -> str:
    """The text of ``_identity__sources.yml`` that the bridge's declared columns give."""
    schema, table = BRIDGE_KEY.path
    document = {
        "version": 2,
        "sources": [
            {
                "name": "identity",
                "description": _Folded(
                    f"Tables the Dagster identity-resolution asset writes to the {schema} schema, read here by "
                    "the customer dimension and the facts."
                ),
                "schema": schema,
                "tables": [
                    {
                        "name": table,
                        "description": _Folded(
                            "Which real person holds each account of Vision Books, Flicks, Music and Mart: one "
                            "row per account with its customer_key, resolved by probabilistic record linkage "
                            f"({BRIDGE_KEY.to_user_string()} in Dagster)."
                        ),
                        "columns": [
                            {"name": column.name, "description": column.description} for column in BRIDGE_SCHEMA.columns
                        ],
                    }
                ],
            }
        ],
    }
    return IDENTITY_HEADER + _yaml(document)


def _yaml(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=104, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write dbt's sources from the Python that defines their tables.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed file is stale")
    args = parser.parse_args(argv)
    files = {SOURCES_FILE: render_sources(), IDENTITY_SOURCES_FILE: render_identity_sources()}
    if args.check:
        stale = [path for path, expected in files.items() if path.read_text() != expected]
        for path in stale:
            print(f"{path} is stale: run `python -m vision_assets.transform.dbt_sources`", file=sys.stderr)
        return 1 if stale else 0
    for path, expected in files.items():
        path.write_text(expected)
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
