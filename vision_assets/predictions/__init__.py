"""Predictions: the demand forecast with its backtest and accuracy (plain modules; thin assets in assets/).

``forecast(history, horizon, freq)`` is the pure entry point, usable on any series in Nixtla's long format.
"""

from vision_assets.predictions.forecasting import forecast

__all__ = ["forecast"]
