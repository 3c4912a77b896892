"""How dbt models appear in Dagster: keyed by their warehouse schema, grouped by layer, owned, partitioned.

A model's asset key is ``[schema, model]`` (``["marts", "fct_sales"]``), a source's is ``["raw", table]``,
the key of the raw asset that loads it, so lineage runs unbroken from a landing file to a demand fact.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from vision_assets.partitions import daily_partitions
from vision_assets.raw.assets import RAW_SCHEMA

DAILY_TAG = "daily"
# Month-grain demand tables rebuilt whole after the daily facts (see vision_assets/transform/assets.py).
ROLLUP_TAG = "rollup"
DEFAULT_OWNER = "team:analytics-engineering"


def is_daily_model(dbt_resource_props: Mapping[str, Any]) -> bool:
    return DAILY_TAG in dbt_resource_props.get("tags", [])


def not_null_columns(dbt_resource_props: Mapping[str, Any]) -> list[str]:
    """The columns the yml marks ``constraints: [{type: not_null}]``: the ones its ``columns_not_null`` test checks."""
    return [
        name
        for name, column in dbt_resource_props.get("columns", {}).items()
        if any(constraint.get("type") == "not_null" for constraint in column.get("constraints", []))
    ]


def column_schema_with_not_null(schema: dg.TableSchema, not_null: Sequence[str]) -> dg.TableSchema:
    """The schema with the checked never-null columns shown as not nullable (the UI's column list)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                column.name,
                column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=False),
                tags=column.tags,
            )
            if column.name in not_null
            else column
            for column in schema.columns
        ]
    )


class VisionDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_SCHEMA, dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        return dbt_resource_props["schema"]

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        owner = dbt_resource_props.get("meta", {}).get("owner") or dbt_resource_props.get("config", {}).get(
            "meta", {}
        ).get("owner")
        return [owner or DEFAULT_OWNER]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": dbt_resource_props.get("schema", RAW_SCHEMA)}

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        partition_expr = dbt_resource_props.get("meta", {}).get("partition_expr") or dbt_resource_props.get(
            "config", {}
        ).get("meta", {}).get("partition_expr")
        if partition_expr:
            # Lets Python assets read one day of a dbt table through the IO manager.
            metadata["partition_expr"] = partition_expr
        schema = metadata.get("dagster/column_schema")
        if schema is not None:
            metadata["dagster/column_schema"] = column_schema_with_not_null(schema, not_null_columns(dbt_resource_props))
        return metadata

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        test = manifest["nodes"].get(unique_id, {})
        if spec is None or (test.get("test_metadata") or {}).get("name") != "columns_not_null":
            return spec
        tested = manifest["nodes"].get(test.get("attached_node") or "", {})
        columns = ", ".join(not_null_columns(tested))
        return spec._replace(description=f"Never null (one check for all of them): {columns}.")

    def get_partitions_def(self, dbt_resource_props: Mapping[str, Any]) -> dg.PartitionsDefinition | None:
        return daily_partitions if is_daily_model(dbt_resource_props) else None
