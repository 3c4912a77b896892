"""One interaction frame from the marts: who touched which product, how strongly, and when.

Every recommender in this package reads the same four columns, so it can be trained and evaluated on any
implicit-feedback data, not only Vision's:

==============  ==================================================================================
``user``        who (Vision passes ``customer_key``: one person across the four businesses)
``item``        what (``product_key``: a book, a film or series, a track, a marketplace product)
``weight``      how strong the signal is; positive
``occurred_at`` when (UTC); drives the time-based holdout and the popularity windows
==============  ==================================================================================

The weights say how much an action tells about taste. Buying costs money, so it counts most; finishing a
read, a stream or a listen is the everyday signal of the three media lines; saving something for later is
intent without consumption; previews and page views are weak curiosity. A good rating adds to what the
consumption already said; a poor one adds nothing (implicit models have no negative evidence), and a
skipped track is left out altogether, as the listener said no.
"""

import pandas as pd

INTERACTION_COLUMNS = ["user", "item", "weight", "occurred_at"]

PURCHASE_WEIGHT = 5.0
# fct_engagement.engagement_category -> weight.
ENGAGEMENT_CATEGORY_WEIGHTS = {
    "consume": 3.0,  # read, stream, listen
    "save": 2.0,  # wish list, watch list, like, playlist add
    "cart": 2.0,  # add to cart
    "preview": 1.0,  # book sample, trailer
    "browse": 0.5,  # product page view
}
# Event types whose weight differs from their category's.
ENGAGEMENT_EVENT_WEIGHTS = {"skip": 0.0}
# fct_reviews.rating -> weight; ratings below 3 stars are not positive evidence.
RATING_WEIGHTS = {5: 3.0, 4: 2.0, 3: 0.5}


def empty_interactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user": pd.Series(dtype=object),
            "item": pd.Series(dtype=object),
            "weight": pd.Series(dtype=float),
            "occurred_at": pd.Series(dtype="datetime64[ns]"),
        }
    )


def interactions_from_marts(
    sales: pd.DataFrame, engagement: pd.DataFrame, reviews: pd.DataFrame
) -> pd.DataFrame:
    """The weighted interactions of ``fct_sales`` order lines, ``fct_engagement`` and ``fct_reviews``.

    Membership payments and refunds are not taste (a plan is not something to recommend), so only order
    lines count as purchases. Rows without a customer or a product are dropped. One row per event, in
    time order; repeated events stay separate rows for the models to aggregate.
    """
    order_lines = sales[sales["sale_type"] == "order_line"]
    purchases = pd.DataFrame(
        {
            "user": order_lines["customer_key"],
            "item": order_lines["product_key"],
            "weight": PURCHASE_WEIGHT,
            "occurred_at": order_lines["sold_at"],
        }
    )
    engagement_weight = (
        engagement["event_type"]
        .map(ENGAGEMENT_EVENT_WEIGHTS)
        .fillna(engagement["engagement_category"].map(ENGAGEMENT_CATEGORY_WEIGHTS))
    )
    engaged = pd.DataFrame(
        {
            "user": engagement["customer_key"],
            "item": engagement["product_key"],
            "weight": engagement_weight,
            "occurred_at": engagement["engaged_at"],
        }
    )
    rated = pd.DataFrame(
        {
            "user": reviews["customer_key"],
            "item": reviews["product_key"],
            "weight": pd.to_numeric(reviews["rating"]).map(RATING_WEIGHTS),
            "occurred_at": reviews["reviewed_at"],
        }
    )
    frames = [frame for frame in (purchases, engaged, rated) if len(frame)]
    if not frames:
        return empty_interactions()
    interactions = pd.concat(frames, ignore_index=True)
    interactions["weight"] = pd.to_numeric(interactions["weight"]).fillna(0.0).astype(float)
    interactions["occurred_at"] = pd.to_datetime(interactions["occurred_at"])
    interactions = interactions.dropna(subset=["user", "item", "occurred_at"])
    interactions = interactions[interactions["weight"] > 0]
    return interactions.sort_values("occurred_at", kind="stable").reset_index(drop=True)[INTERACTION_COLUMNS]


def validate_interactions(interactions: pd.DataFrame) -> pd.DataFrame:
    """The frame with the four columns, missing values and non-positive weights removed; ``occurred_at``
    as timestamps, numbers read as Unix seconds (as public data sets such as MovieLens store them).

    Raises ``ValueError`` naming the missing columns, so a caller with other data sees what to rename.
    """
    missing = [column for column in INTERACTION_COLUMNS if column not in interactions.columns]
    if missing:
        raise ValueError(f"interactions need the columns {INTERACTION_COLUMNS}; missing {missing}")
    frame = interactions[INTERACTION_COLUMNS].dropna(subset=["user", "item"])
    frame = frame[pd.to_numeric(frame["weight"]) > 0]
    occurred_at = frame["occurred_at"]
    unit = "s" if pd.api.types.is_numeric_dtype(occurred_at) else None
    return frame.assign(
        weight=pd.to_numeric(frame["weight"]).astype(float), occurred_at=pd.to_datetime(occurred_at, unit=unit)
    )
