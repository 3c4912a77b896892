"""Each membership's true daily risk of ending: the ceiling no churn model can beat.

A member cancels on a day with the hazard ``memberships.cancel_hazard`` of that day's engagement signal,
half the account's events that day (a Poisson draw around its usual rate) and half its usual activity.
Before the draw the simulator knows the rate of that Poisson draw, so it knows the hazard averaged over the
draw: the risk a perfectly informed observer would assign that member that day, without the luck of the
day's events. A membership also ends when a charge fails twice (``MembershipBook.next_charge``).

For every membership active as a day starts, the truth file holds that expected cancel hazard (recorded on
a charge's day too, when the simulator draws no cancellation, as the member's level of risk), the day of
its next charge, the chance that the charge lapses it and the day that would happen. It consumes no random
numbers, so writing it leaves the exports byte-identical. The churn model never reads it; its evaluation
does, to score the true risk on the model's own holdout
(``vision_assets.recommendations.churn.measure_ceiling``).
"""

from datetime import date

import numpy as np
import pandas as pd

from vision_assets.simulate.memberships import ACTIVE, MembershipBook, cancel_hazard

MEMBERSHIP_HAZARD_FILE = "membership_hazard.parquet"
MEMBERSHIP_HAZARD_COLUMNS = [
    "day",
    "business_line",
    "membership",
    "cancel_hazard",
    "charge_day",
    "lapse_chance",
    "lapse_day",
]
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def expected_cancel_hazard(expected_events: np.ndarray, per_event: float, baseline: np.ndarray) -> np.ndarray:
    """The mean of ``cancel_hazard(per_event * k + baseline)`` over k ~ Poisson(``expected_events``).

    The hazard stops falling once the signal reaches its cap of 3, so the sum runs to the count that
    reaches it and the rest of the distribution takes the capped hazard.
    """
    capped_from = int(np.ceil(3.0 / per_event))
    probability = np.exp(-expected_events)
    mean = np.zeros_like(expected_events)
    below_cap = np.zeros_like(expected_events)
    for count in range(capped_from):
        mean += probability * cancel_hazard(per_event * count + baseline)
        below_cap += probability
        probability = probability * expected_events / (count + 1)
    return mean + np.clip(1.0 - below_cap, 0.0, 1.0) * cancel_hazard(np.full_like(baseline, 3.0))


def hazards_as_day_starts(
    book: MembershipBook,
    day_number: int,
    id_prefix: str,
    expected_events: np.ndarray,
    per_event: float,
    baseline: np.ndarray,
) -> pd.DataFrame:
    """One row per membership active as the day starts; the arrays are per account of the line.

    ``per_event * events + baseline`` is the day's engagement signal of an account (``World._memberships``);
    ``expected_events`` is the rate of its Poisson draw of events that day.
    """
    active = np.flatnonzero(book.status == ACTIVE)
    accounts = book.account[active]
    charge_day, lapse_chance, lapse_day = book.next_charge(active, day_number)
    return pd.DataFrame(
        {
            "day": _dates(np.full(len(active), day_number)),
            "business_line": book.line,
            "membership": [f"{id_prefix}{index + 1:07d}" for index in active],
            "cancel_hazard": expected_cancel_hazard(expected_events[accounts], per_event, baseline[accounts]),
            "charge_day": _dates(charge_day),
            "lapse_chance": lapse_chance,
            "lapse_day": _dates(lapse_day),
        },
        columns=MEMBERSHIP_HAZARD_COLUMNS,
    )


def _dates(day_numbers: np.ndarray) -> np.ndarray:
    return pd.to_datetime(day_numbers - _EPOCH_ORDINAL, unit="D").to_numpy()
