"""The settings are chosen on a validation split by time: from the validation curve, on the data's own scale,
and from rows before the validation days only."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.recommendations import fit_recommender, tuning
from vision_assets.recommendations.collaborative import DEFAULT_L2
from vision_assets.recommendations.tuning import (
    DROPOUT,
    PENALTY,
    Settings,
    choose_settings,
    validation_split,
)

from .conftest import interactions, planted_tastes


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return planted_tastes(customers=200)


@pytest.fixture(scope="module")
def chosen(population) -> tuning.Tuning:
    return choose_settings(population)


def test_the_chosen_settings_are_the_best_of_the_validation_curve(chosen):
    table = chosen.table()
    best = table.loc[table["ndcg_at_k"].idxmax()]
    assert chosen.chosen == Settings(best["l2"], best["dropout"])
    assert table["chosen"].sum() == 1 and table.loc[table["chosen"]].index[0] == best.name
    curve = chosen.curve()
    assert (curve["step"] == PENALTY).all() and curve["l2"].is_monotonic_increasing
    assert len(curve) >= 7 and curve["ndcg_at_k"].nunique() > 3  # a curve, not one point
    # The dropout step tries EDLAE at the best plain penalty.
    best_plain = curve.loc[curve["ndcg_at_k"].idxmax(), "l2"]
    denoised = table[table["step"] == DROPOUT]
    assert (denoised["l2"] == best_plain).all() and (denoised["dropout"] > 0).all()
    assert chosen.chosen.l2 != DEFAULT_L2 and not chosen.reason


def test_the_penalty_follows_the_data_ten_times_the_customers_ten_times_the_penalty(population, chosen):
    """The same tastes held by ten times as many customers: every Gram entry is ten times larger, so the
    same model needs ten times the penalty, and the choice moves with it."""
    copies = pd.concat(
        [population.assign(user=population["user"] + 10_000 * copy) for copy in range(10)],
        ignore_index=True,
    )
    larger = choose_settings(copies)
    assert larger.chosen.l2 == pytest.approx(10 * chosen.chosen.l2)
    assert larger.chosen.dropout == chosen.chosen.dropout
    np.testing.assert_allclose(larger.curve()["l2"], 10 * chosen.curve()["l2"])
    np.testing.assert_allclose(larger.curve()["ndcg_at_k"], chosen.curve()["ndcg_at_k"], atol=1e-6)


def test_the_validation_fits_learn_only_from_the_days_before_the_validation_days(population, monkeypatch):
    """Every frame the search learns from (the EASE fits' matrix, the popularity fallback) ends before the
    validation days, which are the last fifth of the interactions in whole days."""
    learned_from = []

    def recording(learner):
        class Recording(learner):
            @classmethod
            def from_interactions(cls, frame):
                learned_from.append(frame)
                return learner.from_interactions(frame)

            def fit(self, frame):
                learned_from.append(frame)
                return super().fit(frame)

        return Recording

    monkeypatch.setattr(tuning, "InteractionMatrix", recording(tuning.InteractionMatrix))
    monkeypatch.setattr(tuning, "PopularityRecommender", recording(tuning.PopularityRecommender))
    choose_settings(population)
    split = validation_split(population)
    assert split.cutoff == split.cutoff.normalize()
    assert 0.15 < len(split.test) / len(population) < 0.3
    assert len(learned_from) == 2
    for frame in learned_from:
        assert len(frame) == len(split.train) and frame["occurred_at"].max() < split.cutoff
    assert split.truth.merge(split.train, on=["user", "item"]).empty  # only new items are truth


def test_the_validation_split_is_the_last_share_of_the_interactions_in_whole_days():
    days = pd.concat(
        [
            interactions([("u1", f"i{day}"), ("u2", f"i{day + 1}")], day=pd.Timestamp(f"2026-10-{day:02d}"))
            for day in range(1, 11)
        ],
        ignore_index=True,
    )
    split = validation_split(days, share=0.2)
    assert split.cutoff == pd.Timestamp("2026-10-09")
    assert len(split.test) == 4 and len(split.train) == 16
    assert validation_split(interactions([])).train.empty
    with pytest.raises(ValueError):
        validation_split(days, share=1.0)


def test_too_little_to_validate_on_keeps_the_defaults_and_says_so():
    few = choose_settings(interactions([("u1", "A"), ("u2", "A"), ("u2", "B")]))
    assert few.chosen == Settings() and few.trials == () and few.table().empty
    assert "fewer than" in few.reason
    assert choose_settings(interactions([])).chosen == Settings()


def test_the_trials_are_fitted_on_the_most_used_items_only_and_the_model_on_all(population, monkeypatch):
    """A solve grows with the cube of the items: the trials stop at VALIDATION_MAX_ITEMS, the model does not."""
    shapes = []
    gram_matrix = tuning.gram_matrix

    def recorded(values):
        shapes.append(values.shape[1])
        return gram_matrix(values)

    monkeypatch.setattr(tuning, "gram_matrix", recorded)
    monkeypatch.setattr(tuning, "VALIDATION_MAX_ITEMS", 50)
    fitted = fit_recommender(population)
    assert shapes == [50]
    assert len(fitted.model.items) == population["item"].nunique() > 50
