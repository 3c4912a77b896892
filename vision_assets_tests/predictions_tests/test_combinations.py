"""Forecast combinations: the mean of members of different families, offered when all members are."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.predictions.annual import ANNUAL_ETS, run_annual_ets
from vision_assets.predictions.boosting import LIGHTGBM, run_lightgbm
from vision_assets.predictions.combinations import COMBINATIONS, unfit_with, with_combinations, with_members
from vision_assets.predictions.forecasting import DEFAULT_MODEL, Selection, predict
from vision_assets.predictions.models import LEVELS
from vision_assets_tests.predictions_tests.test_annual import HORIZON, annual_demand

BOUNDS = [f"-{side}-{level}" for level in LEVELS for side in ("lo", "hi")]


def members_output(members, rows: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"unique_id": "s", "ds": pd.date_range("2026-01-01", periods=rows)})
    for member in members:
        frame[member] = rng.uniform(10, 20, rows)
        for suffix in BOUNDS:
            frame[member + suffix] = frame[member] + (-1 if "-lo-" in suffix else 1) * rng.uniform(1, 5, rows)
    return frame


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_a_combination_is_the_mean_of_its_members_forecasts_and_bounds(name):
    members = COMBINATIONS[name]
    output = with_combinations(members_output(members))
    expected = output[list(members)].mean(axis=1)
    np.testing.assert_allclose(output[name], expected)
    for suffix in BOUNDS:
        np.testing.assert_allclose(output[name + suffix], output[[m + suffix for m in members]].mean(axis=1))


def test_a_combination_is_offered_only_when_all_its_members_are():
    output = with_combinations(members_output(["AutoTheta", LIGHTGBM]))
    assert not set(COMBINATIONS) & set(output.columns)


def test_forecasting_a_combination_fits_its_members_and_a_member_unfit_rules_it_out():
    assert with_members({"AnnualLightGBM"}) == {"AnnualLightGBM", ANNUAL_ETS, LIGHTGBM}
    assert with_members({"AutoTheta"}) == {"AutoTheta"}
    assert unfit_with({LIGHTGBM}) == {LIGHTGBM, *COMBINATIONS}
    assert unfit_with(set()) == set()


def test_a_chosen_combination_forecasts_the_mean_of_its_members_fitted_on_the_whole_history():
    history, _ = annual_demand(seed=7)
    selection = Selection(model_of={"line": "AnnualLightGBM"}, season_of={"line": 7})
    forecast = predict(history, HORIZON, "D", selection)
    yearly = run_annual_ets("forecast", history, "D", HORIZON)
    learned = run_lightgbm("forecast", history, "D", 7, HORIZON)
    both = yearly.merge(learned, on=["unique_id", "ds"])
    np.testing.assert_allclose(forecast["yhat"], (both[ANNUAL_ETS] + both[LIGHTGBM]) / 2, rtol=1e-9)
    assert selection.model_of == {"line": "AnnualLightGBM"}


def test_a_combination_reused_on_a_history_too_short_for_a_member_falls_back_to_the_default(without_arima):
    history, _ = annual_demand(first_day="2026-03-01", seed=8)
    selection = Selection(model_of={"line": "AnnualLightGBM"}, season_of={"line": 7})
    forecast = predict(history, HORIZON, "D", selection)
    assert selection.model_of == {"line": DEFAULT_MODEL}
    assert len(forecast) == HORIZON and forecast["yhat"].notna().all()
