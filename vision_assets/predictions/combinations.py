"""Forecast combinations across the model families: the mean of their members' forecasts and bounds.

Averaging forecasts of different kinds is the most dependable gain the forecasting competitions have
shown (most of M4's best entries combined methods; Makridakis, Spiliotis and Assimakopoulos 2020), because
their errors differ. ``models.py``'s Ensemble averages the statistical models with one another; this
averages the annual candidate (``annual.py``) with the learned one (``boosting.py``). It is a candidate like
any other, offered when all its members are, and chosen only when the backtest favours it. Its bounds are
the mean of its members' bounds, as the Ensemble's are: an approximation that keeps each member's width.

Which combinations, chosen on the simulated two years of validation seeds (the backtest's Chosen, over its
last three origins, as a ratio to the simulator's noise floor; ``benchmarks/forecast.py`` is the test). On
seeds 11 and 23, without combinations the categories stayed at 1.31 and 1.33 (AutoTheta chosen); with the
mean of AnnualETS and LightGBM and that of AnnualETS, AutoTheta and LightGBM, 1.16 and 1.18, the company
1.21 and 1.26 (from 1.38 and 1.52) and the lines 1.17 and 1.18. AnnualETS with AutoTheta alone was never
chosen. Once the categories could take their line's forecast by share (``shares.py``), the one with
AutoTheta no longer helped them, and where it was chosen for a line or the company it failed in the
window holding Black Friday and the year-end rise, which AutoTheta does not know: on seed 31 it took the
lines to 1.30 and the company to 1.79 times the floor. Without it, seed 31 came to 1.17 and 1.28 (the
categories 1.12 to 1.10), and seeds 11 and 23 moved by 0.002 at most. So only AnnualETS with LightGBM
is offered.
"""

import pandas as pd

from vision_assets.predictions.annual import ANNUAL_ETS, PARENT_ANNUAL_ETS
from vision_assets.predictions.boosting import LIGHTGBM
from vision_assets.predictions.models import with_mean_forecast

COMBINATIONS = {
    "AnnualLightGBM": (ANNUAL_ETS, LIGHTGBM),
    "ParentAnnualLightGBM": (PARENT_ANNUAL_ETS, LIGHTGBM),
}


def with_combinations(frame: pd.DataFrame) -> pd.DataFrame:
    """Add every combination whose members all have forecasts in ``frame`` (a candidates' output)."""
    for name, members in COMBINATIONS.items():
        if all(member in frame.columns for member in members):
            frame = with_mean_forecast(frame, name, members)
    return frame


def with_members(models: set[str]) -> set[str]:
    """``models`` and the members of the combinations among them (what must be fitted to forecast them)."""
    wanted = set(models)
    for name in models & set(COMBINATIONS):
        wanted |= set(COMBINATIONS[name])
    return wanted


def unfit_with(unfit: set[str]) -> set[str]:
    """``unfit`` and the combinations with a member among them."""
    return unfit | {name for name, members in COMBINATIONS.items() if unfit & set(members)}
