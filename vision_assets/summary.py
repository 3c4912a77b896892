"""The short report `make run` ends with: what is in the embedded warehouse and where it is."""

from pathlib import Path

import duckdb

from vision_assets.landing.contracts import BUSINESS_LINES

SCHEMAS = ("raw", "staging", "marts", "demand", "recommendations", "predictions", "analytics")


def warehouse_summary(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema in (select unnest(?::varchar[])) order by table_schema, table_name",
            [list(SCHEMAS)],
        ).fetchall()
        rows = {
            (schema, name): connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name, _ in tables
        }
    lines = [f"Warehouse: {database}", ""]
    for schema in SCHEMAS:
        in_schema = [(name, kind) for table_schema, name, kind in tables if table_schema == schema]
        if not in_schema:
            continue
        total = sum(rows[(schema, name)] for name, _ in in_schema)
        lines.append(f"{schema}: {len(in_schema)} tables/views, {total:,} rows")
    lines += ["", "Raw rows per business line:"]
    for line in BUSINESS_LINES:
        line_rows = sum(count for (schema, name), count in rows.items() if schema == "raw" and name.startswith(f"{line}_"))
        lines.append(f"  {line:<7} {line_rows:>12,}")
    return "\n".join(lines)
