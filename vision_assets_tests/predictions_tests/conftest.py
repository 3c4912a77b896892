"""Series the forecasting tests share: Poisson demand around a known weekly rhythm, so the truth is known."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.predictions import models

WEEKLY = np.array([0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 1.3])


def weekly_demand(ids: int, days: int, level: float = 40.0, seed: int = 0, start: str = "2026-01-05"):
    """(history, expected): Poisson counts around ``level`` x a weekly rhythm, and that expected rate."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    frames, truth = [], []
    for number in range(ids):
        rate = level * (1 + 0.5 * number) * WEEKLY[dates.dayofweek]
        frames.append(
            pd.DataFrame({"unique_id": f"s{number}", "ds": dates, "y": rng.poisson(rate).astype(float)})
        )
        truth.append(pd.DataFrame({"unique_id": f"s{number}", "ds": dates, "expected": rate}))
    return pd.concat(frames, ignore_index=True), pd.concat(truth, ignore_index=True)


@pytest.fixture
def without_arima(monkeypatch):
    """Leave AutoARIMA out of the candidates: a hundred times AutoETS's cost, and not what the tests that
    use this are about (the property test and the weekly-demand test of test_forecast.py exercise it)."""
    monkeypatch.setattr(models, "ARIMA_POINT_BUDGET", 0)
