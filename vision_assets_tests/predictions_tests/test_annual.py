"""The annual candidate: AutoETS on demand with the day's place in the year taken out first (annual.py)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vision_assets.calendar import black_friday
from vision_assets.predictions import annual
from vision_assets.predictions.annual import ANNUAL_ETS, MIN_DAYS, fits, run_annual_ets
from vision_assets.predictions.forecasting import DEFAULT_MODEL, Selection, predict, select_models
from vision_assets.predictions.models import run_statsforecast
from vision_assets_tests.predictions_tests.conftest import WEEKLY

ORIGIN = pd.Timestamp("2026-11-04")  # four weeks ahead reach Black Friday (27 November) and Cyber Monday
HORIZON = 28


def annual_demand(
    first_day: str = "2024-09-01",
    last_day: pd.Timestamp = ORIGIN,
    seed: int = 0,
    weekly: np.ndarray = WEEKLY,
    black_friday_lift: float = 2.5,
):
    """(history through ``last_day``, the expected rate of the next HORIZON days): Poisson demand around a
    weekly rhythm, an annual swing with a year-end peak, Black Friday at 2.5 times a day (by default), and
    growth."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(first_day, last_day + pd.Timedelta(days=HORIZON), freq="D")
    day_of_year = days.dayofyear.to_numpy()
    season = (
        1
        + 0.3 * np.exp(-(((day_of_year - 355) / 18.0) ** 2))
        + 0.1 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    )
    fridays = np.array([day.date() == black_friday(day.year) for day in days])
    growth = 1 + 0.0005 * np.arange(len(days))
    rate = 150.0 * weekly[days.dayofweek] * season * np.where(fridays, black_friday_lift, 1.0) * growth
    frame = pd.DataFrame(
        {"unique_id": "line", "ds": days, "y": rng.poisson(rate).astype(float), "rate": rate}
    )
    history = frame[frame["ds"] <= last_day][["unique_id", "ds", "y"]].reset_index(drop=True)
    ahead = frame[frame["ds"] > last_day][["unique_id", "ds", "rate"]].reset_index(drop=True)
    return history, ahead


def test_it_learns_last_years_calendar_where_weekly_ets_cannot():
    history, ahead = annual_demand()
    forecast = run_annual_ets("forecast", history, "D", HORIZON).merge(ahead, on=["unique_id", "ds"])
    weekly_only = run_statsforecast("forecast", history, "D", weekly_ets_alone(), h=HORIZON)
    weekly_only = weekly_only.merge(ahead, on=["unique_id", "ds"])
    annual_error = (forecast[ANNUAL_ETS] - forecast["rate"]).abs().mean()
    weekly_error = (weekly_only["AutoETS"] - weekly_only["rate"]).abs().mean()
    assert annual_error < 0.5 * weekly_error
    # Black Friday, seen once a year before, is forecast as the spike it is against the Friday before.
    by_day = forecast.set_index("ds")[ANNUAL_ETS]
    friday = pd.Timestamp(black_friday(2026))
    assert by_day[friday] > 1.8 * by_day[friday - pd.Timedelta(days=7)]


def test_a_fridays_own_rhythm_is_not_read_as_black_fridays():
    busy_fridays = np.array([0.8, 0.8, 0.8, 0.8, 1.8, 1.0, 1.0])
    history, _ = annual_demand(seed=6, weekly=busy_fridays, black_friday_lift=1.0)
    by_day = run_annual_ets("forecast", history, "D", HORIZON).set_index("ds")[ANNUAL_ETS]
    friday = pd.Timestamp(black_friday(2026))
    # Black Friday is an ordinary (busy) Friday here: forecast like the Friday before, not 1.8 times it.
    assert 0.85 < by_day[friday] / by_day[friday - pd.Timedelta(days=7)] < 1.15


def weekly_ets_alone() -> list:
    """ETS of the kind AnnualETS uses (weekly season, additive trend) on the demand as it is, year and all."""
    from statsforecast.models import AutoETS

    return [AutoETS(season_length=7, model="ZAA", damped=False)]


def test_its_bounds_are_ordered_around_the_forecast_for_every_step():
    history, _ = annual_demand(seed=1)
    forecast = run_annual_ets("forecast", history, "D", HORIZON)
    assert len(forecast) == HORIZON and forecast["ds"].min() == ORIGIN + pd.Timedelta(days=1)
    ordered = ["-lo-95", "-lo-80", "", "-hi-80", "-hi-95"]
    values = forecast[[ANNUAL_ETS + suffix for suffix in ordered]].to_numpy()
    assert np.isfinite(values).all()
    assert (np.diff(values, axis=1) >= 0).all()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(min_value=0.0, max_value=5.0), days_changed=st.integers(min_value=1, max_value=28))
def test_a_backtest_window_is_fitted_only_on_the_days_up_to_its_origin(scale, days_changed):
    history, _ = annual_demand(seed=2)
    windows = {"n_windows": 2, "step_size": HORIZON}
    before = run_annual_ets("cross_validation", history, "D", HORIZON, **windows)
    first_cutoff = before["cutoff"].min()
    changed = history.copy()
    after_cutoff = changed.index[changed["ds"] > first_cutoff][:days_changed]
    changed.loc[after_cutoff, "y"] = changed.loc[after_cutoff, "y"] * scale
    again = run_annual_ets("cross_validation", changed, "D", HORIZON, **windows)
    first = before["cutoff"] == first_cutoff
    pd.testing.assert_frame_equal(
        before[first].drop(columns="y").reset_index(drop=True),
        again[again["cutoff"] == first_cutoff].drop(columns="y").reset_index(drop=True),
    )
    assert sorted(before["cutoff"].unique()) == [
        first_cutoff,
        history["ds"].max() - pd.Timedelta(days=HORIZON),
    ]


@pytest.mark.parametrize(
    "shortest, freq, non_negative, offered",
    [
        (MIN_DAYS, "D", True, True),
        (MIN_DAYS - 1, "D", True, False),  # the year is not yet seen once before it is extrapolated
        (MIN_DAYS, "D", False, False),  # the log needs demand that never goes below zero
        (MIN_DAYS, "W", True, False),  # weekly data carry the year as their season already
        (MIN_DAYS, "2D", True, False),
    ],
)
def test_it_is_offered_on_daily_never_negative_series_of_more_than_a_year(
    shortest, freq, non_negative, offered
):
    assert fits(shortest, freq, non_negative) is offered


def test_the_backtest_chooses_it_on_demand_with_an_annual_calendar(without_arima):
    history, _ = annual_demand(seed=3)
    selection = select_models(history, HORIZON, "D")
    assert ANNUAL_ETS in set(selection.scores["model"])
    assert selection.model_of == {"line": ANNUAL_ETS}


def test_a_history_shorter_than_a_year_leaves_it_out(without_arima):
    history, _ = annual_demand(first_day="2026-01-01", seed=4)
    assert len(history) < annual.MIN_DAYS + 3 * HORIZON
    selection = select_models(history, HORIZON, "D")
    assert ANNUAL_ETS not in set(selection.scores["model"])


def test_a_choice_reused_on_a_history_too_short_for_it_falls_back_to_the_default_model(without_arima):
    history, _ = annual_demand(first_day="2026-03-01", seed=5)
    selection = Selection(model_of={"line": ANNUAL_ETS}, season_of={"line": 7})
    forecast = predict(history, HORIZON, "D", selection)
    assert selection.model_of == {"line": DEFAULT_MODEL}
    assert len(forecast) == HORIZON and forecast["yhat"].notna().all()


def test_its_origins_count_back_from_each_series_own_last_day_as_statsforecasts_do():
    history, _ = annual_demand(seed=9)
    both = pd.concat([history, history.iloc[:-10].assign(unique_id="ends_earlier")], ignore_index=True)
    windows = {"n_windows": 2, "step_size": HORIZON}
    ours = run_annual_ets("cross_validation", both, "D", HORIZON, **windows)
    theirs = run_statsforecast("cross_validation", both, "D", weekly_ets_alone(), h=HORIZON, **windows)
    key = ["unique_id", "ds", "cutoff", "y"]
    pd.testing.assert_frame_equal(
        ours[key].sort_values(key).reset_index(drop=True),
        theirs[key].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    assert ours[ANNUAL_ETS].notna().all()
