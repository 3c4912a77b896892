"""The real servers a team deployment needs, started for a test: PostgreSQL (the `pgserver` package ships the
server binaries) with a password-protected role, and the TLS certificate and htpasswd file the proxy reads.

PostgreSQL listens on a loopback TCP port, as a team's database server would on its network (pgserver itself
listens on a Unix socket only, which dagster-postgres's connection URL cannot name), and passwords are
checked for real: the role authenticates with SCRAM, so a wrong password is refused as a managed PostgreSQL
would refuse it (pgserver's own default is to trust every local connection).
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pgserver
from pgserver._commands import pg_ctl  # runs pg_ctl as the server's own system user, as pgserver does

ROLE = "vision"
DATABASE = "vision"


@dataclass(frozen=True)
class Postgres:
    """Where the test's PostgreSQL server listens and the role Vision connects as."""

    host: str
    port: int
    user: str
    database: str
    password: str

    def environment(self, password_file: Path | None = None) -> dict[str, str]:
        """The DAGSTER_PG_* settings deploy/dagster.yaml reads; the password itself, or the file holding it."""
        settings = {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_DB": self.database,
        }
        if password_file is None:
            return {**settings, "DAGSTER_PG_PASSWORD": self.password}
        password_file.write_text(self.password)
        password_file.chmod(0o600)
        return {**settings, "DAGSTER_PG_PASSWORD_FILE": str(password_file)}


@contextmanager
def postgres_server(pgdata: Path, password: str, port: int) -> Iterator[Postgres]:
    """A PostgreSQL server of its own in ``pgdata`` on 127.0.0.1:``port``, stopped (and its files removed)
    afterwards."""
    with pgserver.get_server(pgdata, cleanup_mode="delete") as server:
        server.psql(
            f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}'; CREATE DATABASE {DATABASE} OWNER {ROLE};"
        )
        hba = pgdata / "pg_hba.conf"
        hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
        # Restarted to listen on loopback TCP too (its Unix socket stays, for server.psql); stopped here, since
        # pgserver's own clean-up only stops the server process it started.
        options = f"-h 127.0.0.1 -p {port} -k {socket_dir}"
        pg_ctl(
            ["-w", "-o", options, "-l", str(server.log), "restart"], pgdata=pgdata, user=server.system_user
        )
        try:
            yield Postgres(host="127.0.0.1", port=port, user=ROLE, database=DATABASE, password=password)
        finally:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as a team's proxy would hold from its certificate authority."""
    cert, key = folder / "proxy.crt", folder / "proxy.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def htpasswd_file(path: Path, user: str, password: str) -> Path:
    """One user with a SHA-512 crypt hash (what `htpasswd` or `openssl passwd -6` writes); the password goes
    through stdin, never a command line."""
    hashed = subprocess.run(
        ["openssl", "passwd", "-6", "-stdin"], input=password, text=True, check=True, capture_output=True
    ).stdout.strip()
    path.write_text(f"{user}:{hashed}\n")
    path.chmod(0o600)
    if os.geteuid() == 0:
        # nginx started as root reads this file in its workers, which run as Debian's www-data: readable by
        # that group only, as a packaged deployment keeps it.
        for readable, mode in ((path.parent, 0o750), (path, 0o640)):
            shutil.chown(readable, group="www-data")
            readable.chmod(mode)
        # pytest's temporary folders are private to root: let others pass through them (not list them).
        for folder in path.parent.parents:
            if folder == Path(tempfile.gettempdir()) or folder == folder.parent:
                break
            folder.chmod(folder.stat().st_mode | 0o001)
    return path
