"""The pure entry point: vision_assets.predictions.forecast(history, horizon, freq) on any series."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vision_assets.predictions import forecast
from vision_assets.predictions.forecasting import OUTPUT_COLUMNS, select_models
from vision_assets.predictions.models import season_length
from vision_assets_tests.predictions_tests.conftest import weekly_demand


@pytest.mark.parametrize(
    ("freq", "season"), [("D", 7), ("W", 52), ("W-MON", 52), ("MS", 12), ("QS", 4), ("2D", 1)]
)
def test_the_season_follows_the_frequency(freq, season):
    assert season_length(freq) == season


@pytest.mark.parametrize(("freq", "periods"), [("D", 90), ("W", 130), ("MS", 48), ("QS", 24)])
def test_every_series_gets_horizon_rows_on_the_frequency_with_ordered_intervals(freq, periods, without_arima):
    rng = np.random.default_rng(1)
    dates = pd.date_range("2015-01-01", periods=periods, freq=freq)
    season = season_length(freq)
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": name,
                    "ds": dates,
                    "y": 50
                    + 10 * np.sin(2 * np.pi * np.arange(periods) / season)
                    + rng.normal(0, 2, periods),
                }
            )
            for name in ("a", "b")
        ]
    )
    result = forecast(history, 6, freq)
    assert list(result.columns) == OUTPUT_COLUMNS
    for name, rows in result.groupby("unique_id"):
        expected_dates = pd.date_range(dates[-1], periods=7, freq=freq)[1:]
        assert list(rows["ds"]) == list(expected_dates), name
    ordered = result[["yhat_lo_95", "yhat_lo_80", "yhat", "yhat_hi_80", "yhat_hi_95"]].to_numpy()
    assert np.all(np.diff(ordered, axis=1) >= -1e-9)
    assert np.isfinite(ordered).all()


def test_on_weekly_demand_the_forecast_beats_seasonal_naive_and_its_intervals_cover():
    history, truth = weekly_demand(ids=4, days=112)
    train = history[history["ds"] < history["ds"].max() - pd.Timedelta(days=27)]
    test = history.merge(truth, on=["unique_id", "ds"])
    test = test[test["ds"] > train["ds"].max()]
    result = forecast(train, 28, "D").merge(test, on=["unique_id", "ds"])
    naive = (
        train.groupby("unique_id").tail(7).assign(step=lambda frame: frame.groupby("unique_id").cumcount())
    )
    result["step"] = result.groupby("unique_id").cumcount() % 7
    result = result.merge(
        naive[["unique_id", "step", "y"]].rename(columns={"y": "naive"}), on=["unique_id", "step"]
    )
    model_error = (result["y"] - result["yhat"]).abs().mean()
    naive_error = (result["y"] - result["naive"]).abs().mean()
    floor = (result["y"] - result["expected"]).abs().mean()
    assert model_error < naive_error
    assert model_error < 1.25 * floor  # close to the noise no forecaster can beat
    inside_80 = ((result["y"] >= result["yhat_lo_80"]) & (result["y"] <= result["yhat_hi_80"])).mean()
    inside_95 = ((result["y"] >= result["yhat_lo_95"]) & (result["y"] <= result["yhat_hi_95"])).mean()
    assert 0.65 <= inside_80 <= 0.95 and 0.85 <= inside_95


def test_models_are_chosen_per_group_on_the_history_alone():
    history, _ = weekly_demand(ids=4, days=70)
    groups = pd.Series({"s0": "first", "s1": "first", "s2": "second", "s3": "second"})
    selection = select_models(history, 14, "D", groups)
    assert set(selection.scores["cutoff"]) and selection.scores["cutoff"].max() < history["ds"].max()
    assert selection.model_of["s0"] == selection.model_of["s1"]
    assert selection.model_of["s2"] == selection.model_of["s3"]


def test_demand_never_goes_below_zero_but_a_series_that_does_may():
    days = pd.date_range("2026-01-01", periods=40, freq="D")
    falling = pd.DataFrame({"unique_id": "falling", "ds": days, "y": np.linspace(40, 0, 40)})
    signed = pd.DataFrame({"unique_id": "signed", "ds": days, "y": np.linspace(20, -20, 40)})
    result = forecast(pd.concat([falling, signed]), 14, "D")
    assert (result.loc[result["unique_id"] == "falling", OUTPUT_COLUMNS[2:]] >= 0).all().all()
    assert (result.loc[result["unique_id"] == "signed", "yhat"] < 0).any()


def test_a_series_too_short_to_backtest_still_gets_a_forecast():
    history = pd.DataFrame(
        {"unique_id": "new", "ds": pd.date_range("2026-01-01", periods=4), "y": [3.0, 5, 4, 6]}
    )
    result = forecast(history, 3, "D")
    assert len(result) == 3 and result["yhat"].notna().all()


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (pd.DataFrame({"unique_id": ["a"], "ds": ["2026-01-01"]}), "missing \\['y'\\]"),
        (
            pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2026-01-01"] * 2, "y": [1.0, 2.0]}),
            "share a \\(unique_id, ds\\), first 'a'",
        ),
        (
            pd.DataFrame(
                {"unique_id": ["a"] * 3, "ds": ["2026-01-01", "2026-01-02", "2026-01-04"], "y": [1.0, 2, 3]}
            ),
            "series 'a' is not regular on freq 'D': first missing 2026-01-03",
        ),
        (
            pd.DataFrame({"unique_id": ["b"] * 2, "ds": ["2026-01-01", "2026-01-02"], "y": [1.0, np.nan]}),
            "missing or infinite in 1 rows, first in series 'b'",
        ),
        (pd.DataFrame({"unique_id": ["a"], "ds": ["2026-01-01"], "y": ["ten"]}), "y must be numeric"),
    ],
)
def test_bad_history_is_refused_with_the_series_named(history, message):
    with pytest.raises(ValueError, match=message):
        forecast(history, 3, "D")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lengths=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=3),
    horizon=st.integers(min_value=1, max_value=10),
    freq=st.sampled_from(["D", "W", "MS"]),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_any_regular_history_gets_exactly_horizon_finite_rows_per_series(lengths, horizon, freq, seed):
    rng = np.random.default_rng(seed)
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": number,
                    "ds": pd.date_range("2020-01-01", periods=length, freq=freq),
                    "y": rng.gamma(2.0, 10.0, length),
                }
            )
            for number, length in enumerate(lengths)
        ]
    )
    result = forecast(history, horizon, freq)
    assert result.groupby("unique_id").size().to_dict() == {number: horizon for number in range(len(lengths))}
    assert np.isfinite(result[OUTPUT_COLUMNS[2:]].to_numpy()).all()
    last = history.groupby("unique_id")["ds"].max()
    first_ahead = result.groupby("unique_id")["ds"].min()
    assert all(
        first_ahead[number] == pd.date_range(last[number], periods=2, freq=freq)[1] for number in last.index
    )
