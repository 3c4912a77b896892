"""The garbage collector's pause: none inside, the previous state after, even when the inside fails."""

import gc

import pytest

from vision_assets.collector import garbage_collector_paused


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
