"""Secrets stay out of logs, events and metadata; identifiers that reach SQL are checked; the UI stays local."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import fakesnow
import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.paths import REPO_ROOT
from vision_assets.raw.assets import build_raw_line_asset
from vision_assets.resources import LandingZone
from vision_assets.warehouse import VisionDuckDBPandasIOManager, checked_identifier, snowflake_io_manager
from vision_assets_tests.hardening_tests.conftest import DAY
from vision_assets_tests.raw_tests.test_snowflake_path import snowflake_env  # noqa: F401 (a fixture)

PLANTED = "planted-Vision-pw-7f3a9c"
ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]
TEXT_SUFFIXES = {
    ".py",
    ".yml",
    ".yaml",
    ".toml",
    ".cfg",
    ".md",
    ".sql",
    ".json",
    ".env",
    ".sh",
    ".conf",
    ".template",
    ".ini",
    ".txt",
    "",
}
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
# A URL with a password in it (postgresql://vision:pw@host, redis://:pw@host, s3://key:<secret>@bucket).
# Placeholders (<password>, password, ${VAR}, {env: ...}) are not credentials.
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:(?![{$<]|password@)[^/\s@'\"]{3,}@")
# A line of an htpasswd file (the proxy's users): a name, then a crypt, bcrypt or apr1 hash.
PASSWORD_HASH = re.compile(r"^[\w.-]+:\$(?:1|2[aby]|5|6|apr1)\$", re.MULTILINE)


def leaks(instance: dg.DagsterInstance, runs, home: Path) -> list[str]:
    """Where the planted password shows up: event log entries of the runs, or any file of the instance."""
    events = [str(entry) for run in runs for entry in instance.all_logs(run.run_id)]
    found = [f"event: {event[:80]}" for event in events if PLANTED in event]
    return found + [
        str(path) for path in home.rglob("*") if path.is_file() and PLANTED.encode() in path.read_bytes()
    ]


def test_a_planted_password_appears_in_no_event_log_or_run_log(
    simulated_landing, tmp_path, snowflake_env, monkeypatch, capfd
):
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", PLANTED)
    landing = tmp_path / "landing"
    shutil.copytree(simulated_landing / "books" / "orders", landing / "books" / "orders")
    resources = {"io_manager": snowflake_io_manager(), "landing_zone": LandingZone(root=str(landing))}
    home = tmp_path / "dagster_home"
    home.mkdir()
    with (
        dg.instance_for_test(temp_dir=str(home)) as instance,
        fakesnow.patch(extra_targets=["dagster_snowflake_pandas.snowflake_pandas_type_handler.write_pandas"]),
    ):
        orders = [build_raw_line_asset(ORDERS.line, [ORDERS])]
        loaded = dg.materialize(orders, partition_key=DAY.isoformat(), resources=resources, instance=instance)
        folder = landing_day_dir(landing, ORDERS, DAY)
        next(folder.glob("*.csv")).write_text("order_id\nO-1\n")  # a refused day: the failure path logs too
        refused = dg.materialize(
            orders,
            partition_key=DAY.isoformat(),
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        assert loaded.success and not refused.success
        assert len(instance.all_logs(loaded.run_id)) > 10
        assert leaks(instance, [loaded, refused], home) == []
    captured = capfd.readouterr()
    assert "STEP_START" in captured.err + captured.out, "the run logs were not captured where we look"
    assert PLANTED not in captured.out + captured.err


def test_the_leak_scan_finds_a_password_that_was_logged(tmp_path, monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", PLANTED)

    @dg.asset
    def careless(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        context.log.info(f"connecting with {os.environ['SNOWFLAKE_PASSWORD']}")
        return dg.MaterializeResult()

    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        run = dg.materialize([careless], instance=instance)
        assert leaks(instance, [run], home)


ASSIGNED_SECRET = re.compile(
    r"""(password|passphrase|secret|token)["']?\s*[:=]\s*["'](?![{$]|not-a-real)[^"'\s]{6,}""", re.IGNORECASE
)


# A bucket's keys: an AWS access key id, an AWS secret key as its credentials file writes it (unquoted), an
# Azure storage account key in a connection string. (A GCS service account's JSON holds a private key.)
CLOUD_KEY = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|aws_secret_access_key\s*[:=]\s*[\"']?[A-Za-z0-9/+]{30,}"
    r"|AccountKey=[A-Za-z0-9/+]{20,}",
    re.IGNORECASE,
)


def credentials_in(text: str) -> list[str]:
    """What in a text looks like a credential written down: a private key, an htpasswd line, a URL with a
    password, a cloud store's key, or a password, secret or token assigned a literal value."""
    found = ["a private key"] if PRIVATE_KEY.search(text) else []
    found += ["a password hash"] if PASSWORD_HASH.search(text) else []
    return found + [
        match.group(0)
        for pattern in (URL_PASSWORD, ASSIGNED_SECRET, CLOUD_KEY)
        for match in pattern.finditer(text)
    ]


@pytest.mark.parametrize(
    "text",
    # Put together at run time, so that this file does not hold them written down itself.
    [
        "password: " + '"hunter2-really"',
        "DAGSTER_PG_URL=postgresql://vision:" + "s3cret-pw@db.internal:5432/vision",
        "redis://:" + "s3cret-pw@cache:6379/0",
        "analyst:" + "$6$salt$0nQq8q2h3Yk9Zx\n",
        "analyst:" + "$apr1$abcd$efgh\n",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS_ACCESS_KEY_ID=" + "AKIA" + "IOSFODNN7EXAMPLE",
        "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AZURE_STORAGE_CONNECTION_STRING=AccountName=vision;" + "AccountKey=" + "Zm9vYmFyYmF6cXV4cXV1eA==",
    ],
)
def test_the_repository_scan_recognises_a_written_down_credential(text):
    assert credentials_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "password: {env: DAGSTER_PG_PASSWORD}",
        "postgresql://vision@db.internal:5432/vision",
        "https://127.0.0.1:8443/graphql",
        "postgresql://${DAGSTER_PG_USER}:${DAGSTER_PG_PASSWORD}@host/db",
        "rediss://default:<password>@cache:6380",
        "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
        "VISION_LANDING_ROOT=s3://vision-exports/landing",
    ],
)
def test_the_repository_scan_leaves_settings_read_from_the_environment_alone(text):
    assert not credentials_in(text)


def test_the_repository_holds_no_credential():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    found = []
    for name in tracked.stdout.splitlines():
        path = REPO_ROOT / name
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        found += [f"{name}: {credential}" for credential in credentials_in(path.read_text(errors="replace"))]
    assert not found, found
    profiles = (REPO_ROOT / "vision_dbt" / "profiles.yml").read_text()
    assert re.search(r"password: \"\{\{ env_var\('SNOWFLAKE_PASSWORD'", profiles)


@pytest.mark.parametrize(
    "name", ["orders; drop table raw.books_orders", 'orders" --', "bad-name", "../raw", "", "1orders"]
)
def test_an_identifier_that_is_not_plain_never_reaches_sql(name):
    with pytest.raises(dg.Failure, match="is not a plain SQL identifier"):
        checked_identifier(name, "table")


def test_a_table_name_that_is_not_an_identifier_is_refused_before_any_sql(tmp_path):
    @dg.asset(
        key=["raw", "bad-name"],
        metadata={"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn("id", "varchar")])},
    )
    def bad_name() -> pd.DataFrame:
        return pd.DataFrame({"id": ["1"]})

    database = tmp_path / "vision.duckdb"
    result = dg.materialize(
        [bad_name],
        resources={"io_manager": VisionDuckDBPandasIOManager(database=str(database))},
        raise_on_error=False,
    )
    assert not result.success
    assert (
        "table 'bad-name' is not a plain SQL identifier"
        in result.get_step_failure_events()[0].step_failure_data.error.message
    )


def test_a_partition_key_that_is_not_a_day_is_refused(simulated_landing, tmp_path):
    with pytest.raises(dg.DagsterUnknownPartitionError, match="Could not find a partition"):
        dg.materialize(
            [build_raw_line_asset(ORDERS.line, [ORDERS])],
            partition_key=f"{DAY.isoformat()}' or 1=1 --",
            resources={
                "io_manager": VisionDuckDBPandasIOManager(database=str(tmp_path / "vision.duckdb")),
                "landing_zone": LandingZone(root=str(simulated_landing)),
            },
        )
    assert not (tmp_path / "vision.duckdb").exists()


def test_make_dev_serves_the_ui_on_loopback_only():
    recipe = re.search(r"^dev:.*\n((?:\t.*\n)+)", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe and "dagster dev" in recipe.group(1)
    assert "--host 127.0.0.1" in recipe.group(1)
    assert "0.0.0.0" not in recipe.group(1)


def test_a_landing_path_cannot_escape_the_landing_root():
    # Contract names are plain identifiers and days are dates, so the day folder is always under the root.
    root = Path("/landing")
    for table in SOURCE_TABLES_BY_NAME.values():
        assert landing_day_dir(root, table, DAY).resolve().is_relative_to(root)
