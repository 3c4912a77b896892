"""Black Friday and Cyber Monday as a target transformation of mlforecast, for the LightGBM candidate.

LightGBM (``boosting.py``) learns the calendar from trees over week-on-week changes of log demand. With two
years of history it has seen Black Friday once per series, and its shrunken trees give those few rows
little weight: on the validation seeds it under-forecast Black Friday by a third (books) to three fifths
(the marketplace) at the line level, while AnnualETS (``annual.py``) met it within a tenth. This
transformation takes the two days' effects out of each (already logged) series before LightGBM sees it and
puts them back on every forecast column:

- per series, least squares of the target on ``annual.calendar_design`` (trend, weekday, the Fourier pairs
  of the day of the year, and the two days' indicators), the same regression AnnualETS makes;
- only the two days' part is subtracted. On validation seeds 11 and 23 that took the line level's ratio to
  the noise floor from 1.17 and 1.18 to 1.09 and 1.11. Subtracting the Fourier part as well made every
  level worse (lines 1.17 and 1.32): the smooth annual swing, fitted per series from one earlier year, was
  better left to LightGBM's own lags and calendar features.

A window's regression sees only the days before its origin: mlforecast fits the transformation anew on each
training window. Imported only where LightGBM runs, so loading the definitions does not import mlforecast.
"""

import numpy as np
import pandas as pd
from mlforecast.target_transforms import BaseTargetTransform

from vision_assets.predictions.annual import EVENT_COLUMNS, span_design


class ShoppingDays(BaseTargetTransform):
    """Takes each series' fitted Black Friday and Cyber Monday effects out of the target, and puts them back
    on the forecast days of every forecast column (point and bounds)."""

    def fit_transform(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy(deep=False)
        target = df[self.target_col].to_numpy(dtype=float)
        part = np.empty(len(df))
        self.first_day_, self.effects_, built = {}, {}, {}
        for unique_id, rows in df.groupby(self.id_col, sort=False, observed=True).indices.items():
            days = pd.DatetimeIndex(df[self.time_col].iloc[rows])
            design = span_design(days, days[0], built)
            # Minimum-norm least squares: a window without either day gets no effect for it, not an error.
            coefficients, *_ = np.linalg.lstsq(design, target[rows], rcond=None)
            self.first_day_[unique_id] = days[0]
            self.effects_[unique_id] = coefficients[-EVENT_COLUMNS:]
            part[rows] = design[:, -EVENT_COLUMNS:] @ self.effects_[unique_id]
        df[self.target_col] = target - part
        return df

    def inverse_transform(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy(deep=False)
        part, built = np.empty(len(df)), {}
        for unique_id, rows in df.groupby(self.id_col, sort=False, observed=True).indices.items():
            days = pd.DatetimeIndex(df[self.time_col].iloc[rows])
            design = span_design(days, self.first_day_[unique_id], built)
            part[rows] = design[:, -EVENT_COLUMNS:] @ self.effects_[unique_id]
        for column in df.columns:
            if column not in (self.id_col, self.time_col):
                df[column] = df[column].to_numpy(dtype=float) + part
        return df
