"""The predictions as Dagster assets, one module per asset, each a thin wrapper around a plain module:

demand.fct_daily_demand ─┬─► demand_forecast (partitioned by the day it is made) ─► forecast_accuracy
marts.dim_product ───────┼─► forecast_backtest (check: chosen_beats_seasonal_naive)
                         └───────────────────────────────────────────────────────► forecast_accuracy
"""

from vision_assets.predictions.assets.demand_forecast import demand_forecast
from vision_assets.predictions.assets.forecast_accuracy import forecast_accuracy
from vision_assets.predictions.assets.forecast_backtest import forecast_backtest

prediction_assets = [demand_forecast, forecast_backtest, forecast_accuracy]
