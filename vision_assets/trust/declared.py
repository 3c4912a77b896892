"""Column lineage declared beside the code of a Python asset, in the form its reader writes it.

    declared_lineage({"score": ["marts.fct_sales.customer_key", "marts.fct_sales.sold_at"]})

Each output column maps to the ``schema.table.column`` references it is computed from; a column computed
from nothing upstream (a label, a constant) maps to an empty list. The result is the
``dagster/column_lineage`` metadata value.
"""

from collections.abc import Iterable, Mapping

import dagster as dg


def column_ref(reference: str) -> dg.TableColumnDep:
    """``schema.table.column``; the column is all after the table (a tile: ``net_revenue_usd.books``)."""
    parts = reference.split(".", 2)
    if len(parts) < 3 or not all(parts):
        raise ValueError(f"{reference!r} is not schema.table.column")
    schema, table, column = parts
    return dg.TableColumnDep(asset_key=dg.AssetKey([schema, table]), column_name=column)


def declared_schema(columns: Mapping[str, tuple[str, str]]) -> dg.TableSchema:
    """A Python asset's column schema from ``{column: (type, description)}``."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name, type_, description=text) for name, (type_, text) in columns.items()]
    )


def declared_lineage(columns: Mapping[str, Iterable[str]]) -> dg.TableColumnLineage:
    return dg.TableColumnLineage(
        deps_by_column={
            column: [column_ref(reference) for reference in dict.fromkeys(references)]
            for column, references in columns.items()
        }
    )
