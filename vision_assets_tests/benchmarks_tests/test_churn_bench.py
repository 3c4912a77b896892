"""The churn benchmark's arithmetic and verdicts: an interval that covers the mean as often as it says, and
a target judged on the interval, not on one lucky or unlucky history."""

import numpy as np
import pytest

from benchmarks.churn import mean_with_interval, measure_history, render_table, summarize


def _history(seed: int, gap: float, days: int = 30) -> dict:
    return {
        "seed": seed,
        "days": days,
        "horizon_days": 7,
        "holdout_endings": 500,
        "model_auc": 0.65 - gap,
        "ceiling_auc": 0.65,
        "auc_below_ceiling": gap,
        "model_brier": 0.031,
        "base_rate_brier": 0.032,
        "ceiling_brier": 0.030,
        "ceiling_note": "",
    }


def _results(gaps: list[float]) -> dict:
    histories = [_history(seed, gap) for seed, gap in enumerate(gaps, start=1)]
    return {
        "finished_at": "2026-12-04T16:00:00+00:00",
        "machine": {"cores": 2, "cpu": "test"},
        "commit": "0123456789",
        "load_note": "",
        "split": "test",
        "summary": summarize(histories),
        "histories": histories,
    }


def test_the_interval_covers_the_true_mean_about_as_often_as_its_confidence():
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(2000):
        low, high = mean_with_interval(list(rng.normal(0.02, 0.015, 12)))[1:]
        covered += low <= 0.02 <= high
    assert 0.93 < covered / 2000 < 0.97


def test_the_target_is_judged_on_the_interval_of_the_mean():
    met = render_table(_results([0.010, 0.012, 0.015, 0.011, 0.013, 0.014]))
    assert "the whole interval lies below 0.03; 6 of 6 single histories within it" in met
    missed = render_table(_results([0.045, 0.050, 0.048, 0.052, 0.047]))
    assert "**not met**: the whole interval lies above 0.03" in missed
    # Most single histories within the target, the mean too, but too few and too spread to tell.
    undecided = render_table(_results([0.005, 0.010, 0.020, 0.055]))
    assert "**undecided**: the interval holds 0.03; 3 of 4 single histories within it" in undecided
    assert (
        "| 30 days | 4 | 7 days | 500 |" in undecided
        and "- 30 days: 1: 0.005, 2: 0.010, 3: 0.020, 4: 0.055" in undecided
    )


def test_histories_without_a_ceiling_are_left_out_of_the_summary():
    histories = [_history(1, 0.01), {**_history(2, 0.5), "ceiling_note": "the holdout holds no ending"}]
    (row,) = summarize(histories)
    assert row["histories"] == 1 and row["worst_gap"] == pytest.approx(0.01)


@pytest.mark.long
def test_a_simulated_history_is_scored_against_its_own_truth():
    history = measure_history(seed=5, days=30)
    assert history["ceiling_note"] == "" and history["horizon_days"] == 7 and history["holdout_endings"] > 300
    assert history["auc_below_ceiling"] == pytest.approx(history["ceiling_auc"] - history["model_auc"])
    assert 0.55 < history["model_auc"] < history["ceiling_auc"] + 0.03
