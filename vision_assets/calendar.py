"""The retail calendar the businesses live by, shared by the simulated world and the forecaster's features.

Black Friday is the day after US Thanksgiving (the fourth Thursday of November); Cyber Monday is three days
after it. Public holidays come from the ``holidays`` library, not from a list kept here.
"""

from datetime import date, timedelta
from functools import cache


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3, days=1)


@cache
def public_holidays(year: int) -> frozenset[date]:
    """The United States' federal holidays of ``year`` (the ``holidays`` library's calendar)."""
    import holidays

    return frozenset(holidays.US(years=year))
