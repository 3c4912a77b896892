"""The simulator's expected demand: the rate each day's units are drawn from, written beside the truth."""

from datetime import date

import numpy as np
import pandas as pd

from benchmarks.forecast import simulated_cells
from vision_assets.simulate import simulate
from vision_assets.simulate.demand_truth import EXPECTED_DEMAND_COLUMNS, EXPECTED_DEMAND_FILE


def test_the_truth_folder_holds_the_expected_demand_of_every_day_line_and_category(tmp_path):
    simulate(tmp_path / "landing", tmp_path / "truth", start=date(2026, 3, 2), days=3, scale=0.1, seed=5)
    expected = pd.read_csv(tmp_path / "truth" / EXPECTED_DEMAND_FILE)
    assert list(expected.columns) == EXPECTED_DEMAND_COLUMNS
    assert sorted(expected["demand_date"].unique()) == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert set(expected["business_line"]) == {"books", "flicks", "music", "mart"}
    assert (expected["expected_units"] >= 0).all() and expected["expected_units"].sum() > 0


def test_what_was_drawn_scatters_around_the_expected_rate_as_noise_does():
    cells, expected = simulated_cells(days=21, scale=0.5, last_day=date(2026, 10, 21))
    actual = cells.groupby(["business_line", "category"])["units"].sum()
    rate = expected.groupby(["business_line", "category"])["expected_units"].sum()
    both = pd.concat([actual.rename("actual"), rate.rename("rate")], axis=1).fillna(0.0)
    both = both[both["rate"] > 20]
    # Units come in orders of one to four (plays one at a time): the variance is at most about 3x the rate.
    z = (both["actual"] - both["rate"]) / np.sqrt(3.0 * both["rate"])
    assert len(both) >= 30
    assert z.abs().max() < 4.5
    assert abs(z.mean()) < 0.5
    by_line = both.groupby(level=0).sum()
    assert ((by_line["actual"] / by_line["rate"] - 1).abs() < 0.05).all(), by_line
