"""Small hand-made interaction frames the algorithm tests share, and a count of EASE fits."""

import pandas as pd
import pytest

from vision_assets.recommendations.collaborative import EaseRecommender

DAY = pd.Timestamp("2026-10-01")


def interactions(rows: list[tuple[str, str]], weight: float = 1.0, day: pd.Timestamp = DAY) -> pd.DataFrame:
    """(user, item) pairs as an interaction frame, one hour apart from ``day`` on."""
    return pd.DataFrame(
        {
            "user": [user for user, _ in rows],
            "item": [item for _, item in rows],
            "weight": weight,
            "occurred_at": [day + pd.Timedelta(hours=hour) for hour in range(len(rows))],
        }
    )


@pytest.fixture
def bought_a_b_then_c() -> pd.DataFrame:
    """Everyone who bought A and B also bought C; `target` bought only A and B. D and E are noise."""
    rows = []
    for buyer in ("u1", "u2", "u3", "u4"):
        rows += [(buyer, "A"), (buyer, "B"), (buyer, "C")]
    rows += [("u5", "D"), ("u5", "E"), ("u6", "D"), ("u6", "E"), ("u7", "E")]
    rows += [("target", "A"), ("target", "B")]
    return interactions(rows)


def record_ease_fits(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """The interactions of every ``EaseRecommender.fit`` from now until ``monkeypatch`` is undone: how the
    tests see that a run fits its model once."""
    fits = []
    fit = EaseRecommender.fit

    def recorded_fit(self, interactions):
        fits.append(interactions)
        return fit(self, interactions)

    monkeypatch.setattr(EaseRecommender, "fit", recorded_fit)
    return fits
