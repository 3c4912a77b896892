"""dbt's raw sources (``vision_dbt/models/staging/__sources.yml``), written from the landing contracts.

The contracts (``vision_assets/landing/contracts.py``) are the one description of every landed table; dbt
needs the same tables, columns and descriptions as sources. The file is generated, committed (dbt reads it
without Python) and checked: a test fails when it differs from what the contracts give.

    python -m vision_assets.transform.dbt_sources           # rewrite the file
    python -m vision_assets.transform.dbt_sources --check   # exit 1 when it is stale
"""

import argparse
import sys

import yaml

from vision_assets.landing.contracts import SOURCE_TABLES, SourceTable
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.raw.assets import RAW_SCHEMA, raw_asset_key, raw_column_schema

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "__sources.yml"
HEADER = (
    "# The landed exports (schema raw). Generated from vision_assets/landing/contracts.py by\n"
    "# `python -m vision_assets.transform.dbt_sources`: edit the contracts, not this file.\n"
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
    return HEADER + yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=104, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write dbt's raw sources from the landing contracts.")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    args = parser.parse_args(argv)
    expected = render_sources()
    if args.check:
        if SOURCES_FILE.read_text() != expected:
            print(f"{SOURCES_FILE} is stale: run `python -m vision_assets.transform.dbt_sources`", file=sys.stderr)
            return 1
        return 0
    SOURCES_FILE.write_text(expected)
    print(f"Wrote {SOURCES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
