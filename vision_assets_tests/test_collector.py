"""The garbage collector kept off what a process loads: paused inside, the previous state after, even when
the inside fails; what was loaded frozen only when the load succeeded."""

import gc

import pytest

from vision_assets.collector import garbage_collector_paused, kept_until_exit


def test_a_pause_restores_the_collector_and_nests():
    assert gc.isenabled()
    with garbage_collector_paused():
        assert not gc.isenabled()
        with garbage_collector_paused():  # `vision trust` loading the definitions
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failure_inside_still_restores_the_collector():
    with pytest.raises(RuntimeError), garbage_collector_paused():
        raise RuntimeError("a definition failed to load")
    assert gc.isenabled()


def test_what_loaded_is_frozen_and_the_collector_runs_for_what_comes_after():
    gc.unfreeze()
    try:
        with kept_until_exit():
            loaded = [object() for _ in range(10)]
        assert gc.get_freeze_count() > len(loaded)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_nothing_is_frozen_when_the_load_fails():
    gc.unfreeze()
    with pytest.raises(ImportError), kept_until_exit():
        raise ImportError("a module of the code location is missing")
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
