"""ParentAnnualETS: AnnualETS with the annual shape read from the series' parent (annual.py)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vision_assets.calendar import black_friday
from vision_assets.predictions import boosting
from vision_assets.predictions.annual import ANNUAL_ETS, PARENT_ANNUAL_ETS, run_annual_ets
from vision_assets.predictions.boosting import LIGHTGBM
from vision_assets.predictions.combinations import COMBINATIONS
from vision_assets.predictions.forecasting import Selection, predict, select_models
from vision_assets_tests.predictions_tests.conftest import WEEKLY

ORIGIN = pd.Timestamp("2026-11-04")  # four weeks ahead reach Black Friday and the run-up to Christmas
HORIZON = 28
QUIET_WEEK = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9])


def family(children: int = 4, level: float = 12.0, seed: int = 0, lifts: tuple = ()):
    """(history of ``children`` small series and their sum "parent" through ORIGIN, the expected rate of each
    child over the next HORIZON days). The children share one annual shape (a year-end peak and a swing)
    and differ in level, weekly rhythm and Black Friday lift (``lifts[i]``, else none)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-09-01", ORIGIN + pd.Timedelta(days=HORIZON), freq="D")
    day_of_year = days.dayofyear.to_numpy()
    season = (
        1
        + 0.3 * np.exp(-(((day_of_year - 355) / 18.0) ** 2))
        + 0.1 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    )
    fridays = np.array([day.date() == black_friday(day.year) for day in days])
    frames = []
    for child in range(children):
        weekly = WEEKLY if child % 2 == 0 else QUIET_WEEK
        lift = lifts[child] if child < len(lifts) else 1.0
        rate = level * (1 + 0.25 * child) * weekly[days.dayofweek] * season * np.where(fridays, lift, 1.0)
        frames.append(
            pd.DataFrame({"unique_id": f"child{child}", "ds": days, "y": rng.poisson(rate), "rate": rate})
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["y"] = frame["y"].astype(float)
    parent = frame.groupby("ds", as_index=False)[["y", "rate"]].sum().assign(unique_id="parent")
    frame = pd.concat([frame, parent], ignore_index=True)
    history = frame[frame["ds"] <= ORIGIN][["unique_id", "ds", "y"]].reset_index(drop=True)
    ahead = frame[frame["ds"] > ORIGIN][["unique_id", "ds", "rate"]].reset_index(drop=True)
    return history, ahead, {f"child{child}": "parent" for child in range(children)}


def test_small_children_forecast_closer_to_their_rate_with_their_parents_annual_shape():
    # Each child's own year is a few counts a day: its own Fourier fit is noisy, its parent's is not.
    errors = {ANNUAL_ETS: [], PARENT_ANNUAL_ETS: []}
    for seed in range(4):
        history, ahead, parents = family(children=6, level=6.0, seed=seed)
        forecast = run_annual_ets("forecast", history, "D", HORIZON, parent_of=parents)
        forecast = forecast[forecast["unique_id"] != "parent"].merge(ahead, on=["unique_id", "ds"])
        for model, found in errors.items():
            found.append((forecast[model] - forecast["rate"]).abs().mean())
    assert np.mean(errors[PARENT_ANNUAL_ETS]) < 0.85 * np.mean(errors[ANNUAL_ETS])


def test_a_child_keeps_its_own_black_friday_and_weekday():
    history, _, parents = family(level=40.0, seed=4, lifts=(2.5,))
    forecast = run_annual_ets("forecast", history, "D", HORIZON, parent_of=parents)
    by_day = forecast.pivot(index="ds", columns="unique_id", values=PARENT_ANNUAL_ETS)
    friday = pd.Timestamp(black_friday(2026))
    week_before = friday - pd.Timedelta(days=7)
    assert by_day.loc[friday, "child0"] > 1.8 * by_day.loc[week_before, "child0"]  # its own spike
    assert 0.85 < by_day.loc[friday, "child2"] / by_day.loc[week_before, "child2"] < 1.15  # none of its own
    # child1's quiet weekend is its own, not its parent's busy one.
    saturdays = by_day.index.dayofweek == 5
    tuesdays = by_day.index.dayofweek == 1
    assert by_day.loc[saturdays, "child1"].mean() < by_day.loc[tuesdays, "child1"].mean()


def test_a_series_without_a_parent_in_the_batch_gets_its_own_annualets():
    history, _, parents = family(children=2, seed=5)
    orphaned = {**parents, "parent": "not_in_the_history"}
    forecast = run_annual_ets("forecast", history, "D", HORIZON, parent_of=orphaned)
    top = forecast[forecast["unique_id"] == "parent"]
    for suffix in ("", "-lo-80", "-hi-80", "-lo-95", "-hi-95"):
        np.testing.assert_array_equal(top[PARENT_ANNUAL_ETS + suffix], top[ANNUAL_ETS + suffix])
    children = forecast[forecast["unique_id"] != "parent"]
    assert not np.allclose(children[PARENT_ANNUAL_ETS], children[ANNUAL_ETS])
    assert PARENT_ANNUAL_ETS not in run_annual_ets("forecast", history, "D", HORIZON).columns


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(min_value=0.0, max_value=5.0), days_changed=st.integers(min_value=1, max_value=28))
def test_a_backtest_window_reads_its_parent_only_up_to_its_origin(scale, days_changed):
    history, _, parents = family(children=2, seed=6)
    windows = {"n_windows": 2, "step_size": HORIZON}
    before = run_annual_ets("cross_validation", history, "D", HORIZON, **windows, parent_of=parents)
    first_cutoff = before["cutoff"].min()
    changed = history.copy()
    parent_after = changed.index[(changed["unique_id"] == "parent") & (changed["ds"] > first_cutoff)]
    changed.loc[parent_after[:days_changed], "y"] *= scale
    again = run_annual_ets("cross_validation", changed, "D", HORIZON, **windows, parent_of=parents)
    first = before[before["cutoff"] == first_cutoff].drop(columns="y").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        first, again[again["cutoff"] == first_cutoff].drop(columns="y").reset_index(drop=True)
    )
    last = before["cutoff"] == before["cutoff"].max()
    child = before[last & (before["unique_id"] == "child0")][PARENT_ANNUAL_ETS].to_numpy()
    child_again = again[(again["cutoff"] == before["cutoff"].max()) & (again["unique_id"] == "child0")]
    if scale != 1.0:  # the later window does read the changed parent
        assert not np.allclose(child, child_again[PARENT_ANNUAL_ETS].to_numpy())


def test_it_is_a_candidate_only_where_the_caller_says_which_series_belong_to_which(
    without_arima, monkeypatch
):
    monkeypatch.setattr(boosting, "fits", lambda *arguments: False)  # LightGBM's cost; its mean is below
    history, _, parents = family(children=2, level=40.0, seed=7)
    # Without a hierarchy (the pure entry point's case) run_annual_ets leaves it out: see the orphan test.
    hierarchical = select_models(history, HORIZON, "D", parent_of=parents)
    assert {PARENT_ANNUAL_ETS, PARENT_ANNUAL_ETS + " share"} <= set(hierarchical.scores["model"])
    assert COMBINATIONS["ParentAnnualLightGBM"] == (PARENT_ANNUAL_ETS, LIGHTGBM)


def test_a_reused_choice_forecasts_exactly_the_candidate(without_arima):
    history, _, parents = family(children=2, seed=8)
    selection = Selection(
        model_of=dict.fromkeys(["child0", "child1", "parent"], PARENT_ANNUAL_ETS), season_of={}
    )
    selection.season_of = dict.fromkeys(selection.model_of, 7)
    forecast = predict(history, HORIZON, "D", selection, parents)
    expected = run_annual_ets("forecast", history, "D", HORIZON, parent_of=parents)
    merged = forecast.merge(expected, on=["unique_id", "ds"])
    np.testing.assert_allclose(merged["yhat"], np.maximum(merged[PARENT_ANNUAL_ETS], 0.0), rtol=1e-9)
    assert selection.model_of["child0"] == PARENT_ANNUAL_ETS
