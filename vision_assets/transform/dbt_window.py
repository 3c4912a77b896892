"""How a partition's time window reaches the daily dbt models: as environment variables of the dbt process."""

import contextlib
import os
from collections.abc import Iterator, Mapping

import dagster as dg

# Read by the macro daily_window_bound (vision_dbt/macros/daily_window.sql) only when dbt executes.
WINDOW_START_VARIABLE = "VISION_DAILY_WINDOW_START"
WINDOW_END_VARIABLE = "VISION_DAILY_WINDOW_END"


def dbt_environment_for_window(window: dg.TimeWindow) -> dict[str, str]:
    """The half-open window ``[start, end)`` as ISO dates, one day or a backfill range at once.

    Partition windows start and end at UTC midnight, so dates are exact; dbt compares them with
    ``>= start and < end`` so the day after the window is never touched. Not ``--vars``: dbt discards its
    saved parse whenever the vars change, so a window in ``--vars`` made every daily build re-parse the
    whole project first.
    """
    return {
        WINDOW_START_VARIABLE: window.start.date().isoformat(),
        WINDOW_END_VARIABLE: window.end.date().isoformat(),
    }


@contextlib.contextmanager
def environment_variables(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` set in this process's environment, and the previous values back afterwards.

    dagster-dbt hands the dbt process a copy of ``os.environ`` taken when ``DbtCliResource.cli`` starts it
    and offers no other way to add variables; a run's steps never share a process with another step's
    dbt call (one process per step, or one step at a time in process), so nothing else sees them.
    """
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
