"""How dbt models appear in Dagster: keyed by their warehouse schema, grouped by layer, owned, partitioned.

A model's asset key is ``[schema, model]`` (``["marts", "fct_sales"]``), a source's is ``["raw", table]``,
the key of the raw asset that loads it, so lineage runs unbroken from a landing file to a demand fact.
"""

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from vision_assets.partitions import daily_partitions
from vision_assets.raw.names import RAW_SCHEMA

DAILY_TAG = "daily"
# Month-grain demand tables rebuilt whole after the daily facts (see vision_assets/transform/assets.py).
ROLLUP_TAG = "rollup"
DEFAULT_OWNER = "team:analytics-engineering"


def is_daily_model(dbt_resource_props: Mapping[str, Any]) -> bool:
    return DAILY_TAG in dbt_resource_props.get("tags", [])


def _columns_with(dbt_resource_props: Mapping[str, Any], constraint_type: str) -> dict[str, list[Mapping]]:
    """Each column's constraints of one type, for the columns that have any."""
    found = {
        name: [c for c in column.get("constraints", []) if c.get("type") == constraint_type]
        for name, column in dbt_resource_props.get("columns", {}).items()
    }
    return {name: constraints for name, constraints in found.items() if constraints}


def not_null_columns(dbt_resource_props: Mapping[str, Any]) -> list[str]:
    """The columns the yml marks ``constraints: [{type: not_null}]``, which its ``column_constraints`` test
    checks are never null."""
    return list(_columns_with(dbt_resource_props, "not_null"))


def unique_columns(dbt_resource_props: Mapping[str, Any]) -> list[str]:
    """The columns marked ``type: unique``, which its ``column_constraints`` test checks hold no value twice."""
    return list(_columns_with(dbt_resource_props, "unique"))


def column_checks(dbt_resource_props: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each column's ``check`` constraints (``business_line in ('books')``, ``amount >= 0``), which its
    ``column_constraints`` test checks are never false."""
    return {
        name: [constraint["expression"] for constraint in constraints]
        for name, constraints in _columns_with(dbt_resource_props, "check").items()
    }


def column_references(dbt_resource_props: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each column's ``foreign_key`` constraints as ``dim_date.date_day`` (``to: "ref('dim_date')"``,
    ``to_columns: [date_day]``): its ``column_constraints`` test checks every value is found there."""
    return {
        name: [
            f"{_referenced_name(constraint.get('to') or '')}.{','.join(constraint.get('to_columns') or [])}"
            for constraint in constraints
        ]
        for name, constraints in _columns_with(dbt_resource_props, "foreign_key").items()
    }


_REF = re.compile(r"""(?:ref\(|source\(\s*['"][^'"]+['"]\s*,)\s*['"]([^'"]+)['"]\s*\)""")


def _referenced_name(to: str) -> str:
    """``ref('dim_date')`` or ``source('identity', 'bridge_customer_account')`` (the yml's forms) or
    ``"vision"."marts"."dim_date"`` (what dbt compiles it to in the manifest it writes after a build) as
    ``dim_date``."""
    match = _REF.search(to)
    return match.group(1) if match else to.rsplit(".", 1)[-1].strip('"`')


def column_schema_with_constraints(
    schema: dg.TableSchema, dbt_resource_props: Mapping[str, Any]
) -> dg.TableSchema:
    """The schema with the rules the ``column_constraints`` test checks shown on each column (the UI's column
    list): never-null columns as not nullable, unique ones as unique, and the check expressions and the
    references (``references dim_date.date_day``) as the column's other constraints."""
    not_null, unique = set(not_null_columns(dbt_resource_props)), set(unique_columns(dbt_resource_props))
    checks, references = column_checks(dbt_resource_props), column_references(dbt_resource_props)
    constrained = not_null | unique | set(checks) | set(references)
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                column.name,
                column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(
                    nullable=column.name not in not_null,
                    unique=column.name in unique,
                    other=[
                        *checks.get(column.name, []),
                        *(f"references {parent}" for parent in references.get(column.name, [])),
                    ],
                ),
                tags=column.tags,
            )
            if column.name in constrained
            else column
            for column in schema.columns
        ]
    )


def column_constraints_description(dbt_resource_props: Mapping[str, Any]) -> str:
    """What a model's ``column_constraints`` check checks, for the analyst reading it in the UI."""
    never_null = ", ".join(not_null_columns(dbt_resource_props))
    unique = ", ".join(unique_columns(dbt_resource_props))
    checks = [
        expression for expressions in column_checks(dbt_resource_props).values() for expression in expressions
    ]
    references = [
        f"{column} -> {parent}"
        for column, parents in column_references(dbt_resource_props).items()
        for parent in parents
    ]
    rules = [
        f"Never null: {never_null}." if never_null else "",
        f"Unique: {unique}." if unique else "",
        f"Always true: {'; '.join(checks)}." if checks else "",
        f"Found in: {'; '.join(references)}." if references else "",
        _rows_checked(dbt_resource_props),
    ]
    return " ".join(["The columns' declared rules, one check for all of them.", *filter(None, rules)])


def _rows_checked(dbt_resource_props: Mapping[str, Any]) -> str:
    """Which rows a run's check reads, where that is not the whole table (vision_dbt/macros/tests.sql)."""
    if is_daily_model(dbt_resource_props):
        return "A run checks the days it builds."
    if dbt_resource_props.get("config", {}).get("incremental_strategy") == "restage_keys":
        return (
            "A run for some days checks the events landed on those days, each key against the whole table; "
            "a run for no day checks every row."
        )
    return ""


class VisionDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # The raw loads and identity resolution: Python assets keyed by the schema they write.
            return dg.AssetKey([dbt_resource_props.get("schema") or RAW_SCHEMA, dbt_resource_props["name"]])
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
            metadata["dagster/column_schema"] = column_schema_with_constraints(schema, dbt_resource_props)
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
        if spec is None or (test.get("test_metadata") or {}).get("name") != "column_constraints":
            return spec
        tested = manifest["nodes"].get(test.get("attached_node") or "", {})
        return spec._replace(description=column_constraints_description(tested))

    def get_partitions_def(self, dbt_resource_props: Mapping[str, Any]) -> dg.PartitionsDefinition | None:
        return daily_partitions if is_daily_model(dbt_resource_props) else None
