"""The team's instance configuration agrees with the single-machine one where they must, and names no secret."""

import yaml

from vision_assets.paths import REPO_ROOT

TEAM = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
SINGLE_MACHINE = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())


def test_the_team_instance_queues_runs_and_shares_the_warehouse_pool_as_one_machine_does():
    assert TEAM["concurrency"] == SINGLE_MACHINE["concurrency"]


def test_every_connection_setting_of_the_team_instance_comes_from_the_environment():
    settings = dict(TEAM["storage"]["postgres"]["postgres_db"])
    assert settings.pop("scheme") == "postgresql+psycopg2"
    assert set(settings) == {"hostname", "port", "username", "password", "db_name"}
    assert all(set(value) == {"env"} for value in settings.values()), settings
