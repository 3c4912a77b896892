"""The churn model against its ceiling: the simulator's true probabilities, scored on the same holdout.

The fast tests check the measures on hand-made data; the slow ones simulate 90 days of the four
businesses (the demo's seed and scale) and hold the model to within 0.03 AUC of the ceiling, with
probabilities better than the base rate's.
"""

from datetime import date

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from vision_assets.recommendations.assets.churn_scores import churn_scores
from vision_assets.recommendations.churn import (
    ChurnModel,
    brier_score,
    calibration_table,
    measure_ceiling,
    train_churn_model,
    true_ending_probability,
)
from vision_assets.simulate import simulate
from vision_assets.simulate.churn_inputs import simulated_marts
from vision_assets.simulate.churn_truth import MEMBERSHIP_HAZARD_FILE

from .test_churn import synthetic_history

SNAPSHOT = pd.Timestamp("2026-10-01")
MAX_AUC_BELOW_CEILING = 0.03


def hazard_rows(keys, snapshot, hazard, charge_in_days, lapse_chance, lapse_in_days) -> pd.DataFrame:
    """Truth rows for memberships 'flicks:<key>' active at the end of ``snapshot``; days after it."""
    return pd.DataFrame(
        {
            "day": snapshot + pd.Timedelta(days=1),
            "business_line": "flicks",
            "membership": keys,
            "cancel_hazard": hazard,
            "charge_day": snapshot + pd.to_timedelta(charge_in_days, unit="D"),
            "lapse_chance": lapse_chance,
            "lapse_day": snapshot + pd.to_timedelta(lapse_in_days, unit="D"),
        }
    )


def test_the_true_probability_carries_the_daily_hazard_over_the_days_at_risk_and_lapses_within():
    hazards = hazard_rows(
        ["M1", "M2", "M3"], SNAPSHOT, 0.01, charge_in_days=[2, 5, 20], lapse_chance=[0.45, 0.018, 0.018],
        lapse_in_days=[2, 8, 23],
    )
    keys = [f"flicks:M{number}" for number in range(1, 5)]
    snapshots = pd.DataFrame({"membership_key": keys, "snapshot_date": SNAPSHOT})
    probability = true_ending_probability(hazards, snapshots, horizon_days=7)
    assert probability[0] == pytest.approx(1 - 0.99**5 * 0.55)  # no cancelling until the retry, 2 days on
    assert probability[1] == pytest.approx(1 - 0.99**6)  # not on the renewal's day; a lapse after the horizon
    assert probability[2] == pytest.approx(1 - 0.99**7)
    assert np.isnan(probability[3])  # not in the truth


def _holdout_scored_by_the_truth(count: int = 4000):
    rng = np.random.default_rng(3)
    keys = [f"M{number}" for number in range(count)]
    charge_in_days = rng.integers(1, 40, count)
    hazard = rng.uniform(0.001, 0.03, count)
    hazards = hazard_rows(keys, SNAPSHOT, hazard, charge_in_days, 0.018, charge_in_days + 3)
    holdout = pd.DataFrame(
        {
            "membership_key": [f"flicks:{key}" for key in keys],
            "business_line": "flicks",
            "snapshot_date": SNAPSHOT,
        }
    )
    truth = true_ending_probability(hazards, holdout, horizon_days=7).to_numpy()
    holdout["ended"] = rng.random(count) < truth
    return hazards, holdout, truth, rng


def test_scores_equal_to_the_truth_reach_the_ceiling_and_noisier_ones_fall_short():
    hazards, holdout, truth, rng = _holdout_scored_by_the_truth()
    knows_the_truth = ChurnModel(None, 7, holdout=holdout.assign(probability=truth))
    ceiling = measure_ceiling(knows_the_truth, hazards)
    assert ceiling.note == ""
    assert ceiling.auc == pytest.approx(roc_auc_score(holdout["ended"], truth), abs=1e-12)
    assert ceiling.brier == pytest.approx(brier_score(holdout["ended"], truth))
    guesses = truth * rng.lognormal(0.0, 1.0, len(truth))
    assert roc_auc_score(holdout["ended"], guesses) < ceiling.auc - 0.03


def test_a_truth_that_describes_another_history_measures_no_ceiling():
    hazards, holdout, truth, _ = _holdout_scored_by_the_truth()
    model = ChurnModel(None, 7, holdout=holdout.assign(probability=truth))
    ceiling = measure_ceiling(model, hazards.iloc[1:])
    assert np.isnan(ceiling.auc) and "does not describe this history" in ceiling.note
    later = hazards.assign(day=hazards["day"] + pd.Timedelta(days=1))
    assert np.isnan(measure_ceiling(model, later).auc)


def test_the_calibration_table_shows_calibrated_probabilities_agreeing_with_what_happened():
    rng = np.random.default_rng(5)
    probability = rng.uniform(0.01, 0.3, 100_000)
    ended = rng.random(len(probability)) < probability
    table = calibration_table(ended, probability)
    assert list(table["bin"]) == list(range(1, 11)) and (table["memberships"] == 10_000).all()
    assert (table["mean_probability"] - table["ending_rate"]).abs().max() < 0.01
    assert brier_score(ended, probability) < brier_score(ended, np.full(len(ended), ended.mean()))
    doubled = calibration_table(ended, 2 * probability)
    assert (doubled["mean_probability"] - doubled["ending_rate"]).abs().max() > 0.1


def _materialize(memberships, engagement, billing) -> tuple[dict, dg.AssetCheckResult]:
    bridge = pd.concat([memberships, engagement])[["account_key", "customer_key"]].drop_duplicates()
    output, check = churn_scores(
        dg.build_asset_context(),
        memberships=memberships,
        engagement=engagement,
        billing=billing,
        bridge=bridge,
    )
    return output.metadata, check


def test_the_asset_records_brier_scores_and_calibration_and_no_ceiling_without_the_simulator(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    metadata, check = _materialize(*synthetic_history(days=70))
    assert check.passed
    assert metadata["holdout_brier"].value < metadata["base_rate_brier"].value
    calibration = metadata["calibration"].value
    assert "share that ended" in calibration and len(calibration.splitlines()) == 2 + 10
    assert metadata["ceiling"].value.startswith("not measured: no simulator truth")
    assert "ceiling_auc" not in metadata


@pytest.fixture(scope="module")
def simulated_history(tmp_path_factory):
    """90 days of the demo's world (seed 7, scale 1), the churn inputs as the marts hold them, the truth."""
    root = tmp_path_factory.mktemp("churn_ceiling")
    simulate(root / "landing", root / "simulator_truth", start=date(2026, 9, 4), days=90, scale=1.0, seed=7)
    inputs = simulated_marts(root / "landing", root / "simulator_truth")
    hazards = pd.read_parquet(root / "simulator_truth" / MEMBERSHIP_HAZARD_FILE)
    return {"root": root, "inputs": inputs, "hazards": hazards, "model": train_churn_model(*inputs)}


@pytest.mark.long
def test_the_model_comes_within_003_auc_of_the_ceiling_on_90_simulated_days(simulated_history):
    model = simulated_history["model"]
    ceiling = measure_ceiling(model, simulated_history["hazards"])
    assert ceiling.note == ""
    assert model.horizon_days == 27 and model.holdout_endings > 3000
    # Churn is mostly chance: even the true probabilities rank modestly.
    assert 0.6 < ceiling.auc < 0.75
    assert ceiling.auc - model.holdout_auc < MAX_AUC_BELOW_CEILING


@pytest.mark.long
def test_its_probabilities_are_calibrated_on_the_later_period(simulated_history):
    model = simulated_history["model"]
    ceiling = measure_ceiling(model, simulated_history["hazards"])
    assert ceiling.brier < model.holdout_brier < model.base_rate_brier
    table = model.calibration
    weights = table["memberships"] / table["memberships"].sum()
    assert (weights * (table["mean_probability"] - table["ending_rate"]).abs()).sum() < 0.025
    assert table["ending_rate"].iloc[-1] > 2.5 * table["ending_rate"].iloc[0]


@pytest.mark.long
def test_the_asset_records_the_ceiling_where_the_simulator_truth_is(simulated_history, monkeypatch):
    monkeypatch.setenv("VISION_DATA_DIR", str(simulated_history["root"]))
    metadata, check = _materialize(*simulated_history["inputs"])
    ceiling = measure_ceiling(simulated_history["model"], simulated_history["hazards"])
    assert check.passed
    assert metadata["ceiling_auc"].value == pytest.approx(ceiling.auc)
    assert metadata["ceiling_brier"].value == pytest.approx(ceiling.brier)
    assert metadata["auc_below_ceiling"].value == pytest.approx(ceiling.auc - metadata["holdout_auc"].value)
    assert "calibration" in metadata
