"""The Snowflake IO manager with the same schema rules as the embedded warehouse.

Kept apart from :mod:`vision_assets.warehouse` because the Snowflake connector takes seconds to import,
a cost the embedded warehouse should not pay. The shipped ``SnowflakePandasIOManager`` creates a table
from the first frame it writes and keeps that schema (dagster-io/dagster#13098); here the table is
created from the asset's declared ``dagster/column_schema`` and evolved by the same rule as on DuckDB
(:func:`vision_assets.warehouse.plan_schema_change`), before the partition is deleted.

Unlike DuckDB, the delete and the insert are not one transaction: ``write_pandas`` creates a stage, and DDL
commits any open transaction in Snowflake.
"""

from dagster._core.storage.db_io_manager import DbIOManager, DbTypeHandler, TableSlice
from dagster_snowflake.snowflake_io_manager import SnowflakeDbClient
from dagster_snowflake_pandas import SnowflakePandasIOManager, SnowflakePandasTypeHandler

from vision_assets.warehouse import (
    FailFastIOManager,
    check_frame_against_declared,
    checked_identifier,
    declared_columns,
    plan_schema_change,
)

# How Snowflake reports the types the raw contracts declare (information_schema.columns.data_type).
_SNOWFLAKE_TYPES = {"varchar": "TEXT", "bigint": "NUMBER", "double": "FLOAT", "timestamp": "TIMESTAMP_NTZ"}


class _DeclaredSchemaSnowflakeDbClient(SnowflakeDbClient):
    @staticmethod
    def ensure_schema_exists(context, table_slice: TableSlice, connection) -> None:
        database = checked_identifier(table_slice.database, "database").upper()
        schema = checked_identifier(table_slice.schema, "schema").upper()
        table = checked_identifier(table_slice.table, "table").upper()
        SnowflakeDbClient.ensure_schema_exists(context, table_slice, connection)
        declared = declared_columns(context)
        if declared is None:
            return
        name = f"{database}.{schema}.{table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"select column_name, data_type from {database}.information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, table),
            )
            existing = dict(cursor.fetchall())
            definition = ", ".join(f"{column.name} {column.type}" for column in declared)
            if not existing:
                cursor.execute(f"create table if not exists {name} ({definition})")
                return
            # A type without a known Snowflake spelling is taken as it is: only its presence is compared.
            declared_types = {
                column.name: _SNOWFLAKE_TYPES.get(
                    column.type.lower(), existing.get(column.name.upper(), column.type)
                )
                for column in declared
            }
            new, rebuild = plan_schema_change(
                name, declared, existing, declared_types, bool(table_slice.partition_dimensions)
            )
            if rebuild:
                cursor.execute(f"create or replace table {name} ({definition})")
            for column in new:
                cursor.execute(f"alter table {name} add column {column.name} {column.type}")
                context.log.info(f"{name}: added nullable column {column.name} {column.type}")


class DeclaredSchemaSnowflakePandasTypeHandler(SnowflakePandasTypeHandler):
    def handle_output(self, context, table_slice: TableSlice, obj, connection):
        declared = declared_columns(context)
        if declared is not None:
            check_frame_against_declared(table_slice, declared, obj)
        return super().handle_output(context, table_slice, obj, connection)


class VisionSnowflakePandasIOManager(SnowflakePandasIOManager):
    """``SnowflakePandasIOManager`` whose tables follow their declared schema and whose errors fail fast
    unless a retry can clear them."""

    @staticmethod
    def type_handlers() -> list[DbTypeHandler]:
        return [DeclaredSchemaSnowflakePandasTypeHandler()]

    def create_io_manager(self, context) -> FailFastIOManager:
        return FailFastIOManager(
            DbIOManager(
                db_client=_DeclaredSchemaSnowflakeDbClient(),
                io_manager_name="SnowflakeIOManager",
                database=self.database,
                schema=self.schema_,
                type_handlers=self.type_handlers(),
                default_load_type=self.default_load_type(),
            )
        )
