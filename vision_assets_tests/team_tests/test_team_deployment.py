"""A team's deployment started as a team starts it (`deploy/team.sh`): the code server, the webserver and the
daemon as separate processes sharing one Dagster instance on a real PostgreSQL server, and nginx in front of
the webserver as the only door. Nobody gets in without the right credentials, and no password reaches a
log or a command line. (`test_team_builds_landed_days.py`, in `make test-long`, lands days on it and
starts it with a wrong database password.)
"""

import dagster as dg
import pytest
import requests
from dagster._core.scheduler.instigation import InstigatorStatus

from vision_assets_tests.team_tests.deployment import (
    PROXY_PASSWORD,
    PROXY_USER,
    leaked_passwords,
    listening_addresses,
    nginx_missing,
    stop_sensor,
    team_deployment,
)

pytestmark = pytest.mark.slow

# 127.0.0.1, and the same as an IPv4-mapped IPv6 address (gRPC listens so), as /proc/net/tcp* write them.
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    if nginx_missing():
        pytest.skip("nginx is not installed (Debian's nginx-light, which .ci/run installs)")
    with team_deployment(tmp_path_factory.mktemp("team")) as running:
        yield running


def test_the_instance_is_postgres_shared_by_three_separate_services(team):
    instance = team.instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    commands = team.command_lines()
    for service in ("dagster code-server start", "dagster-webserver", "dagster-daemon run", "nginx: master"):
        assert sum(service in line for line in commands) == 1, (service, commands)
    # The daemon's heartbeats reach the shared instance: the UI's daemon health comes from there.
    assert instance.get_daemon_heartbeats(), "no daemon has written a heartbeat to the instance"


def test_the_proxy_refuses_missing_and_wrong_credentials(team):
    proxy = team.proxy
    assert proxy.get("/").status_code == 401
    assert proxy.get("/", auth=(PROXY_USER, "not-the-password")).status_code == 401
    assert proxy.get("/", auth=("intruder", PROXY_PASSWORD)).status_code == 401
    assert proxy.graphql("{ version }", auth=None).status_code == 401
    assert proxy.graphql("{ version }", auth=(PROXY_USER, "not-the-password")).status_code == 401


def test_the_right_credentials_reach_the_ui_and_its_graphql_api(team):
    page = team.proxy.get("/", auth=(PROXY_USER, PROXY_PASSWORD))
    assert page.status_code == 200 and "Dagster" in page.text
    answer = team.proxy.graphql("{ version }")
    assert answer.status_code == 200 and answer.json()["data"]["version"] == dg.__version__
    # A change through the API lands in the shared instance, where the daemon reads it.
    assert stop_sensor(team, "partition_freshness_sensor") == InstigatorStatus.STOPPED
    states = {state.instigator_name: state.status for state in team.instance.all_instigator_state()}
    assert states["partition_freshness_sensor"] == InstigatorStatus.STOPPED


def test_the_webserver_and_the_code_server_listen_on_loopback_only(team):
    for service in ("webserver", "code_server"):
        addresses = listening_addresses(team.port(service))
        assert addresses and addresses <= LOOPBACK, (service, addresses)
    # Plain HTTP to the proxy's TLS port is not answered as the UI.
    plain = requests.get(team.proxy.url.replace("https:", "http:"), timeout=10)
    assert plain.status_code == 400 and "Dagster" not in plain.text


def test_no_password_reaches_a_log_an_event_or_a_command_line(team):
    assert not leaked_passwords(team)
