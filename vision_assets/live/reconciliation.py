"""Reconciling the live lane with the books: event by event, then per business line and measure.

The daily facts built from a day's batch export are the books of record. The live lane saw the same events
minutes or hours earlier. :func:`reconcile` lines the two up by event key (``books:E123``,
``mart:O77:2``, ``flicks:B9``) and sorts every difference into one of:

``missing_from_live``
    in the books, never seen live: an event the lane lost, or published while the lane was not running;
``not_in_books``
    seen live, absent from the books, and published **before** the day's export landed: unexplained;
``published_after_close``
    seen live, absent from the books, published **after** the export landed: explained (a late event the
    export could not contain);
``value_differs``
    in both, with other minutes or another amount (to the cent).

Only ``published_after_close`` is explained; anything else fails the reconciliation check. The totals
(events, minutes engaged, orders, net revenue in USD) are reported beside it per line, live and books.
"""

from datetime import datetime

import pandas as pd

# The reconciliation table, one row per day, business line and measure.
COLUMNS: dict[str, tuple[str, str]] = {
    "reconciled_day": ("date", "The day (UTC) whose live count is compared with its daily facts."),
    "business_line": ("varchar", "books, flicks, music or mart."),
    "measure": ("varchar", "events, minutes_engaged, orders (distinct orders) or net_revenue_usd."),
    "live": ("double", "The measure as the live lane counted it (live.events)."),
    "books": ("double", "The measure in the daily facts (fct_engagement, fct_sales, fct_billing)."),
    "missing_from_live": ("bigint", "Events in the facts the live lane never counted (unexplained)."),
    "not_in_books": ("bigint", "Events counted live, absent from the facts, published before the export landed (unexplained)."),
    "value_differs": ("bigint", "Events in both with other minutes or another amount, to the cent (unexplained)."),
    "published_after_close": ("bigint", "Events counted live and published after the day's export landed (explained)."),
    "example_keys": ("varchar", "Up to five keys of unexplained events, e.g. mart:O77:2."),
}

EVENT_COLUMNS = ["event_key", "business_line", "source_table", "order_key", "engaged_minutes", "net_amount_usd"]
MEASURES = ("events", "minutes_engaged", "orders", "net_revenue_usd")
UNEXPLAINED = ("missing_from_live", "not_in_books", "value_differs")


def books_events(engagement: pd.DataFrame, sales: pd.DataFrame, billing: pd.DataFrame) -> pd.DataFrame:
    """The daily facts of a day as events, in the live lane's terms.

    ``engagement``: fct_engagement (engagement_key, business_line, engaged_minutes); ``sales``: fct_sales
    order lines (source_key, business_line, order_key, net_amount_usd, sale_type); ``billing``: fct_billing
    (billing_event_key, business_line, signed_amount_usd).
    """
    order_lines = sales[sales["sale_type"] == "order_line"]
    frames = [
        pd.DataFrame({
            "event_key": engagement["engagement_key"], "business_line": engagement["business_line"],
            "source_table": "engagement", "order_key": None,
            "engaged_minutes": engagement["engaged_minutes"].astype(float), "net_amount_usd": 0.0,
        }),
        pd.DataFrame({
            "event_key": order_lines["source_key"], "business_line": order_lines["business_line"],
            "source_table": "orders", "order_key": order_lines["order_key"], "engaged_minutes": 0.0,
            "net_amount_usd": order_lines["net_amount_usd"].astype(float),
        }),
        pd.DataFrame({
            "event_key": billing["billing_event_key"], "business_line": billing["business_line"],
            "source_table": "billing", "order_key": None, "engaged_minutes": 0.0,
            "net_amount_usd": billing["signed_amount_usd"].astype(float),
        }),
    ]
    return pd.concat([frame for frame in frames if not frame.empty] or [frames[0]], ignore_index=True)[EVENT_COLUMNS]


def reconcile(live: pd.DataFrame, books: pd.DataFrame, closed_at: datetime | None) -> pd.DataFrame:
    """One row per business line and measure: live and books totals and the differences by kind.

    ``live`` has :data:`EVENT_COLUMNS` and ``published_at``; ``books`` has :data:`EVENT_COLUMNS`.
    ``closed_at`` is when the day's export landed (naive UTC); None counts every extra live event as
    unexplained.
    """
    live = live.assign(engaged_minutes=live["engaged_minutes"].astype(float),
                       net_amount_usd=live["net_amount_usd"].astype(float))
    joined = live.merge(books, on="event_key", how="outer", suffixes=("_live", "_books"), indicator=True)
    late = (
        joined["published_at"] > pd.Timestamp(closed_at) if closed_at is not None
        else pd.Series(False, index=joined.index)
    )
    kind = pd.Series("matches", index=joined.index, dtype=object)
    kind[joined["_merge"] == "right_only"] = "missing_from_live"
    kind[(joined["_merge"] == "left_only") & late] = "published_after_close"
    kind[(joined["_merge"] == "left_only") & ~late] = "not_in_books"
    both = joined["_merge"] == "both"
    differs = both & (
        ((joined["engaged_minutes_live"] - joined["engaged_minutes_books"]).abs() > 5e-5)
        | ((joined["net_amount_usd_live"] - joined["net_amount_usd_books"]).abs() > 0.005)
    )
    kind[differs] = "value_differs"
    joined["difference"] = kind
    joined["business_line"] = joined["business_line_live"].fillna(joined["business_line_books"])
    rows = []
    for line, events in joined.groupby("business_line"):
        counts = events["difference"].value_counts()
        for measure in MEASURES:
            rows.append({
                "business_line": line,
                "measure": measure,
                "live": _total(events, "_live", measure),
                "books": _total(events, "_books", measure),
                **{name: int(counts.get(name, 0)) for name in (*UNEXPLAINED, "published_after_close")},
                "example_keys": ", ".join(events.loc[events["difference"].isin(UNEXPLAINED), "event_key"].head(5)),
            })
    frame = pd.DataFrame(rows, columns=[name for name in COLUMNS if name != "reconciled_day"])
    for name in (*UNEXPLAINED, "published_after_close"):
        frame[name] = frame[name].astype("int64")
    return frame


def _total(events: pd.DataFrame, side: str, measure: str) -> float:
    present = events[events[f"source_table{side}"].notna()]
    if measure == "events":
        return float(len(present))
    if measure == "minutes_engaged":
        return round(float(present[f"engaged_minutes{side}"].sum()), 4)
    if measure == "orders":
        return float(present.loc[present[f"source_table{side}"] == "orders", f"order_key{side}"].nunique())
    return round(float(present[f"net_amount_usd{side}"].sum()), 2)


def unexplained_events(reconciliation: pd.DataFrame) -> int:
    """How many events differ without being explained (each counted once: from the ``events`` rows)."""
    events = reconciliation[reconciliation["measure"] == "events"]
    return int(events[list(UNEXPLAINED)].to_numpy().sum())
