"""Churn: the probability that an active membership ends (cancelled or lapsed) in the next 30 days.

The model looks at each active membership on a series of snapshot days and learns what the days after
held: did it end within the label horizon? Its inputs are what the business knows on the snapshot day:

* relative engagement: the account's events in this line over the last 28 days, against the line's
  average active member (members who use a service little cancel it);
* relative engagement elsewhere: the same person's events in the other three businesses against what
  accounts like theirs (member or not, in each line) do. A person's engagement anywhere is evidence of
  how engaged they are, and it steadies the estimate where one line has few events (Books);
* a renewal charge that failed and has not been paid since (the involuntary churn signal);
* a renewal charge due early enough that its retry falls within the horizon too: monthly plans renew
  every 30 days from their start, annual plans every 365; a charge can fail, the billing system charges
  again some days later, and a second failure ends the membership (a lapse). How many days later is read
  from the billing history (``retry_interval_days``): a renewal due on the horizon's last day cannot
  lapse within it;
* the business line.

Relative engagement enters as a logarithm: the risk falls steeply from no engagement to average and
little after. The classifier is a scikit-learn logistic regression on these five inputs. Fitted by
maximum likelihood, its probabilities are calibrated where it was fitted; the holdout's calibration
table and Brier score say whether they stay so later. The inputs and settings were chosen on simulated
histories of other seeds than the demo's, where each membership's true risk is known. The earlier model
also took the membership's age and plan, days since the last event and payment, active days and other
memberships: there they added noise, not information (docs/recommendations.md has the figures).

Evaluation is a time-based holdout: the model is trained on snapshots whose horizon closed before the
cut-off and scored on snapshots after it, never on the same days. Where the simulator's truth is at hand,
``measure_ceiling`` scores each holdout membership's true probability of ending on the same holdout: the
AUC a model that knew every member's true risk would reach.

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
# Days between renewals: annual plans (their names say so) renew every 365 days from the start, others 30.
ANNUAL_PLAN_DAYS = 365
MONTHLY_PLAN_DAYS = 30
# Events added to an account's count and to the count it is compared with: an account seen on few days,
# or in a line with few events, reads as near average rather than as extreme.
PRIOR_EVENTS = 1.0
CALIBRATION_BINS = 10

# What the model reads of fct_membership (one row per membership and day), fct_engagement and fct_billing.
MEMBERSHIP_COLUMNS = [
    "status_date",
    "membership_key",
    "business_line",
    "account_key",
    "customer_key",
    "plan",
    "is_active",
    "ended_on_day",
    "membership_age_days",
]
ENGAGEMENT_COLUMNS = ["account_key", "customer_key", "business_line", "activity_date"]
BILLING_COLUMNS = ["membership_key", "billing_date", "event_type"]

MODEL_FEATURES = [
    "log_relative_engagement",
    "log_relative_engagement_elsewhere",
    "payment_failed_unresolved",
    "renewal_retry_in_horizon",
]
CATEGORICAL_FEATURES = ["business_line"]
FEATURE_COLUMNS = [
    "membership_key",
    "snapshot_date",
    "customer_key",
    "account_key",
    "business_line",
    "plan",
    "membership_age_days",
    "events_7d",
    "events_28d",
    "days_since_last_event",
    "relative_engagement",
    "relative_engagement_elsewhere",
    "payment_failed_unresolved",
    "days_since_last_payment",
    "days_to_renewal",
    "days_to_renewal_retry",
    "other_active_memberships",
]


@dataclass
class ChurnModel:
    """A fitted churn classifier, how it was evaluated, and the horizon its raw probability covers.

    ``holdout`` keeps the evaluated snapshots (membership, day, whether it ended, the probability the model
    trained before the cut-off gave it), so the evaluation can be measured against other scores after.
    """

    pipeline: "Pipeline | None"
    horizon_days: int
    holdout_auc: float = float("nan")
    holdout_brier: float = float("nan")
    base_rate_brier: float = float("nan")
    calibration: pd.DataFrame | None = None
    holdout: pd.DataFrame | None = None
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

    def probability_within_horizon(self, features: pd.DataFrame) -> np.ndarray:
        """P(ends within ``horizon_days``) per row; the base rate when no model could be trained."""
        if self.pipeline is None:
            return np.full(len(features), self.base_rate)
        return self.pipeline.predict_proba(model_inputs(features, self.horizon_days))[:, 1]

    def probability_within_target(self, features: pd.DataFrame) -> np.ndarray:
        """P(ends within ``TARGET_HORIZON_DAYS``) per row, carried from the horizon at a constant hazard."""
        within_horizon = self.probability_within_horizon(features)
        return 1.0 - (1.0 - within_horizon) ** (TARGET_HORIZON_DAYS / self.horizon_days)


@dataclass
class Ceiling:
    """The simulator's true probabilities of ending, scored on the model's own holdout."""

    auc: float = float("nan")
    brier: float = float("nan")
    note: str = ""


def membership_features(
    memberships: pd.DataFrame,
    engagement: pd.DataFrame,
    billing: pd.DataFrame,
    snapshot_days: list[pd.Timestamp],
) -> pd.DataFrame:
    """One row per membership active at the end of each snapshot day, with the ``FEATURE_COLUMNS``.

    ``memberships``, ``engagement`` and ``billing`` hold the ``MEMBERSHIP_COLUMNS``,
    ``ENGAGEMENT_COLUMNS`` and ``BILLING_COLUMNS`` of the marts.
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
        return pd.DataFrame(columns=FEATURE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[FEATURE_COLUMNS]


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
            "events_7d": last_week.groupby("account_key")["events"].sum(),
            "last_event": past.groupby("account_key")["activity_date"].max(),
        }
    )
    features = features.join(by_account, on="account_key")
    for column in ("events_28d", "events_7d"):
        features[column] = features[column].fillna(0).astype(float)
    since = (snapshot - features["last_event"]).dt.days
    features["days_since_last_event"] = since.fillna(FEATURE_DAYS + 1).astype(float)
    typical_member = features.groupby("business_line")["events_28d"].mean()
    features["relative_engagement"] = (
        (features["events_28d"] + PRIOR_EVENTS)
        / (features["business_line"].map(typical_member).fillna(0.0) + PRIOR_EVENTS)
    ).astype(float)
    features["relative_engagement_elsewhere"] = _engagement_elsewhere(features, past, typical_member)
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
    period = np.where(
        features["plan"].astype(str).str.contains("annual"), ANNUAL_PLAN_DAYS, MONTHLY_PLAN_DAYS
    )
    features["days_to_renewal"] = (period - features["membership_age_days"].to_numpy() % period).astype(float)
    features["days_to_renewal_retry"] = features["days_to_renewal"] + retry_interval_days(history)

    memberships_per_customer = active.groupby("customer_key")["membership_key"].nunique()
    features["other_active_memberships"] = (
        features["customer_key"].map(memberships_per_customer).fillna(1).astype(float) - 1.0
    )
    return features


def _engagement_elsewhere(
    features: pd.DataFrame, past: pd.DataFrame, typical_member: pd.Series
) -> pd.Series:
    """The person's events in the other lines against what accounts like theirs there do.

    Each account of the person in another line (an account with events, or one holding an active
    membership) is expected to do what the average account of its line and kind does: the average active
    member, or the average non-member account with events. Observed and expected events are summed over
    the other lines, each with ``PRIOR_EVENTS``: a person with no other account reads as average (1).
    """
    engaged = (
        past.dropna(subset=["customer_key"])
        .groupby(["account_key", "customer_key", "business_line"], as_index=False)["events"]
        .sum()
    )
    members = features.dropna(subset=["customer_key"])[["account_key", "customer_key", "business_line"]]
    accounts = pd.concat([engaged, members.assign(events=0.0)], ignore_index=True)
    accounts = accounts.groupby(["account_key", "customer_key", "business_line"], as_index=False)[
        "events"
    ].sum()
    is_member = accounts["account_key"].isin(set(members["account_key"]))
    typical_other = accounts[~is_member].groupby("business_line")["events"].mean()
    accounts["expected"] = np.where(
        is_member,
        accounts["business_line"].map(typical_member),
        accounts["business_line"].map(typical_other),
    )
    accounts["expected"] = accounts["expected"].fillna(0.0)
    per_line = accounts.groupby(["customer_key", "business_line"])[["events", "expected"]].sum()
    per_person = per_line.groupby(level="customer_key").sum()
    rows = pd.MultiIndex.from_arrays([features["customer_key"], features["business_line"]])
    same_line = per_line.reindex(rows).fillna(0.0).to_numpy()
    everywhere = per_person.reindex(features["customer_key"]).fillna(0.0).to_numpy()
    elsewhere = np.clip(everywhere - same_line, 0.0, None)
    return pd.Series(
        (elsewhere[:, 0] + PRIOR_EVENTS) / (elsewhere[:, 1] + PRIOR_EVENTS), index=features.index, dtype=float
    )


def retry_interval_days(billing: pd.DataFrame) -> int:
    """How many days after a failed charge the billing system charges again, as ``billing`` shows it: the
    median days from a failed charge to the membership's next charge (paid or failed). 0 while the history
    holds no retry, which counts a renewal as able to lapse on its own day."""
    charges = billing[billing["event_type"].isin(["payment", "failed_payment"])].sort_values(
        ["membership_key", "billing_date"], kind="stable"
    )
    next_charge = charges.groupby("membership_key")["billing_date"].shift(-1)
    failed = charges["event_type"] == "failed_payment"
    gaps = (next_charge[failed] - charges.loc[failed, "billing_date"]).dt.days.dropna()
    return int(gaps.median()) if len(gaps) else 0


def model_inputs(features: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """The classifier's inputs from the feature rows; whether a renewal's retry falls within the horizon
    depends on the horizon."""
    return pd.DataFrame(
        {
            "log_relative_engagement": np.log(features["relative_engagement"].astype(float)),
            "log_relative_engagement_elsewhere": np.log(
                features["relative_engagement_elsewhere"].astype(float)
            ),
            "payment_failed_unresolved": features["payment_failed_unresolved"].astype(float),
            "renewal_retry_in_horizon": (features["days_to_renewal_retry"] <= horizon_days).astype(float),
            "business_line": features["business_line"],
        },
        index=features.index,
    )


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
                        ("numeric", StandardScaler(), MODEL_FEATURES),
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
    """Train on early snapshots, measure AUC, Brier score and calibration on later ones, then refit on every
    labelled snapshot.

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
    evaluated = ChurnModel(_pipeline().fit(model_inputs(train, horizon), train_labels), horizon)
    if len(holdout):
        probability = evaluated.probability_within_horizon(holdout)
        model.holdout = holdout[["membership_key", "business_line", "snapshot_date"]].assign(
            ended=holdout_labels.to_numpy(), probability=probability
        )
        model.holdout_brier = brier_score(holdout_labels, probability)
        model.base_rate_brier = brier_score(holdout_labels, np.full(len(holdout), holdout_labels.mean()))
        model.calibration = calibration_table(holdout_labels, probability)
    if holdout_labels.nunique() == 2:
        from sklearn.metrics import roc_auc_score

        model.holdout_auc = float(roc_auc_score(holdout_labels, probability))
    else:
        model.notes.append("the holdout snapshots hold no ending: AUC undefined")
    # The model that scores today learns from every labelled snapshot, the holdout's too.
    everything = pd.concat([train, holdout], ignore_index=True)
    model.pipeline = _pipeline().fit(
        model_inputs(everything, horizon), pd.concat([train_labels, holdout_labels], ignore_index=True)
    )
    return model


def brier_score(ended: pd.Series, probability: np.ndarray) -> float:
    """Mean squared difference between the probability and what happened (1 ended, 0 did not)."""
    return float(np.mean((np.asarray(probability, dtype=float) - np.asarray(ended, dtype=float)) ** 2))


def calibration_table(
    ended: pd.Series, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> pd.DataFrame:
    """The rows in ``bins`` groups of equal size by probability: mean probability against the ending rate."""
    frame = pd.DataFrame({"ended": np.asarray(ended, dtype=float), "probability": np.asarray(probability)})
    if frame.empty:
        return pd.DataFrame(columns=["bin", "memberships", "mean_probability", "ending_rate"])
    order = frame["probability"].rank(method="first")
    frame["bin"] = pd.qcut(order, min(bins, len(frame)), labels=False) + 1
    return (
        frame.groupby("bin")
        .agg(
            memberships=("ended", "size"),
            mean_probability=("probability", "mean"),
            ending_rate=("ended", "mean"),
        )
        .reset_index()
    )


def true_ending_probability(hazards: pd.DataFrame, snapshots: pd.DataFrame, horizon_days: int) -> pd.Series:
    """The simulator's probability that each snapshot's membership ends within ``horizon_days``.

    ``hazards`` is the simulator's truth (``vision_assets.simulate.churn_truth``): per day and membership
    active as the day starts, its expected daily cancel hazard, its next charge's day, and the chance and
    day of a lapse. A membership active at the end of the snapshot day takes the row of the next day. It
    survives the horizon if it cancels on none of its days at risk at that hazard (not on a renewal's day,
    nor until a pending retry) and its failed charge, if the lapse falls within the horizon, does not end
    it. NaN where the truth has no row.
    """
    truth = pd.DataFrame(
        {
            "membership_key": hazards["business_line"] + ":" + hazards["membership"],
            "snapshot_date": pd.to_datetime(hazards["day"]) - pd.Timedelta(days=1),
            "cancel_hazard": hazards["cancel_hazard"].astype(float),
            "charge_day": pd.to_datetime(hazards["charge_day"]),
            "lapse_chance": hazards["lapse_chance"].astype(float),
            "lapse_day": pd.to_datetime(hazards["lapse_day"]),
        }
    )
    rows = snapshots[["membership_key", "snapshot_date"]].assign(
        snapshot_date=pd.to_datetime(snapshots["snapshot_date"])
    )
    joined = rows.merge(truth, on=["membership_key", "snapshot_date"], how="left")
    end = joined["snapshot_date"] + pd.Timedelta(days=horizon_days)
    pending_retry = joined["charge_day"] == joined["lapse_day"]
    days_to_charge = (joined["charge_day"] - joined["snapshot_date"]).dt.days
    days_without_risk = np.where(
        pending_retry, days_to_charge.clip(upper=horizon_days), (joined["charge_day"] <= end).astype(float)
    )
    survives = (1.0 - joined["cancel_hazard"]) ** (horizon_days - days_without_risk) * (
        1.0 - joined["lapse_chance"].where(joined["lapse_day"] <= end, 0.0)
    )
    return pd.Series((1.0 - survives).to_numpy(), index=snapshots.index)


def measure_ceiling(model: ChurnModel, hazards: pd.DataFrame) -> Ceiling:
    """AUC and Brier score of the true probabilities on the model's holdout: what no model can beat.

    Measured only when the truth describes this very history: on each holdout day, the memberships the
    truth holds active are exactly the active ones the model saw.
    """
    holdout = model.holdout
    if holdout is None or holdout.empty:
        return Ceiling(note="no holdout to measure on")
    days = pd.to_datetime(holdout["snapshot_date"]).unique()
    truth_keys = hazards["business_line"] + ":" + hazards["membership"]
    truth_days = pd.to_datetime(hazards["day"]) - pd.Timedelta(days=1)
    for day in days:
        seen = set(holdout.loc[pd.to_datetime(holdout["snapshot_date"]) == day, "membership_key"])
        if set(truth_keys[truth_days == day]) != seen:
            return Ceiling(note=f"the simulator's truth does not describe this history (on {day.date()})")
    truth = true_ending_probability(hazards, holdout, model.horizon_days)
    if holdout["ended"].nunique() < 2:
        return Ceiling(brier=brier_score(holdout["ended"], truth), note="the holdout holds no ending")
    from sklearn.metrics import roc_auc_score

    return Ceiling(
        auc=float(roc_auc_score(holdout["ended"], truth)), brier=brier_score(holdout["ended"], truth)
    )


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
    "relative_engagement",
    "relative_engagement_elsewhere",
    "payment_failed_unresolved",
    "days_to_renewal",
    "membership_age_days",
    "events_7d",
    "events_28d",
    "days_since_last_event",
    "days_since_last_payment",
    "other_active_memberships",
    "scored_on",
    "model",
]
