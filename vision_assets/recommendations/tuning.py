"""Choosing the recommender's settings on a validation split of the data it will serve.

EASE's penalty has no right value in general: the EASE paper's optimum was 500 on MovieLens-20M, 1,000 on
Netflix and 200 on the Million Song Data, and it moves with how many customers there are, how many items
each engaged with and how the interactions are weighted. So each fit chooses its own, on its own data.

The validation split is by time, like the evaluation: the last ``VALIDATION_SHARE`` of the interactions
(whole UTC days) validate, everything before them trains, and the truth is what each customer with history
went on to engage with for the first time. The caller hands over only what may be learned from: the
holdout evaluation passes the days before its holdout, so the settings whose holdout metrics it reports
were chosen without seeing the held-out days.

Each trial fits EASE on the training days and is judged, like the evaluation, by NDCG@k of the lists the
customers would be served (topped up from the popularity fallback) on the validation days. Two steps:

1. ``penalty``: λ on a log grid half a decade apart around the data's own scale (the mean of the Gram
   matrix's diagonal: what a typical item's interactions add up to), from the centre out, widened while
   the best is at an edge, then a quarter decade either side of the best. This is the validation curve
   the assets record.
2. ``dropout``: emphasized denoising (EDLAE, see ``collaborative``) with dropout 0.1, 0.25 and 0.5 at the
   chosen λ.

The best trial of all wins; plain EASE (dropout 0) stays when denoising does not beat it. With fewer than
``MIN_VALIDATION_CUSTOMERS`` customers to validate on, nothing is tried and the defaults (λ = 300, no
dropout) are used, and the tuning says so.

Tried on Vision's demo data and not kept, as they lost on validation (figures in docs/recommendations.md):
a penalty growing with popularity alone (λ·(n_i / mean n)^α, without EDLAE's constant part), exponential
time decay of the interaction weights, and RP3beta as a competing model.

What it costs: about 11 EASE solves on the training part of the split, over one Gram matrix computed once.
The trials are fitted on at most the ``VALIDATION_MAX_ITEMS`` (5,000) most used items even when the model
takes more: a solve is O(items³), so a trial at 5,000 items costs a 27th of one at 15,000, and on the demo
data the choice made on the 1,000 or 2,500 most used items was the same as on all 5,000 (λ = 316,
dropout 0.25, with curves within 0.002 NDCG of each other). Memory: the Gram matrix and the copy being
factorised, two items x items float32 matrices (200 MB at 5,000 items), plus a batch of scores. The
production fit comes after, on its own, over up to ``max_items`` items.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from vision_assets.recommendations.collaborative import (
    DEFAULT_L2,
    DEFAULT_MAX_ITEMS,
    EaseModel,
    ease_weights_from_gram,
    gram_matrix,
    most_used_items,
)
from vision_assets.recommendations.evaluation import HoldoutSplit, RankingMetrics, evaluate_rankings, split_at
from vision_assets.recommendations.interactions import validate_interactions
from vision_assets.recommendations.popularity import PopularityRecommender, fill_with_fallback
from vision_assets.recommendations.ranking import InteractionMatrix

VALIDATION_SHARE = 0.2
MIN_VALIDATION_CUSTOMERS = 20
MAX_VALIDATION_CUSTOMERS = 5_000
VALIDATION_MAX_ITEMS = 5_000
# λ = 10 ** exponent: half a decade apart, refined to a quarter, at most 2.5 decades from the data's scale.
_COARSE_STEP, _FINE_STEP, _WIDEST = 0.5, 0.25, 2.5
DROPOUTS = (0.1, 0.25, 0.5)

PENALTY, DROPOUT = "penalty", "dropout"


@dataclass(frozen=True)
class Settings:
    """How EASE is fitted: the L2 penalty and the EDLAE dropout (0: plain EASE)."""

    l2: float = DEFAULT_L2
    dropout: float = 0.0


@dataclass(frozen=True)
class Trial:
    step: str
    settings: Settings
    metrics: RankingMetrics


@dataclass(frozen=True)
class Tuning:
    """What was tried on the validation split and what won; ``reason`` says why nothing was tried."""

    chosen: Settings
    k: int
    validation_start: pd.Timestamp
    validation_customers: int
    training_interactions: int
    trials: tuple[Trial, ...] = ()
    seconds: float = 0.0
    reason: str = ""

    def table(self) -> pd.DataFrame:
        """One row per trial in the order tried: step, l2, dropout, the validation metrics, and which won."""
        best = _best(list(self.trials)) if self.trials else None
        return pd.DataFrame(
            {
                "step": [trial.step for trial in self.trials],
                "l2": [trial.settings.l2 for trial in self.trials],
                "dropout": [trial.settings.dropout for trial in self.trials],
                "ndcg_at_k": [trial.metrics.ndcg for trial in self.trials],
                "recall_at_k": [trial.metrics.recall for trial in self.trials],
                "precision_at_k": [trial.metrics.precision for trial in self.trials],
                "chosen": [trial is best for trial in self.trials],
            },
            columns=["step", "l2", "dropout", "ndcg_at_k", "recall_at_k", "precision_at_k", "chosen"],
        )

    def curve(self) -> pd.DataFrame:
        """The penalty's validation curve (plain EASE): l2 ascending and its metrics."""
        table = self.table()
        return table[table["step"] == PENALTY].sort_values("l2").reset_index(drop=True)


def validation_split(interactions: pd.DataFrame, share: float = VALIDATION_SHARE) -> HoldoutSplit:
    """Validate on the last ``share`` of the interactions, from the midnight before the first of them, so
    a day is never split; train on everything before."""
    if not 0.0 < share < 1.0:
        raise ValueError("the validation share is a fraction between 0 and 1")
    frame = validate_interactions(interactions)
    if frame.empty:
        return split_at(frame, pd.NaT)
    first_validated = frame["occurred_at"].sort_values().iloc[int(len(frame) * (1.0 - share))]
    return split_at(frame, first_validated.normalize())


def choose_settings(
    interactions: pd.DataFrame,
    k: int = 10,
    max_items: int = DEFAULT_MAX_ITEMS,
    share: float = VALIDATION_SHARE,
) -> Tuning:
    """The EASE settings that rank best on a validation split of ``interactions`` for a model of up to
    ``max_items`` items (see the module)."""
    started = time.perf_counter()
    split = validation_split(interactions, share)
    customers = _validation_customers(split.truth)
    tuning = Tuning(
        chosen=Settings(),
        k=k,
        validation_start=split.cutoff,
        validation_customers=len(customers),
        training_interactions=len(split.train),
    )
    if len(customers) < MIN_VALIDATION_CUSTOMERS:
        reason = (
            f"{len(customers)} customers to validate on, fewer than {MIN_VALIDATION_CUSTOMERS}: "
            "the default settings"
        )
        return replace(tuning, reason=reason, seconds=time.perf_counter() - started)
    trials = _search(*_judge(split, customers, k, min(max_items, VALIDATION_MAX_ITEMS)))
    return replace(
        tuning, chosen=_best(trials).settings, trials=tuple(trials), seconds=time.perf_counter() - started
    )


def _best(trials: list[Trial]) -> Trial:
    """The highest validation NDCG; on a tie the one tried first (the search starts at the data's scale)."""
    return max(trials, key=lambda trial: trial.metrics.ndcg)


def _validation_customers(truth: pd.DataFrame) -> np.ndarray:
    """The customers with something new on the validation days; a fixed sample of them past the cap, so
    scoring stays bounded however large the data."""
    customers = pd.unique(truth["user"])
    if len(customers) > MAX_VALIDATION_CUSTOMERS:
        picked = np.random.default_rng(0).choice(len(customers), MAX_VALIDATION_CUSTOMERS, replace=False)
        customers = customers[np.sort(picked)]
    return customers


def _judge(
    split: HoldoutSplit, customers: np.ndarray, k: int, max_items: int
) -> tuple[Callable[[str, Settings], Trial], float]:
    """A function that fits EASE with given settings on the split's training days (over one Gram matrix,
    computed here once) and scores the lists the customers would be served on its validation days; and
    the log10 of the Gram matrix's mean diagonal, rounded to the grid, where the penalty's search starts."""
    history = InteractionMatrix.from_interactions(split.train)
    history = history.restricted_to(most_used_items(history, max_items))
    gram = gram_matrix(history.values)
    audiences = history.users_per_item()
    fallback = PopularityRecommender().fit(split.train).recommend(customers, k)
    truth = split.truth[split.truth["user"].isin(customers)]

    def judge(step: str, settings: Settings) -> Trial:
        weights = ease_weights_from_gram(gram.copy(order="F"), settings.l2, settings.dropout)
        personal = EaseModel(history.items, weights, audiences).recommend(history, customers, k)
        return Trial(step, settings, evaluate_rankings(fill_with_fallback(personal, fallback, k), truth, k))

    scale = float(gram.diagonal().mean()) if len(gram) else 1.0
    return judge, round(math.log10(max(scale, 1e-6)) / _COARSE_STEP) * _COARSE_STEP


def _search(judge: Callable[[str, Settings], Trial], center: float) -> list[Trial]:
    """The two steps of the module docstring; every trial, in the order tried."""
    by_exponent: dict[float, Trial] = {}

    def penalty(exponent: float) -> None:
        exponent = round(exponent, 2)
        if exponent not in by_exponent:
            by_exponent[exponent] = judge(PENALTY, Settings(l2=_round(10**exponent)))

    def best_exponent() -> float:
        best = _best(list(by_exponent.values()))
        return next(exponent for exponent, trial in by_exponent.items() if trial is best)

    for offset in (0.0, -0.5, 0.5, -1.0, 1.0):  # from the centre out, so a flat curve keeps the centre
        penalty(center + offset)
    while True:
        best, low, high = best_exponent(), min(by_exponent), max(by_exponent)
        if best == low and low > center - _WIDEST:
            penalty(low - _COARSE_STEP)
        elif best == high and high < center + _WIDEST:
            penalty(high + _COARSE_STEP)
        else:
            break
    best = best_exponent()
    penalty(best - _FINE_STEP)
    penalty(best + _FINE_STEP)
    plain = _best(list(by_exponent.values()))
    return [*by_exponent.values(), *(judge(DROPOUT, Settings(plain.settings.l2, p)) for p in DROPOUTS)]


def _round(value: float) -> float:
    """Three significant digits: the penalties read as 316 and 562, not 316.22776601683796."""
    return float(f"{value:.3g}")
