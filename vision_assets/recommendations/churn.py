"""Churn: the probability that an active membership ends (cancelled or lapsed) in the next 30 days.

The model looks at each active membership on a series of snapshot days and learns what the days after
held: did it end within the label horizon? Features are what the business knows on the snapshot day:

* the membership: business line, plan, age;
* engagement of the member's account in that line: events and active days over the last 7 and 28 days,
  days since the last event (members who stop using a service cancel it);
* billing: a renewal charge that failed and has not been paid since (the involuntary churn signal), days
  since the last successful payment;
* the person across Vision: how many other active memberships they hold, how much they engage elsewhere.

The classifier is a scikit-learn logistic regression on standardised features: with a few hundred endings
a year of a small business it is stable where boosted trees overfit, and its coefficients read as
"what raises the risk". Evaluation is a time-based holdout: the model is trained on snapshots whose
horizon closed before the cut-off and scored on snapshots after it, never on the same days.

The label horizon is 30 days when the history allows (snapshots need 28 days of past and 30 of future);
on a shorter history the horizon shrinks (to 7 days at least) and the probability is carried to 30 days
assuming the hazard stays constant: p30 = 1 - (1 - pH)^(30/H). Metadata records the horizon used.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

TARGET_HORIZON_DAYS = 30
MIN_HORIZON_DAYS = 7
FEATURE_DAYS = 28
RECENT_DAYS = 7
# At most this many snapshot days per side of the holdout, spread evenly: more adds rows, not information.
MAX_SNAPSHOTS = 12

NUMERIC_FEATURES = [
    "membership_age_days",
    "events_7d",
    "events_28d",
    "active_days_7d",
    "active_days_28d",
    "days_since_last_event",
    "payment_failed_unresolved",
    "days_since_last_payment",
    "other_active_memberships",
    "customer_events_other_lines_28d",
]
CATEGORICAL_FEATURES = ["business_line", "plan"]


@dataclass
class ChurnModel:
    """A fitted churn classifier, how it was evaluated, and the horizon its raw probability covers."""

    pipeline: "Pipeline | None"
    horizon_days: int
    holdout_auc: float = float("nan")
    base_rate: float = 0.0
    training_rows: int = 0
    holdout_rows: int = 0
    training_endings: int = 0
    holdout_endings: int = 0
    cutoff: pd.Timestamp | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_trained(self) -> bool:
        return self.pipeline is not None

    def probability_within_target(self, features: pd.DataFrame) -> np.ndarray:
        """P(ends within ``TARGET_HORIZON_DAYS``) per row; the base rate when no model could be trained."""
        if self.pipeline is None:
            within_horizon = np.full(len(features), self.base_rate)
        else:
            within_horizon = self.pipeline.predict_proba(features[NUMERIC_FEATURES + CATEGORICAL_FEATURES])[
                :, 1
            ]
        return 1.0 - (1.0 - within_horizon) ** (TARGET_HORIZON_DAYS / self.horizon_days)


def membership_features(
    memberships: pd.DataFrame,
    engagement: pd.DataFrame,
    billing: pd.DataFrame,
    snapshot_days: list[pd.Timestamp],
) -> pd.DataFrame:
    """One row per membership active at the end of each snapshot day, with the features above.

    ``memberships`` is ``fct_membership`` (one row per membership and day); ``engagement`` needs
    ``account_key``, ``customer_key``, ``business_line`` and ``activity_date``; ``billing`` needs
    ``membership_key``, ``billing_date`` and ``event_type``.
    """
    days = memberships.assign(status_date=pd.to_datetime(memberships["status_date"]).dt.normalize())
    daily_events = (
        engagement.assign(activity_date=pd.to_datetime(engagement["activity_date"]).dt.normalize())
        .groupby(
            ["account_key", "customer_key", "business_line", "activity_date"], as_index=False, dropna=False
        )
        .size()
        .rename(columns={"size": "events"})
    )
    bills = billing.assign(billing_date=pd.to_datetime(billing["billing_date"]).dt.normalize())
    frames = []
    for snapshot in snapshot_days:
        active = days[(days["status_date"] == snapshot) & days["is_active"].astype(bool)]
        if active.empty:
            continue
        frames.append(_snapshot_features(active, daily_events, bills, snapshot))
    if not frames:
        return pd.DataFrame(
            columns=[
                "membership_key",
                "snapshot_date",
                "customer_key",
                "account_key",
                *NUMERIC_FEATURES,
                *CATEGORICAL_FEATURES,
            ]
        )
    return pd.concat(frames, ignore_index=True)


def _snapshot_features(
    active: pd.DataFrame, daily_events: pd.DataFrame, bills: pd.DataFrame, snapshot
) -> pd.DataFrame:
    features = active[["membership_key", "customer_key", "account_key", "business_line", "plan"]].copy()
    features["snapshot_date"] = snapshot
    features["membership_age_days"] = active["membership_age_days"].astype(float).to_numpy()

    past = daily_events[
        (daily_events["activity_date"] <= snapshot)
        & (daily_events["activity_date"] > snapshot - pd.Timedelta(days=FEATURE_DAYS))
    ]
    last_week = past[past["activity_date"] > snapshot - pd.Timedelta(days=RECENT_DAYS)]
    by_account = pd.DataFrame(
        {
            "events_28d": past.groupby("account_key")["events"].sum(),
            "active_days_28d": past.groupby("account_key")["activity_date"].nunique(),
            "events_7d": last_week.groupby("account_key")["events"].sum(),
            "active_days_7d": last_week.groupby("account_key")["activity_date"].nunique(),
            "last_event": daily_events[daily_events["activity_date"] <= snapshot]
            .groupby("account_key")["activity_date"]
            .max(),
        }
    )
    features = features.join(by_account, on="account_key")
    for column in ("events_28d", "active_days_28d", "events_7d", "active_days_7d"):
        features[column] = features[column].fillna(0).astype(float)
    since = (snapshot - features["last_event"]).dt.days
    features["days_since_last_event"] = (
        since.fillna(FEATURE_DAYS + 1).clip(upper=FEATURE_DAYS + 1).astype(float)
    )
    features = features.drop(columns="last_event")

    history = bills[bills["billing_date"] <= snapshot]
    payments = history[history["event_type"] == "payment"]
    last_payment = payments.groupby("membership_key")["billing_date"].max()
    last_failure = (
        history[history["event_type"] == "failed_payment"].groupby("membership_key")["billing_date"].max()
    )
    features = features.join(last_payment.rename("last_payment"), on="membership_key")
    features = features.join(last_failure.rename("last_failure"), on="membership_key")
    unresolved = features["last_failure"].notna() & (
        features["last_payment"].isna() | (features["last_failure"] > features["last_payment"])
    )
    features["payment_failed_unresolved"] = unresolved.astype(float)
    features["days_since_last_payment"] = (
        (snapshot - features["last_payment"]).dt.days.fillna(FEATURE_DAYS + 1).clip(upper=366).astype(float)
    )
    features = features.drop(columns=["last_payment", "last_failure"])

    memberships_per_customer = active.groupby("customer_key")["membership_key"].nunique()
    features["other_active_memberships"] = (
        features["customer_key"].map(memberships_per_customer).fillna(1).astype(float) - 1.0
    )
    customer_events = past.groupby("customer_key")["events"].sum()
    features["customer_events_other_lines_28d"] = (
        features["customer_key"].map(customer_events).fillna(0).astype(float) - features["events_28d"]
    ).clip(lower=0)
    return features


def ending_labels(features: pd.DataFrame, memberships: pd.DataFrame, horizon_days: int) -> pd.Series:
    """True where the membership ended in the ``horizon_days`` days after the snapshot day."""
    ended = memberships[memberships["ended_on_day"].astype(bool)]
    end_day = (
        ended.assign(status_date=pd.to_datetime(ended["status_date"]).dt.normalize())
        .groupby("membership_key")["status_date"]
        .min()
    )
    ends = features["membership_key"].map(end_day)
    after = ends > features["snapshot_date"]
    within = ends <= features["snapshot_date"] + pd.Timedelta(days=horizon_days)
    return (after & within).fillna(False).astype(bool)


def _evenly_spaced(days: list[pd.Timestamp], count: int) -> list[pd.Timestamp]:
    if len(days) <= count:
        return days
    positions = np.unique(np.round(np.linspace(0, len(days) - 1, count)).astype(int))
    return [days[position] for position in positions]


def _pipeline() -> "Pipeline":
    # scikit-learn is imported here, when a model is trained: importing it takes about a second, which every
    # load of the code location (each run worker, sensor tick and `vision trust`) would pay otherwise.
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [
                        ("numeric", StandardScaler(), NUMERIC_FEATURES),
                        ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
                    ]
                ),
            ),
            ("classifier", LogisticRegression(max_iter=1000, C=1.0)),
        ]
    )


def train_churn_model(
    memberships: pd.DataFrame, engagement: pd.DataFrame, billing: pd.DataFrame
) -> ChurnModel:
    """Train on early snapshots, measure AUC on later ones, then refit on every labelled snapshot.

    The history (first to last ``status_date``) fixes the horizon: 30 days, or a third of what the
    history leaves after the feature warm-up when that is shorter, and at least 7. Too short a history,
    or training snapshots with no ending (or nothing but endings), give an untrained model that scores
    the base rate.
    """
    if memberships.empty:
        return ChurnModel(None, TARGET_HORIZON_DAYS, notes=["no membership history"])
    status_days = pd.to_datetime(memberships["status_date"]).dt.normalize()
    first, last = status_days.min(), status_days.max()
    span = (last - first).days
    # Snapshots get FEATURE_DAYS of past where the history allows, RECENT_DAYS at least; what remains is
    # shared by two horizons (training labels must close before the holdout starts) and the two sides.
    warmup = min(FEATURE_DAYS, max(RECENT_DAYS, span - 3 * TARGET_HORIZON_DAYS))
    available = span - warmup
    horizon = min(TARGET_HORIZON_DAYS, available // 3)
    if horizon < MIN_HORIZON_DAYS:
        rate = float(memberships["ended_on_day"].astype(bool).mean())
        return ChurnModel(
            None,
            MIN_HORIZON_DAYS,
            base_rate=rate,
            notes=[f"a history of {span + 1} days is too short to train and hold out"],
        )

    holdout_range = (available - 2 * horizon) // 2
    cutoff = last - pd.Timedelta(days=horizon + holdout_range)
    holdout_days = list(pd.date_range(cutoff, last - pd.Timedelta(days=horizon), freq="D"))
    train_days = list(
        pd.date_range(first + pd.Timedelta(days=warmup), cutoff - pd.Timedelta(days=horizon), freq="D")
    )
    holdout_days = _evenly_spaced(holdout_days, MAX_SNAPSHOTS)
    train_days = _evenly_spaced(train_days, MAX_SNAPSHOTS)

    train = membership_features(memberships, engagement, billing, train_days)
    holdout = membership_features(memberships, engagement, billing, holdout_days)
    train_labels = ending_labels(train, memberships, horizon)
    holdout_labels = ending_labels(holdout, memberships, horizon)
    model = ChurnModel(
        None,
        horizon,
        base_rate=float(train_labels.mean()) if len(train_labels) else 0.0,
        training_rows=len(train),
        holdout_rows=len(holdout),
        training_endings=int(train_labels.sum()),
        holdout_endings=int(holdout_labels.sum()),
        cutoff=cutoff,
    )
    if train_labels.nunique() < 2:
        model.notes.append("the training snapshots hold no ending (or only endings): nothing to learn from")
        return model
    evaluated = _pipeline().fit(train, train_labels)
    if holdout_labels.nunique() == 2:
        from sklearn.metrics import roc_auc_score

        model.holdout_auc = float(roc_auc_score(holdout_labels, evaluated.predict_proba(holdout)[:, 1]))
    else:
        model.notes.append("the holdout snapshots hold no ending: AUC undefined")
    # The model that scores today learns from every labelled snapshot, the holdout's too.
    everything = pd.concat([train, holdout], ignore_index=True)
    model.pipeline = _pipeline().fit(everything, pd.concat([train_labels, holdout_labels], ignore_index=True))
    return model


def score_active_memberships(
    model: ChurnModel, memberships: pd.DataFrame, engagement: pd.DataFrame, billing: pd.DataFrame
) -> pd.DataFrame:
    """Every membership active on the last day of the history, with its 30-day churn probability."""
    if memberships.empty:
        return pd.DataFrame(columns=CHURN_SCORE_COLUMNS)
    last = pd.to_datetime(memberships["status_date"]).dt.normalize().max()
    features = membership_features(memberships, engagement, billing, [last])
    if features.empty:
        return pd.DataFrame(columns=CHURN_SCORE_COLUMNS)
    features["churn_probability_30d"] = model.probability_within_target(features)
    features["risk_band"] = pd.cut(
        features["churn_probability_30d"], bins=[-0.01, 0.10, 0.25, 1.0], labels=["low", "medium", "high"]
    ).astype(str)
    features["scored_on"] = last.date()
    features["model"] = "logistic_regression" if model.is_trained else "base_rate"
    return features.sort_values("churn_probability_30d", ascending=False, kind="stable")[
        CHURN_SCORE_COLUMNS
    ].reset_index(drop=True)


CHURN_SCORE_COLUMNS = [
    "membership_key",
    "customer_key",
    "account_key",
    "business_line",
    "plan",
    "churn_probability_30d",
    "risk_band",
    "membership_age_days",
    "events_7d",
    "events_28d",
    "days_since_last_event",
    "payment_failed_unresolved",
    "days_since_last_payment",
    "other_active_memberships",
    "scored_on",
    "model",
]
