"""The arithmetic of the benchmarks: medians and spreads of repeated timings, and the fixed + marginal fit.

Plain functions over numbers, tested without running anything.
"""

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import median


@dataclass(frozen=True)
class Summary:
    """Repeated measurements of one quantity: the median is the figure, the spread how far to trust it."""

    median: float
    low: float
    high: float
    samples: tuple[float, ...]

    @property
    def spread(self) -> float:
        """``high - low`` relative to the median (0.1 = the samples lie within 10 % of the median)."""
        return (self.high - self.low) / self.median if self.median else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "samples": list(self.samples), "spread": round(self.spread, 4)}


def summarize(samples: Sequence[float]) -> Summary:
    if not samples:
        raise ValueError("nothing to summarize: no samples")
    values = tuple(float(value) for value in samples)
    return Summary(median=median(values), low=min(values), high=max(values), samples=values)


@dataclass(frozen=True)
class LinearCost:
    """A day's cost as ``fixed_seconds + marginal_seconds_per_million_rows * rows / 1e6``."""

    fixed_seconds: float
    marginal_seconds_per_million_rows: float
    points: int

    def seconds_for(self, rows: float) -> float:
        return self.fixed_seconds + self.marginal_seconds_per_million_rows * rows / 1e6

    def as_dict(self) -> dict:
        return asdict(self)


def fit_fixed_marginal(rows: Sequence[float], seconds: Sequence[float]) -> LinearCost:
    """Least-squares line through (rows, seconds): the intercept is the fixed cost, the slope the marginal.

    With several points at one row count (repeated runs), pass the medians: one point per scale weighs each
    scale equally. Two distinct row counts at least are needed; the slope is per million rows.
    """
    if len(rows) != len(seconds):
        raise ValueError(f"{len(rows)} row counts but {len(seconds)} timings")
    if len(set(rows)) < 2:
        raise ValueError("the fit needs at least two different row counts (two scales)")
    line = statistics.linear_regression(rows, seconds)
    return LinearCost(
        fixed_seconds=line.intercept,
        marginal_seconds_per_million_rows=line.slope * 1e6,
        points=len(rows),
    )


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when the denominator is not positive (no meaningful ratio)."""
    return numerator / denominator if denominator > 0 else None


def size_adjusted_ratio(
    long_seconds: float, short_seconds: float, long_rows: float, short_rows: float, cost: LinearCost
) -> float | None:
    """``long_seconds`` against ``short_seconds`` scaled by ``cost`` to a day of ``long_rows`` landed rows.

    The history comparison's two days come from two simulations: the year's day D lands more rows than
    the 30-day simulation's (the business has grown by then). The fitted cost of a day (over the scales,
    all on 30-day histories) predicts what the short history's day would take at the long day's size; a
    ratio of 1 means the long history added nothing beyond the day's own size.
    """
    predicted_short, predicted_long = cost.seconds_for(short_rows), cost.seconds_for(long_rows)
    if predicted_short <= 0 or predicted_long <= 0 or short_seconds <= 0:
        return None
    return long_seconds / (short_seconds * predicted_long / predicted_short)
