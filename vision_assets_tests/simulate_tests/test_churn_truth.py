"""The simulator's churn truth: each membership's true daily risk of ending, as the simulator draws it."""

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vision_assets.simulate import memberships, simulate
from vision_assets.simulate.churn_inputs import simulated_marts
from vision_assets.simulate.churn_truth import (
    MEMBERSHIP_HAZARD_COLUMNS,
    MEMBERSHIP_HAZARD_FILE,
    expected_cancel_hazard,
)
from vision_assets.simulate.memberships import RETRY_AFTER_DAYS, RETRY_SUCCESS_RATE

START = date(2026, 10, 1)
DAYS = 20


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A small simulation, with the sum of the cancel hazards ``MembershipBook.step`` drew against."""
    root = tmp_path_factory.mktemp("churn_truth")
    drawn = []
    draw = memberships.cancel_hazard

    def recorded(engagement):
        hazard = draw(engagement)
        drawn.append(float(hazard.sum()))
        return hazard

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memberships, "cancel_hazard", recorded)
        simulate(root / "landing", root / "truth", start=START, days=DAYS, scale=0.3, seed=5)
    hazards = pd.read_parquet(root / "truth" / MEMBERSHIP_HAZARD_FILE)
    return {"root": root, "hazards": hazards, "drawn": sum(drawn)}


def _at_risk_of_cancelling(hazards: pd.DataFrame) -> pd.Series:
    # The simulator draws no cancellation on a charge's day, nor while a failed one awaits its retry.
    pending_retry = hazards["charge_day"] == hazards["lapse_day"]
    return (hazards["charge_day"] > hazards["day"]) & ~pending_retry


def test_the_expected_hazard_is_the_mean_over_the_days_engagement_draw():
    rng = np.random.default_rng(0)
    expected_events = np.array([0.0, 0.05, 0.4, 1.5, 6.0])
    usual = np.array([0.3, 0.1, 0.5, 0.9, 0.2])
    per_event = 0.5 / 0.4
    draws = rng.poisson(expected_events, size=(400_000, len(expected_events)))
    simulated = memberships.cancel_hazard(per_event * draws + usual).mean(axis=0)
    exact = expected_cancel_hazard(expected_events, per_event, usual)
    np.testing.assert_allclose(exact, simulated, rtol=2e-3)
    assert exact[0] == pytest.approx(memberships.cancel_hazard(usual[:1])[0])


def test_the_truth_holds_every_membership_active_as_each_day_starts(simulated):
    hazards = simulated["hazards"]
    assert list(hazards.columns) == MEMBERSHIP_HAZARD_COLUMNS
    assert hazards["cancel_hazard"].between(0, 1).all() and hazards["lapse_chance"].between(0, 1).all()
    assert (hazards["charge_day"] >= hazards["day"]).all()
    assert (hazards["lapse_day"] >= hazards["charge_day"]).all()
    renewals = hazards[hazards["charge_day"] < hazards["lapse_day"]]
    assert (renewals["lapse_day"] - renewals["charge_day"] == pd.Timedelta(days=RETRY_AFTER_DAYS)).all()
    days, _, _ = simulated_marts(simulated["root"] / "landing", simulated["root"] / "truth")
    active = days[days["is_active"]]
    for day in pd.date_range(pd.Timestamp(START) + pd.Timedelta(days=1), periods=DAYS - 1):
        truth = hazards[hazards["day"] == day]
        keys = set(truth["business_line"] + ":" + truth["membership"])
        assert keys == set(active.loc[active["status_date"] == day - pd.Timedelta(days=1), "membership_key"])


def test_the_recorded_hazard_is_what_the_simulator_drew_against(simulated):
    hazards = simulated["hazards"]
    expected = hazards.loc[_at_risk_of_cancelling(hazards), "cancel_hazard"].sum()
    # Each day's drawn hazard differs from its expectation by that day's engagement luck; summed over
    # tens of thousands of member-days the two agree closely.
    assert expected == pytest.approx(simulated["drawn"], rel=0.02)


def test_memberships_end_only_as_the_truth_allows(simulated):
    landing = simulated["root"] / "landing"
    changes = pd.concat(
        [
            pd.read_csv(path, dtype=str).set_axis(
                ["membership", "account", "plan", "status", "started", "ended", "changed"], axis=1
            ).assign(business_line=path.parts[-4])
            for path in sorted(Path(landing).glob("*/memberships/*/*.csv"))
        ],
        ignore_index=True,
    )
    endings = changes[changes["status"] != "active"].assign(
        day=lambda frame: pd.to_datetime(frame["changed"]).dt.normalize()
    )
    truth = simulated["hazards"].merge(endings, on=["business_line", "membership", "day"], how="inner")
    assert len(truth) == len(endings) > 20
    cancelled = truth[truth["status"] == "cancelled"]
    lapsed = truth[truth["status"] == "lapsed"]
    assert _at_risk_of_cancelling(cancelled).all()
    assert (lapsed["lapse_day"] == lapsed["day"]).all() and (lapsed["charge_day"] == lapsed["day"]).all()
    assert np.allclose(lapsed["lapse_chance"], 1.0 - RETRY_SUCCESS_RATE)
