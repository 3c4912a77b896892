"""RFM segments: every customer placed by how recently, how often and how much they engage, across all
four businesses.

* Recency: days from the customer's last activity of any kind (a purchase, a read, a stream, a listen, a
  page view, a review, a membership payment) to the as-of day.
* Frequency: distinct days with any activity in the last ``window_days`` days.
* Monetary: net revenue in USD (orders and membership payments, less refunds) in the same window.

Each is scored 1 (lowest fifth of customers) to 5 (highest fifth) by percentile rank, so the scores adapt
to the size and age of the business; recency is scored so that 5 means most recent. Tied customers
share the higher score (everyone active today is 5 on recency, however many they are).
A segment is named from the scores by the first matching rule below, the classic RFM grid; customers with
no activity in the window at all are "Dormant".
"""

import numpy as np
import pandas as pd

SEGMENT_WINDOW_DAYS = 90

# (label, description, rule over the r, f, m score arrays); the first rule a customer matches wins.
SEGMENT_RULES = (
    (
        "Champions",
        "Active very recently, often, and among the biggest spenders.",
        lambda r, f, m: (r >= 4) & (f >= 4) & (m >= 4),
    ),
    (
        "Loyal customers",
        "Engage often and recently; the core of the business.",
        lambda r, f, m: (r >= 3) & (f >= 4),
    ),
    (
        "Can't lose them",
        "Used to engage often and spend a lot, but not lately.",
        lambda r, f, m: (r <= 2) & (f >= 4) & (m >= 4),
    ),
    (
        "At risk",
        "Engaged often before, not recently: worth a win-back offer.",
        lambda r, f, m: (r <= 2) & (f >= 3),
    ),
    (
        "Potential loyalists",
        "Recent customers with moderate frequency who could become loyal.",
        lambda r, f, m: (r >= 4) & (f >= 2),
    ),
    ("New or occasional", "Active in the last days but rarely so far.", lambda r, f, m: (r >= 4) & (f <= 1)),
    (
        "Need attention",
        "Middling recency and frequency; may slip away without a nudge.",
        lambda r, f, m: r == 3,
    ),
    ("Hibernating", "Last active a while ago, and rarely.", lambda r, f, m: r == 2),
    ("Lost", "The least recent and least frequent customers.", lambda r, f, m: r <= 1),
)
DORMANT = ("Dormant", "No activity in the segment window.")
SEGMENT_LABELS = tuple(label for label, _, _ in SEGMENT_RULES) + (DORMANT[0],)


def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1-5 by percentile rank; tied customers share the higher score. An empty series stays empty."""
    if values.empty:
        return pd.Series(dtype="int64", index=values.index)
    ranks = values.rank(method="max", pct=True, ascending=higher_is_better)
    return np.ceil(ranks * 5).clip(1, 5).astype("int64")


def rfm_segments(
    activity: pd.DataFrame,
    revenue: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    window_days: int = SEGMENT_WINDOW_DAYS,
) -> pd.DataFrame:
    """One row per customer of ``customers`` (``customer_key``) with R, F, M and a segment label.

    ``activity`` has ``customer_key``, ``occurred_at`` and ``business_line`` (one row per event of any
    kind); ``revenue`` has ``customer_key``, ``occurred_at`` and ``net_amount_usd``. Events after ``as_of``'s
    day are ignored.
    """
    day = pd.Timestamp(as_of).normalize()
    window_start = day - pd.Timedelta(days=window_days - 1)
    end = day + pd.Timedelta(days=1)
    events = activity.assign(occurred_at=pd.to_datetime(activity["occurred_at"]))
    events = events[(events["occurred_at"] >= window_start) & (events["occurred_at"] < end)]
    money = revenue.assign(occurred_at=pd.to_datetime(revenue["occurred_at"]))
    money = money[(money["occurred_at"] >= window_start) & (money["occurred_at"] < end)]

    per_customer = (
        events.assign(day=events["occurred_at"].dt.normalize())
        .groupby("customer_key")
        .agg(
            last_active_at=("occurred_at", "max"),
            active_days=("day", "nunique"),
            business_lines_active=("business_line", "nunique"),
        )
    )
    spend = money.groupby("customer_key")["net_amount_usd"].sum().astype(float)
    frame = pd.DataFrame({"customer_key": pd.unique(customers["customer_key"])}).join(
        per_customer, on="customer_key"
    )
    frame = frame.join(spend.rename("monetary_usd"), on="customer_key")
    frame["monetary_usd"] = frame["monetary_usd"].fillna(0.0).round(2)
    frame["active_days"] = frame["active_days"].astype(float).fillna(0).astype("int64")
    frame["business_lines_active"] = frame["business_lines_active"].astype(float).fillna(0).astype("int64")
    frame["last_active_at"] = pd.to_datetime(frame["last_active_at"])
    frame["recency_days"] = (day - frame["last_active_at"].dt.normalize()).dt.days.astype("Int64")

    active = frame["active_days"] > 0
    scored = frame[active]
    frame.loc[active, "recency_score"] = quintile_scores(-scored["recency_days"].astype(float))
    frame.loc[active, "frequency_score"] = quintile_scores(scored["active_days"].astype(float))
    frame.loc[active, "monetary_score"] = quintile_scores(scored["monetary_usd"])
    for column in ("recency_score", "frequency_score", "monetary_score"):
        frame[column] = frame[column].astype("Int64")

    frame["segment_label"], frame["segment_description"] = DORMANT
    r = frame["recency_score"].fillna(0).to_numpy()
    f = frame["frequency_score"].fillna(0).to_numpy()
    m = frame["monetary_score"].fillna(0).to_numpy()
    unassigned = active.to_numpy().copy()
    for label, description, rule in SEGMENT_RULES:
        matched = unassigned & rule(r, f, m)
        frame.loc[matched, "segment_label"] = label
        frame.loc[matched, "segment_description"] = description
        unassigned &= ~matched
    frame["rfm_code"] = np.where(
        active,
        frame["recency_score"].astype(str)
        + frame["frequency_score"].astype(str)
        + frame["monetary_score"].astype(str),
        None,
    )
    frame["as_of_date"] = day.date()
    return frame[SEGMENT_COLUMNS].reset_index(drop=True)


SEGMENT_COLUMNS = [
    "customer_key",
    "segment_label",
    "segment_description",
    "rfm_code",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "recency_days",
    "active_days",
    "monetary_usd",
    "business_lines_active",
    "last_active_at",
    "as_of_date",
]
