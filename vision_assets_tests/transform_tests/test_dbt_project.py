"""The dbt project parses and compiles for Snowflake offline, and its Dagster wiring has no cycle."""

import json
import os
import re
import subprocess
from types import SimpleNamespace

import dagster as dg
import pytest
import sqlglot
import yaml
from dagster_dbt import DbtCliResource
from dagster_dbt.core import resource as dagster_dbt_resource

from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.partitions import daily_partitions
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.transform import assets as transform_assets
from vision_assets.transform.assets import (
    dbt_dimension_and_daily_models,
    dbt_rollup_models,
    dbt_staging_models,
)
from vision_assets.transform.project import (
    INVOCATION_FOLDERS_KEPT,
    VisionDbtCliResource,
    dbt_executable,
    prune_invocation_folders,
    vision_dbt_project,
)
from vision_assets.transform.translator import (
    VisionDbtTranslator,
    column_checks,
    column_references,
    not_null_columns,
    unique_columns,
)
from vision_assets_tests.transform_tests.dbt_cli import run_dbt

SNOWFLAKE_SETTINGS = ("ACCOUNT", "USER", "PASSWORD", "ROLE", "DATABASE", "WAREHOUSE")


def test_snowflake_profile_reads_every_connection_setting_from_the_environment():
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["vision"]["outputs"]["snowflake"]
    secrets = ("account", "user", "password", "private_key_path", "private_key_passphrase", "role",
               "database", "warehouse")
    for field in secrets:
        assert re.fullmatch(r"\{\{ env_var\('SNOWFLAKE_[A-Z_]+'(, '')?\) \}\}", profile[field]), field
    # An endpoint other than the account's own (a private link; the emulator in the tests), unset by default.
    for field in ("host", "protocol"):
        assert profile[field] == f"{{{{ env_var('SNOWFLAKE_{field.upper()}', '') }}}}", field
    assert profile["port"] == "{{ env_var('SNOWFLAKE_PORT', '0') | as_number }}"
    endpoint = ("host", "port", "protocol")
    assert set(profile) - set(secrets) - set(endpoint) <= {"type", "schema", "threads", "client_session_keep_alive"}


@pytest.mark.slow
def test_dbt_parse_succeeds_offline(tmp_path):
    result = run_dbt(["parse"], tmp_path, env={"VISION_DUCKDB_PATH": str(tmp_path / "vision.duckdb")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "manifest.json").exists()


@pytest.mark.slow
def test_every_model_compiles_for_snowflake_offline(tmp_path):
    """With dummy credentials and no network: dbt renders the Snowflake SQL without connecting.

    The staging event tables are compiled in their incremental form (`compile_incremental_staging`), the
    SQL a daily build runs; a first build runs the same models without the re-staging CTE. The password
    is a planted one, which must appear in none of dbt's output, debug log or artifacts."""
    planted = "planted-dbt-pw-5e1d07"
    env = {f"SNOWFLAKE_{name}": "offline" for name in SNOWFLAKE_SETTINGS} | {"SNOWFLAKE_PASSWORD": planted}
    logs = tmp_path / "logs"
    result = run_dbt(
        ["compile", "--target", "snowflake", "--no-populate-cache", "--log-path", str(logs),
         "--log-level-file", "debug", "--vars", "{compile_incremental_staging: true}"],
        tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[debug]" in (logs / "dbt.log").read_text(), "the debug log is not where we scan"
    assert planted not in result.stdout + result.stderr
    assert [str(path) for path in tmp_path.rglob("*") if path.is_file() and planted.encode() in path.read_bytes()] == []
    compiled = tmp_path / "compiled" / "vision" / "models"
    # Generic tests compile into folders named after their yml file; the models are the other files.
    models = [path for path in compiled.rglob("*.sql") if not path.parent.name.endswith(".yml")]
    assert len(models) == len(list((DBT_PROJECT_DIR / "models").rglob("*.sql")))
    for path in models:
        sql = path.read_text()
        sqlglot.parse_one(sql, read="snowflake")  # raises on SQL Snowflake's grammar does not accept
        assert "'g')" not in sql and "isodow(" not in sql, f"DuckDB-only SQL in {path.name}"
    dim_date = (compiled / "marts" / "dimensions" / "dim_date.sql").read_text()
    assert "dayofweekiso(" in dim_date and "dateadd(day" in dim_date
    engagement = (compiled / "staging" / "music" / "stg_music__engagement.sql").read_text()
    assert "events_to_restage as (" in engagement and "final.* exclude (engagement_key)" in engagement
    assert "from offline.staging.stg_music__engagement" in engagement  # compares against itself
    # Without a window in the environment or --vars, the daily models take every day.
    membership = (compiled / "marts" / "facts" / "fct_membership.sql").read_text()
    assert "cast('1900-01-01' as date)" in membership and "cast('2999-12-31' as date)" in membership


def test_staging_then_identity_then_dimensions_and_daily_facts_then_rollups_run_in_dependency_order():
    """Three dbt sets around identity resolution (a Python asset): everything the bridge is built from
    comes before it, everything built from it after, and the rollups last; no edge points backwards."""
    staging, after = set(dbt_staging_models.keys), set(dbt_dimension_and_daily_models.keys)
    rollups = set(dbt_rollup_models.keys)
    assert not (staging & after) and not (after & rollups) and not (staging & rollups)
    graph = defs.resolve_asset_graph()
    bridge = dg.AssetKey(["marts", "bridge_customer_account"])
    assert graph.get(bridge).parent_keys <= staging
    for key in after:
        assert bridge in graph.get_ancestor_asset_keys(key), f"{key} is not built from the bridge"
    for key in staging:
        assert not (graph.get_ancestor_asset_keys(key) & (after | rollups | {bridge})), key
    daily = {key for key in after if graph.get(key).partitions_def is not None}
    dimensions = (after - daily) | {key for key in staging if key.path[0] == "marts"}
    manifest = json.loads(transform_assets._project.manifest_path.read_text())
    tagged_daily = {
        VisionDbtTranslator().get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "daily" in node["tags"]
    }
    assert daily == tagged_daily
    assert {dg.AssetKey(["marts", "dim_customer"]), dg.AssetKey(["marts", "dim_product"])} <= dimensions
    assert {dg.AssetKey(["marts", "fct_sales"]), dg.AssetKey(["demand", "fct_daily_demand"])} <= daily
    assert dg.AssetKey(["demand", "fct_customer_spend_monthly"]) in rollups

    for key in daily:
        assert graph.get(key).partitions_def == daily_partitions, key
        assert graph.get(key).metadata["partition_expr"], key
        assert not (graph.get(key).child_keys & dimensions), key
    for key in staging | dimensions | rollups:
        assert graph.get(key).partitions_def is None, key
    for key in rollups:
        assert not (graph.get(key).child_keys & (staging | after)), key


def test_reconciliation_and_key_tests_are_blocking_asset_checks():
    checks = {spec.key: spec for spec in dbt_dimension_and_daily_models.check_specs}
    sales = dg.AssetKey(["marts", "fct_sales"])
    assert checks[dg.AssetCheckKey(sales, "assert_fct_sales_net_revenue_matches_raw_sources")].blocking
    assert checks[dg.AssetCheckKey(sales, "column_constraints_fct_sales_")].blocking


def test_a_models_column_constraints_check_names_the_rules_it_checks():
    """One check per model covers its columns' declared rules; the analyst reads which in its description."""
    checks = {
        spec.key: spec for assets in (dbt_staging_models, dbt_dimension_and_daily_models) for spec in assets.check_specs
    }
    customers = dg.AssetKey(["staging", "stg_books__customers"])
    description = checks[dg.AssetCheckKey(customers, "column_constraints_stg_books__customers_")].description
    assert "account_key" in description and "updated_at" in description
    assert "customer_name" not in description  # typed by the customer, may be empty
    assert "business_line in ('books')" in description
    assert "Unique: account_key, account_id." in description
    assert "A run" not in description  # rebuilt whole, checked whole
    sales = dg.AssetKey(["marts", "fct_sales"])
    description = checks[dg.AssetCheckKey(sales, "column_constraints_fct_sales_")].description
    assert "customer_key -> dim_customer.customer_key" in description
    assert description.endswith("A run checks the days it builds.")
    engagement = dg.AssetKey(["staging", "stg_books__engagement"])
    description = checks[dg.AssetCheckKey(engagement, "column_constraints_stg_books__engagement_")].description
    assert description.endswith("each key against the whole table; a run for no day checks every row.")
    folded = ("not_null_", "accepted_values_", "non_negative_", "unique_")
    assert not any(key.name.startswith(folded) for key in checks), "per-column rule tests are back"


def test_relationships_tests_are_left_only_where_a_foreign_key_would_make_a_cycle_or_only_warns():
    """A foreign_key constraint makes its model depend on the referenced one, so the column_constraints test
    checks the reference once both are built. Where the referenced model is built from the tested one
    (dim_geography counts dim_customer's residents), that dependency would be a cycle, and a warning-only
    reference (an unknown country code) cannot share a test that fails the build: those stay
    relationships tests."""
    manifest = json.loads(vision_dbt_project().manifest_path.read_text())
    nodes = manifest["nodes"]
    graph, translator = defs.resolve_asset_graph(), VisionDbtTranslator()
    relationships = [
        node for node in nodes.values() if (node.get("test_metadata") or {}).get("name") == "relationships"
    ]
    assert relationships
    for test in relationships:
        tested = test["attached_node"]
        referenced = next(parent for parent in test["depends_on"]["nodes"] if parent != tested)
        upstream_of_referenced = graph.get_ancestor_asset_keys(translator.get_asset_key(nodes[referenced]))
        cycle = translator.get_asset_key(nodes[tested]) in upstream_of_referenced
        assert cycle or test["config"]["severity"].lower() == "warn", test["unique_id"]
    # And the references folded into constraints make their model depend on the referenced one.
    assert "model.vision.dim_customer" in nodes["model.vision.fct_sales"]["depends_on"]["nodes"]
    orders = nodes["model.vision.stg_books__orders"]
    assert "model.vision.stg_books__customers" in orders["depends_on"]["nodes"]


def test_every_model_with_column_rules_declares_the_test_that_checks_them():
    """A constraint is only documentation (no contract is enforced): without the model's column_constraints
    test nothing would check it. The test without constraints fails at compile time."""
    manifest = json.loads(vision_dbt_project().manifest_path.read_text())
    tested = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "column_constraints"
    }
    constrained = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if not_null_columns(node) or column_checks(node) or unique_columns(node) or column_references(node)
    }
    assert len(constrained) > 40
    assert sum(len(checks) for node in manifest["nodes"].values() for checks in column_checks(node).values()) > 100
    assert sum(len(unique_columns(node)) for node in manifest["nodes"].values()) > 50
    references = [refs for node in manifest["nodes"].values() for refs in column_references(node).values()]
    assert sum(map(len, references)) > 50
    assert constrained == tested


def test_dbt_commands_skip_dagster_dbts_in_process_adapter_on_duckdb_only(monkeypatch):
    """On DuckDB nothing uses the adapter dagster-dbt builds before each dbt command (~3 s); on Snowflake
    the column metadata does, so it is still built there."""
    assert isinstance(defs.resources["dbt"], VisionDbtCliResource)
    built = []
    monkeypatch.setattr(DbtCliResource, "_initialize_dbt_core_adapter", lambda self, args: built.append(args))
    project, dbt = vision_dbt_project(), dbt_executable()
    duckdb_dbt = VisionDbtCliResource(project_dir=project, target="duckdb", dbt_executable=dbt)
    assert duckdb_dbt._initialize_dbt_core_adapter(["build"]) is None
    VisionDbtCliResource(project_dir=project, target="snowflake", dbt_executable=dbt)._initialize_dbt_core_adapter(
        ["build"]
    )
    assert built == [["build"]]


def test_dbts_version_is_read_from_the_installed_package_without_running_dbt(monkeypatch):
    """``dbt --version`` (seconds, and a look-up on PyPI) is not run before each build for the venv's dbt."""
    reported = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True)
    monkeypatch.setattr(dagster_dbt_resource, "check_output", lambda *a, **k: pytest.fail("dbt --version was run"))
    dbt = VisionDbtCliResource(project_dir=vision_dbt_project(), dbt_executable=dbt_executable())
    assert f"installed: {dbt._cli_version}" in reported.stdout


def test_old_dbt_invocation_folders_are_pruned_keeping_the_newest_and_the_last_week(tmp_path):
    now = 1_800_000_000.0
    day = 24 * 3600
    folders = []
    for index in range(INVOCATION_FOLDERS_KEPT + 5):
        folder = tmp_path / f"dbt_dimension_and_daily_models-{index:07x}-abcdef{index % 10}"
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        # All but the last three from the last day (the last two of those beyond the newest kept), then three
        # over a week old.
        age = day + index if index < INVOCATION_FOLDERS_KEPT + 2 else 8 * day + index
        os.utime(folder, (now - age, now - age))
        folders.append(folder)
    unrelated = tmp_path / "compiled"
    unrelated.mkdir()
    os.utime(unrelated, (now - 30 * day, now - 30 * day))

    removed = prune_invocation_folders(tmp_path, now=now)

    # Beyond the newest kept, the recent ones stay and the three over a week old go.
    assert sorted(removed) == sorted(folders[-3:])
    assert all(folder.exists() for folder in folders[:-3])
    assert unrelated.exists()
    assert prune_invocation_folders(tmp_path, now=now) == []


def test_snowflake_builds_show_the_declared_column_rules_on_the_columns_too(monkeypatch):
    """On Snowflake dagster-dbt reads each model's columns from the warehouse catalog; the column schema it
    reports shows the yml's rules (not nullable, unique, references) as the DuckDB path's does, and the
    events that are not a model's pass through unchanged."""
    manifest = json.loads(vision_dbt_project().manifest_path.read_text())
    sales = dg.Output(None, output_name="marts_fct_sales", metadata={"unique_id": "model.vision.fct_sales"})
    check = dg.AssetCheckResult(passed=True, asset_key=dg.AssetKey(["marts", "fct_sales"]), check_name="x")

    class CatalogColumns:
        """dagster-dbt's iterator, reading the columns as Snowflake's catalog would give them."""

        def __init__(self, events, dbt_cli_invocation):
            self.events = events

        def fetch_column_metadata(self):
            columns = [dg.TableColumn(name, "VARCHAR") for name in ("sale_key", "customer_key", "order_key")]
            for event in self.events:
                yield event.with_metadata(
                    {**event.metadata, "dagster/column_schema": dg.TableSchema(columns=columns)}
                )

    class Stream:
        def fetch_row_counts(self):
            return iter([sales, check])

    monkeypatch.setattr(transform_assets, "DbtEventIterator", CatalogColumns)
    invocation = SimpleNamespace(manifest=manifest, stream=Stream)
    described, passed_through = list(transform_assets._with_table_metadata(invocation))
    assert passed_through is check
    columns = described.metadata["dagster/column_schema"].value.columns
    constraints = {column.name: column.constraints for column in columns}
    assert constraints["sale_key"].unique is True and constraints["sale_key"].nullable is False
    assert constraints["customer_key"].other == ["references dim_customer.customer_key"]
    assert constraints["order_key"].nullable is True and constraints["order_key"].other == []


def test_the_dbt_sources_are_written_from_the_contracts_and_the_bridges_columns(tmp_path, monkeypatch):
    """One source of truth: each sources file is what its Python gives, and `--check` says when it is not."""
    from vision_assets.transform import dbt_sources

    for path, expected in (
        (dbt_sources.SOURCES_FILE, dbt_sources.render_sources()),
        (dbt_sources.IDENTITY_SOURCES_FILE, dbt_sources.render_identity_sources()),
    ):
        assert path.read_text() == expected, f"{path} is stale: run `python -m vision_assets.transform.dbt_sources`"
    manifest = json.loads(vision_dbt_project().manifest_path.read_text())
    raw = {source["name"] for source in manifest["sources"].values() if source["source_name"] == "raw"}
    assert raw == {table.name for table in SOURCE_TABLES}
    stale, identity = tmp_path / "__sources.yml", tmp_path / "_identity__sources.yml"
    stale.write_text(dbt_sources.render_sources().replace("Vision Books account identifier.", "Books id."))
    identity.write_text(dbt_sources.render_identity_sources())
    monkeypatch.setattr(dbt_sources, "SOURCES_FILE", stale)
    monkeypatch.setattr(dbt_sources, "IDENTITY_SOURCES_FILE", identity)
    assert dbt_sources.main(["--check"]) == 1
    assert dbt_sources.main([]) == 0
    assert dbt_sources.main(["--check"]) == 0
    identity.write_text(identity.read_text().replace("account_key", "account_id", 1))
    assert dbt_sources.main(["--check"]) == 1
