"""`deploy/team.sh` started for a test, as a team runs it: a real PostgreSQL server (from `pgserver`), the
code server, the webserver and the daemon as separate processes, and nginx in front with TLS and basic
authentication. The passwords are planted, so that a leak into a log, an event or a command line can be
searched for; they reach the services only through the environment and a secret file.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psutil
import pytest
import requests
from dagster._core.scheduler.instigation import InstigatorStatus, TickStatus

from vision_assets.paths import REPO_ROOT
from vision_assets_tests.team_tests.servers import (
    Postgres,
    htpasswd_file,
    postgres_server,
    self_signed_certificate,
)

PG_PASSWORD = "not-a-real-pg-pw-4e1b7d"
PROXY_USER = "analyst"
PROXY_PASSWORD = "not-a-real-proxy-pw-9c2a51"
PLANTED = (PG_PASSWORD, PROXY_PASSWORD)
UI_WAIT_SECONDS = 300
TICK_WAIT_SECONDS = 120
SYSTEM_PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"


class Proxy:
    """Requests to the UI through the proxy, as a team member's browser or script makes them."""

    def __init__(self, port: int, certificate: Path):
        self.url, self.certificate = f"https://127.0.0.1:{port}", str(certificate)

    def get(self, path: str, auth=None) -> requests.Response:
        return requests.get(self.url + path, auth=auth, verify=self.certificate, timeout=30)

    def graphql(
        self, query: str, variables: dict | None = None, auth=(PROXY_USER, PROXY_PASSWORD)
    ) -> requests.Response:
        return requests.post(
            self.url + "/graphql",
            json={"query": query, "variables": variables or {}},
            auth=auth,
            verify=self.certificate,
            timeout=60,
        )


@dataclass
class Team:
    root: Path
    env: dict[str, str]
    proxy: Proxy
    postgres: Postgres
    process: subprocess.Popen
    instance: dg.DagsterInstance

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def port(self, service: str) -> int:
        return int(self.env[f"VISION_{service.upper()}_PORT"])

    def tails(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-1500:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def assert_running(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"team.sh exited with {self.process.returncode}:\n{self.tails()}")

    def command_lines(self) -> list[str]:
        """The command lines of team.sh and everything it started (its services and their runs)."""
        processes = [
            psutil.Process(self.process.pid),
            *psutil.Process(self.process.pid).children(recursive=True),
        ]
        lines = []
        for process in processes:
            try:
                lines.append(" ".join(process.cmdline()))
            except psutil.NoSuchProcess:
                continue
        return lines


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM team.sh, which stops its services; then SIGKILL whatever of its group is left."""
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def nginx_missing() -> bool:
    return shutil.which("nginx", path=SYSTEM_PATH) is None


@contextmanager
def team_deployment(root: Path) -> Iterator[Team]:
    """The whole team deployment running from ``root``, until the block ends."""
    secrets = root / "secrets"
    secrets.mkdir(mode=0o700)
    certificate, key = self_signed_certificate(secrets)
    with postgres_server(root / "pgdata", PG_PASSWORD, _free_port()) as postgres:
        env = {
            **os.environ,
            **postgres.environment(password_file=secrets / "pg_password"),
            "DAGSTER_HOME": str(root / "dagster_home"),
            "VISION_DATA_DIR": str(root),
            "VISION_DUCKDB_PATH": str(root / "warehouse" / "vision.duckdb"),
            "VISION_PROXY_HOST": "127.0.0.1",
            "VISION_PROXY_PORT": str(_free_port()),
            "VISION_PROXY_HTPASSWD": str(htpasswd_file(secrets / "htpasswd", PROXY_USER, PROXY_PASSWORD)),
            "VISION_PROXY_CERT": str(certificate),
            "VISION_PROXY_KEY": str(key),
            "VISION_WEBSERVER_PORT": str(_free_port()),
            "VISION_CODE_SERVER_PORT": str(_free_port()),
            "VISION_TEAM_LOG_DIR": str(root / "logs"),
            "PATH": SYSTEM_PATH,
        }
        env.pop("VISION_WAREHOUSE", None)
        proxy = Proxy(int(env["VISION_PROXY_PORT"]), certificate)
        with (root / "team.out").open("wb") as output:
            process = subprocess.Popen(
                ["bash", str(REPO_ROOT / "deploy" / "team.sh")],
                cwd=REPO_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so that nothing it starts outlives the test
            )
        try:
            # This process reads the same instance, with the password as the services get it.
            with pytest.MonkeyPatch.context() as here:
                for name, value in postgres.environment().items():
                    here.setenv(name, value)
                here.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
                team = Team(root, env, proxy, postgres, process, instance=None)
                _wait_for_the_ui(team)
                team.instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
                yield team
        finally:
            _stop(process)


def _wait_for_the_ui(team: Team) -> None:
    deadline = time.monotonic() + UI_WAIT_SECONDS
    while time.monotonic() < deadline:
        team.assert_running()
        try:
            status = team.proxy.get("/server_info", auth=(PROXY_USER, PROXY_PASSWORD)).status_code
            if status == 200:
                return
            if status not in (502, 503, 504):  # anything but "the webserver is not up yet"
                pytest.fail(f"the proxy answered {status}:\n{team.tails()}")
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(f"the UI did not answer through the proxy within {UI_WAIT_SECONDS} s:\n{team.tails()}")


def stop_sensor(team: Team, name: str) -> InstigatorStatus:
    """Stop a sensor through the GraphQL API (as the UI's toggle does); returns its status as the shared
    instance holds it once the daemon has finished any tick of it that was under way.

    The daemons write a sensor's state back after a tick by reading it and writing it again
    (``dagster/_daemon/sensor.py`` and ``asset_daemon.py``); a stop that lands between the two is written
    over (the race of dagster#7736, narrowed there but not closed). A user sees the toggle flip back and
    clicks it again; this does the same, at most three times, each time first waiting out the tick in flight.
    """
    selector = {"repositoryLocationName": "vision", "repositoryName": "__repository__", "sensorName": name}
    found = team.proxy.graphql(
        "query ($s: SensorSelector!) { sensorOrError(sensorSelector: $s) {"
        " ... on Sensor { sensorState { id selectorId status } } ... on PythonError { message } } }",
        {"s": selector},
    ).json()["data"]["sensorOrError"]
    assert "sensorState" in found, found
    origin, selector_id = found["sensorState"]["id"], found["sensorState"]["selectorId"]
    for _attempt in range(3):
        answer = team.proxy.graphql(
            "mutation ($origin: String, $selector: String) { stopSensor(jobOriginId: $origin,"
            " jobSelectorId: $selector) { ... on StopSensorMutationResult { instigationState { status } }"
            " ... on PythonError { message } } }",
            {"origin": origin, "selector": selector_id},
        ).json()["data"]["stopSensor"]
        assert answer == {"instigationState": {"status": "STOPPED"}}, answer
        _wait_out_the_tick_in_flight(team.instance, origin, selector_id)
        status = team.instance.get_instigator_state(origin, selector_id).status
        if status == InstigatorStatus.STOPPED:
            break
    return status


def _wait_out_the_tick_in_flight(instance: dg.DagsterInstance, origin: str, selector_id: str) -> None:
    deadline = time.monotonic() + TICK_WAIT_SECONDS
    while time.monotonic() < deadline:
        latest = instance.get_ticks(origin, selector_id, limit=1)
        if not latest or latest[0].status != TickStatus.STARTED:
            return
        time.sleep(0.5)
    pytest.fail(f"a tick of {selector_id} was still under way after {TICK_WAIT_SECONDS} s")


def leaked_passwords(team: Team) -> list[str]:
    """Where a planted password shows up: any file the services wrote, any event of any run, or a command line."""
    files = [
        path
        for folder in (team.logs, team.root / "dagster_home")
        for path in folder.rglob("*")
        if path.is_file()
    ]
    files.append(team.root / "team.out")
    assert len(files) > 5, files
    found = [
        f"{path}: {secret}" for path in files for secret in PLANTED if secret.encode() in path.read_bytes()
    ]
    events = [
        str(entry)
        for record in team.instance.get_run_records()
        for entry in team.instance.all_logs(record.dagster_run.run_id)
    ]
    found += [f"event: {event[:80]}" for event in events for secret in PLANTED if secret in event]
    return found + [
        f"command line: {line[:80]}" for line in team.command_lines() for secret in PLANTED if secret in line
    ]


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) of the sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found
