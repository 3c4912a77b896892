"""Which warehouse errors a retry can clear, and how every other one fails the step once.

DuckDB allows one writer per file, so a step may find the file locked by another run for a moment;
Snowflake may drop a connection. Those are worth waiting for. A mistake in SQL or in the data is not:
retrying it four times only hides it for longer. Dagster's retry policy has no filter by error type, so
every warehouse step carries :data:`WAREHOUSE_RETRY_POLICY` and wraps its work in
:func:`fail_fast_unless_transient`, which turns non-transient errors into a non-retryable ``dg.Failure``.
"""

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb


class LiveLaneNotStarted(LookupError):
    """The warehouse holds no live tables yet: the live lane has never written to it (not an error for a
    reader, which then has nothing live to show)."""


WAREHOUSE_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""Retries for steps that write the warehouse: a locked DuckDB file or a dropped Snowflake connection
clears up by itself. Every other error is made non-retryable (:func:`fail_fast_unless_transient`)."""


_TRANSIENT_SNOWFLAKE_ERRORS = {
    "OperationalError",
    "InterfaceError",
    "ServiceUnavailableError",
    "GatewayTimeoutError",
    "BadGatewayError",
    "OtherHTTPRetryableError",
    "RequestTimeoutError",
}


def is_transient(error: BaseException) -> bool:
    """Whether an error, or one it was raised from, is one that waiting and trying again can clear."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, duckdb.IOException) and "lock" in str(seen).lower():
            return True
        if isinstance(seen, (ConnectionError, TimeoutError)):
            return True
        kind = type(seen)
        if kind.__module__.startswith("snowflake.connector") and kind.__name__ in _TRANSIENT_SNOWFLAKE_ERRORS:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def fail_fast_unless_transient(what: str) -> Iterator[None]:
    """Let transient errors through to the retry policy; turn every other one into a non-retryable Failure.

    The message carries the error's type and text, which never hold a credential: connection settings are
    read from the environment by the connector and are not part of any statement or message we build.
    """
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{what} failed with {type(error).__name__}: {error}", allow_retries=False
        ) from error


def final_unless_transient(compute: Callable) -> Callable:
    """An asset's compute function whose errors are final unless transient (see fail_fast_unless_transient).

    With :data:`WAREHOUSE_RETRY_POLICY` on the asset, a warehouse briefly unavailable while its inputs are
    read or its output written (the IO manager lets those errors through) is retried, and a mistake in the
    computation fails the run once instead of four times. Dagster's retry policy has no filter by error,
    hence this wrapper.
    """
    what = f"computing {compute.__name__}"
    if inspect.isgeneratorfunction(compute):

        @functools.wraps(compute)
        def generator(*args, **kwargs):
            with fail_fast_unless_transient(what):
                yield from compute(*args, **kwargs)

        return generator

    @functools.wraps(compute)
    def function(*args, **kwargs):
        with fail_fast_unless_transient(what):
            return compute(*args, **kwargs)

    return function


class FailFastIOManager(dg.IOManager):
    """Wraps a database IO manager so that only transient errors are left for the retry policy."""

    def __init__(self, inner: dg.IOManager):
        self._inner = inner

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        with fail_fast_unless_transient(f"writing {context.asset_key.to_user_string()}"):
            self._inner.handle_output(context, obj)

    def load_input(self, context: dg.InputContext):
        with fail_fast_unless_transient(f"reading {context.asset_key.to_user_string()}"):
            return self._inner.load_input(context)
