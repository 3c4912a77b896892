"""Small hand-made interaction frames the algorithm tests share, a synthetic population with planted tastes,
and records of EASE fits and of the settings' tuning."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.recommendations import recommender
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


def record_tunings(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """The interactions every ``fit_recommender`` chose its settings on, from now until ``monkeypatch`` is
    undone: how the tests see what the choice was allowed to look at."""
    tunings = []
    choose = recommender.choose_settings

    def recorded_choose(interactions, *args, **kwargs):
        tunings.append(interactions)
        return choose(interactions, *args, **kwargs)

    monkeypatch.setattr(recommender, "choose_settings", recorded_choose)
    return tunings


def planted_tastes(
    customers: int = 300,
    tastes: int = 6,
    items_per_taste: int = 20,
    per_customer: int = 12,
    days: int = 30,
    seed: int = 0,
) -> pd.DataFrame:
    """Implicit feedback with a known structure: each customer has one taste (a block of items) and takes
    about 80% of their items from it, by a skewed popularity within the block, the rest from anywhere;
    one interaction per (customer, item), spread evenly over ``days``. Integer ids, weight 1, as in a
    public data set of clicks or ratings."""
    rng = np.random.default_rng(seed)
    items = tastes * items_per_taste
    within = 1.0 / np.arange(1, items_per_taste + 1) ** 0.8
    within /= within.sum()
    rows = []
    for customer in range(customers):
        block = customer % tastes * items_per_taste
        picks = set()
        while len(picks) < per_customer:
            if rng.random() < 0.8:
                picks.add(int(block + rng.choice(items_per_taste, p=within)))
            else:
                picks.add(int(rng.integers(items)))
        rows += [(customer, item) for item in picks]
    seconds = rng.integers(0, days * 86_400, size=len(rows))
    return pd.DataFrame(
        {
            "user": [user for user, _ in rows],
            "item": [item for _, item in rows],
            "weight": 1.0,
            "occurred_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(seconds, unit="s"),
        }
    )
