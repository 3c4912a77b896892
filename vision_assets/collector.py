"""Python's garbage collector kept off what a process loads once and keeps until it exits.

Loading the code location creates millions of objects that live as long as the process (Dagster's and dbt's
modules, every asset and spec) and next to no garbage (a few dozen unreachable objects). Each full collection
walks all of them again, while they load (about 1 s of a 6 s import) and after: in a run, and in the
interpreter's own collections at exit (about 0.9 s of every process that loaded the definitions, a run's
steps included). So the collector is paused while they load, and what is loaded is then frozen (moved out
of every later collection, as Python's documentation suggests for what a process keeps: ``gc.freeze``).
Objects made later, a run's connections and frames, are collected as before.
"""

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def garbage_collector_paused() -> Iterator[None]:
    """No collection inside; the collector's previous state after, so pauses nest (``vision trust`` loading
    the definitions)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def kept_until_exit() -> Iterator[None]:
    """Load inside without collections, then freeze everything the process holds: no later collection walks
    it again. Nothing is frozen when the load fails."""
    with garbage_collector_paused():
        yield
    gc.freeze()
