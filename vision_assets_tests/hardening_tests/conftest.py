from datetime import date
from pathlib import Path

import pytest

from vision_assets.simulate import simulate

DAY = date(2026, 3, 1)
DAYS = 2


@pytest.fixture(scope="session")
def pristine_landing(tmp_path_factory) -> Path:
    """Two small simulated days, written once; every test copies them before it damages anything."""
    root = tmp_path_factory.mktemp("pristine")
    simulate(root / "landing", root / "truth", start=DAY, days=DAYS, scale=0.5, seed=5)
    return root / "landing"
