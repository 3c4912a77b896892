from datetime import date
from pathlib import Path

import pytest

from vision_assets.simulate import simulate

FIRST_DAY = date(2026, 3, 1)
SIMULATED_DAYS = 3


@pytest.fixture(scope="session")
def simulated_landing(tmp_path_factory) -> Path:
    """Three small simulated days, written once for the whole session; tests copy before they mutate."""
    root = tmp_path_factory.mktemp("simulated")
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=SIMULATED_DAYS, scale=0.2, seed=11)
    return root / "landing"
