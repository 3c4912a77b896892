"""Starting the real servers the tests run in processes of their own (moto's S3, fakesnow's Snowflake)."""

import subprocess
import time
from collections.abc import Callable


def wait_until_answering(
    server: subprocess.Popen, answers: Callable[[], None], name: str, timeout: float = 60.0
):
    """Wait until ``answers()`` stops raising ``OSError`` (the server is up), failing early if the server's
    process exits first and naming it after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited with {server.returncode} before it answered")
        try:
            answers()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s")
