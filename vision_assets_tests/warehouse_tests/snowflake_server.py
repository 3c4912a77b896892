"""A Snowflake wire endpoint for the tests: fakesnow's server mode, in its own process on loopback.

The Snowflake connector, dbt-snowflake and Dagster's Snowflake IO manager connect to it with a ``host``,
``port`` and ``protocol=http`` (``SNOWFLAKE_HOST``, ``SNOWFLAKE_PORT``, ``SNOWFLAKE_PROTOCOL``: the settings a
private link uses in production), exactly as they would to an account; fakesnow translates the Snowflake SQL
to DuckDB.

Where fakesnow does not behave as real Snowflake does, the difference is handled here, in the emulator's
process, and never in Vision's own SQL: :data:`EMULATOR_REWRITES` rewrites a statement on its way in, and
:data:`EMULATOR_TRANSLATION_FIXES` turn off a translation step of fakesnow's that changes a result. Each entry
says what Snowflake does that fakesnow does not; the README's "Moving the warehouse" section lists them all
(a test checks it does).

    python -m vision_assets_tests.warehouse_tests.snowflake_server PORT
"""

import gzip
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from vision_assets_tests.servers import wait_until_answering

QUERY_PATH = "/queries/v1/query-request"


@dataclass(frozen=True)
class EmulatorRewrite:
    why: str
    pattern: re.Pattern
    replacement: str

    def apply(self, sql: str) -> str:
        return self.pattern.sub(self.replacement, sql)


EMULATOR_REWRITES = (
    EmulatorRewrite(
        why=(
            "The connector's write_pandas copies from a quoted stage location, FROM '@\"STAGE\"'; "
            "fakesnow 0.12 resolves only an unquoted one"
        ),
        pattern=re.compile(r"""FROM '@"([A-Za-z0-9_]+)"'"""),
        replacement=r"FROM @\1",
    ),
)


@dataclass(frozen=True)
class TranslationFix:
    why: str
    transform: str
    """The name of the fakesnow translation step (in ``fakesnow.transforms``) replaced by ``replacement``."""
    replacement: object

    def apply(self) -> None:
        import fakesnow.transforms

        if not hasattr(fakesnow.transforms, self.transform):
            raise RuntimeError(f"fakesnow.transforms.{self.transform} is gone: review {__name__}")
        setattr(fakesnow.transforms, self.transform, self.replacement)


def _unchanged(expression):
    return expression


EMULATOR_TRANSLATION_FIXES = (
    TranslationFix(
        why=(
            "Snowflake sums and averages a NUMBER(18,2) exactly; fakesnow casts every aggregate's argument to "
            "DOUBLE (for text columns, which Vision never aggregates), so totals drift by fractions of a cent"
        ),
        transform="numeric_agg_implicit_cast",
        replacement=_unchanged,
    ),
)


def emulator_differences() -> list[str]:
    """What the emulator does differently from Snowflake and is corrected here, one line each."""
    return [entry.why for entry in (*EMULATOR_REWRITES, *EMULATOR_TRANSLATION_FIXES)]


def rewritten(sql: str) -> str:
    for rewrite in EMULATOR_REWRITES:
        sql = rewrite.apply(sql)
    return sql


def with_rewrites(app):
    """The emulator's ASGI app, with every query's SQL passed through :data:`EMULATOR_REWRITES` first."""

    async def rewriting_app(scope, receive, send):
        if scope["type"] != "http" or scope["path"] != QUERY_PATH:
            return await app(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        if headers.get(b"content-encoding") == b"gzip":
            body = gzip.decompress(body)
        request = json.loads(body)
        request["sqlText"] = rewritten(request["sqlText"])
        body = json.dumps(request).encode()
        headers.pop(b"content-encoding", None)
        headers[b"content-length"] = str(len(body)).encode()
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await app({**scope, "headers": list(headers.items())}, replay, send)

    return rewriting_app


@dataclass(frozen=True)
class SnowflakeServer:
    port: int

    def environment(self, database: str = "VISION") -> dict[str, str]:
        """The ``SNOWFLAKE_*`` settings a deployment sets to reach this endpoint."""
        return {
            "SNOWFLAKE_ACCOUNT": "vision",
            "SNOWFLAKE_USER": "fake",
            "SNOWFLAKE_PASSWORD": "snow",
            "SNOWFLAKE_ROLE": "transformer",
            "SNOWFLAKE_DATABASE": database,
            "SNOWFLAKE_WAREHOUSE": "transforming",
            "SNOWFLAKE_HOST": "127.0.0.1",
            "SNOWFLAKE_PORT": str(self.port),
            "SNOWFLAKE_PROTOCOL": "http",
        }


@contextmanager
def snowflake_server(log_path=None) -> Iterator[SnowflakeServer]:
    """fakesnow's server in its own process on a free loopback port, stopped on leaving; its log goes to
    ``log_path`` when given."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ExitStack() as stack:
        log = stack.enter_context(open(log_path, "ab")) if log_path else subprocess.DEVNULL
        server = subprocess.Popen(
            [sys.executable, "-m", __name__, str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
        try:
            answers = lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close()
            wait_until_answering(server, answers, f"fakesnow's server on port {port}")
            yield SnowflakeServer(port)
        finally:
            server.terminate()
            server.wait(timeout=30)


def main(argv: list[str]) -> None:
    import fakesnow.server
    import uvicorn

    for fix in EMULATOR_TRANSLATION_FIXES:
        fix.apply()
    uvicorn.run(with_rewrites(fakesnow.server.app), host="127.0.0.1", port=int(argv[0]), log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
