"""Wall time and peak memory of a block of work, for the training metadata of the model assets.

Peak memory is the process's resident set size, sampled every 20 ms while the block runs (Linux
``/proc/self/statm``); elsewhere it falls back to the process's lifetime peak from ``getrusage``.
"""

import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATM = Path("/proc/self/statm")
_SAMPLE_SECONDS = 0.02


@dataclass
class Measurement:
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    start_rss_mb: float = 0.0

    @property
    def peak_increase_mb(self) -> float:
        """How far above its starting size the process grew during the block."""
        return max(0.0, self.peak_rss_mb - self.start_rss_mb)


def _rss_mb() -> float:
    if _STATM.exists():
        resident_pages = int(_STATM.read_text().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


@contextmanager
def measure() -> Iterator[Measurement]:
    measurement = Measurement(start_rss_mb=_rss_mb())
    measurement.peak_rss_mb = measurement.start_rss_mb
    done = threading.Event()

    def sample() -> None:
        while not done.wait(_SAMPLE_SECONDS):
            measurement.peak_rss_mb = max(measurement.peak_rss_mb, _rss_mb())

    sampler = threading.Thread(target=sample, name="memory-sampler", daemon=True)
    started = time.perf_counter()
    sampler.start()
    try:
        yield measurement
    finally:
        done.set()
        sampler.join()
        measurement.peak_rss_mb = max(measurement.peak_rss_mb, _rss_mb())
        measurement.seconds = time.perf_counter() - started
