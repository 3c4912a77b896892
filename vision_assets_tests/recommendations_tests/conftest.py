"""Small hand-made interaction frames the algorithm tests share."""

import pandas as pd
import pytest

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
