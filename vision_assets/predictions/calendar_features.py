"""The day's place in the retail calendar as numbers a model can use: days from Black Friday and from
Christmas, and the US federal holidays. LightGBM takes them as date features (``boosting.py``); AnnualETS's
regression and the shopping-days transformation find Black Friday and Cyber Monday with them (``annual.py``).
The dates themselves come from ``vision_assets.calendar``.
"""

import numpy as np
import pandas as pd

from vision_assets.calendar import black_friday, public_holidays

BLACK_FRIDAY_REACH = 7  # days either side of Black Friday the feature tells apart
CHRISTMAS_REACH = (-30, 7)  # the run-up to Christmas and the week after


def days_from_black_friday(dates: pd.DatetimeIndex) -> np.ndarray:
    """Signed days from that year's Black Friday, clipped to a week either side (0 on the day itself)."""
    dates = pd.DatetimeIndex(dates)
    fridays = {year: pd.Timestamp(black_friday(year)) for year in dates.year.unique()}
    offsets = (dates - pd.DatetimeIndex([fridays[year] for year in dates.year])).days.to_numpy()
    return np.clip(offsets, -BLACK_FRIDAY_REACH, BLACK_FRIDAY_REACH)


def days_from_christmas(dates: pd.DatetimeIndex) -> np.ndarray:
    """Signed days from the nearest Christmas Day, clipped to the month before and the week after (New
    Year's Day is 7: the week after last year's Christmas, not 358 days before this year's)."""
    dates = pd.DatetimeIndex(dates)

    def since(year: pd.Index) -> np.ndarray:
        christmas = pd.DatetimeIndex(pd.to_datetime({"year": year, "month": 12, "day": 25}))
        return (dates - christmas).days.to_numpy()

    this_year, last_year = since(dates.year), since(dates.year - 1)
    offsets = np.where(last_year <= CHRISTMAS_REACH[1], last_year, this_year)
    return np.clip(offsets, *CHRISTMAS_REACH)


def public_holiday(dates: pd.DatetimeIndex) -> np.ndarray:
    """1 on a US federal holiday, else 0."""
    dates = pd.DatetimeIndex(dates)
    return np.array([day.date() in public_holidays(day.year) for day in dates], dtype=float)
