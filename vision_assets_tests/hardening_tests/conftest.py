"""The hardening tests damage copies of the raw tests' simulated days (the session fixture is shared)."""

from datetime import timedelta

from vision_assets_tests.raw_tests.conftest import FIRST_DAY, simulated_landing  # noqa: F401 (a fixture)

# The day the faults are injected into: its books orders have a dozen rows, enough to damage three.
DAY = FIRST_DAY + timedelta(days=1)
