"""The expected demand the simulator draws each day from: the noise floor no forecaster can beat.

Each day the world draws a Poisson number of engagement events and order lines per business line, then an
item for each from the account's favourite genres or overall popularity (``World._pick_items``). Before the
draw it knows the expected rate exactly: this module computes it, per business line and category, in the
units the demand forecast uses (units sold for Books and Mart, plays for Flicks and Music; see
``vision_assets.predictions.series.DEMAND_UNITS``). It consumes no random numbers, so writing the truth
leaves the exports byte-identical.

A forecaster that knew this rate would still miss by the Poisson noise around it; the forecast backtest
scores the rate itself on the same windows (``vision_assets.predictions.backtest``) as the floor.
"""

import numpy as np
import pandas as pd

from vision_assets.simulate.catalogs import popularity_today

EXPECTED_DEMAND_FILE = "expected_demand.csv"
EXPECTED_DEMAND_COLUMNS = ["demand_date", "business_line", "category", "expected_units"]


def item_probabilities(
    catalog: pd.DataFrame,
    day_number: int,
    account_weights: np.ndarray,
    favourites: np.ndarray,
    favourite_share: float,
) -> np.ndarray:
    """The chance that one event (or order line) of the day lands on each catalog item.

    Mirrors ``World._pick_items``: the event's account is drawn in proportion to ``account_weights``; with
    chance ``favourite_share`` the item comes from one of the account's two favourite genres (either with
    equal chance), in proportion to popularity within the genre, and otherwise (or when that genre has no
    items) from the whole catalog in proportion to popularity.
    """
    popularity = popularity_today(catalog, day_number)
    overall = popularity / popularity.sum()
    genres = catalog["genre"].to_numpy()
    account_share = account_weights / account_weights.sum()
    wanted = (
        pd.DataFrame(
            {
                "genre": np.concatenate([[pair[0] for pair in favourites], [pair[1] for pair in favourites]]),
                "share": np.concatenate([account_share, account_share]) * 0.5,
            }
        )
        .groupby("genre")["share"]
        .sum()
    )
    probabilities = (1.0 - favourite_share) * overall
    for genre, share in wanted.items():
        in_genre = genres == genre
        if in_genre.any():
            probabilities[in_genre] += (
                favourite_share * share * popularity[in_genre] / popularity[in_genre].sum()
            )
        else:
            probabilities += favourite_share * share * overall
    return probabilities


def expected_by_category(
    day: str, line: str, catalog: pd.DataFrame, expected_units_per_item: np.ndarray
) -> pd.DataFrame:
    """One row per category of ``line`` on ``day`` with the expected units summed over its items."""
    frame = pd.DataFrame({"category": catalog["genre"].to_numpy(), "expected_units": expected_units_per_item})
    totals = frame.groupby("category", sort=True)["expected_units"].sum().reset_index()
    totals.insert(0, "business_line", line)
    totals.insert(0, "demand_date", day)
    return totals[EXPECTED_DEMAND_COLUMNS]
