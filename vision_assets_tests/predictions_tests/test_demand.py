"""The demand hierarchy: series from the facts, coherent forecasts, the backtest and the noise floor."""

import numpy as np
import pandas as pd
import pytest

from vision_assets.predictions.backtest import plan, prequential_choice, score
from vision_assets.predictions.demand import (
    CHOSEN,
    EXPECTED_RATE,
    backtest_hierarchy,
    expected_series,
    forecast_demand,
)
from vision_assets.predictions.series import (
    MEMBERSHIP_CATEGORY,
    bottom_series,
    demand_cells,
    hierarchy,
    top_products,
)
from vision_assets_tests.predictions_tests.conftest import WEEKLY

PRODUCTS = pd.DataFrame(
    {
        "product_key": ["books:1", "books:2", "books:3", "books:plan", "music:1", "music:2"],
        "product_type": ["book", "book", "book", "membership_plan", "track", "track"],
        "category": ["fantasy", "fantasy", "poetry", "membership", "jazz", "rock"],
    }
)
RATES = {"books:1": 9.0, "books:2": 3.0, "books:3": 5.0, "music:1": 30.0, "music:2": 12.0}


def facts(days: int, seed: int = 3) -> pd.DataFrame:
    """Demand facts as the warehouse holds them: Books sells units, Music is played, a plan is billed."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-03-02", periods=days, freq="D")
    rows = []
    for day in dates:
        for product, rate in RATES.items():
            count = int(rng.poisson(rate * WEEKLY[day.dayofweek]))
            if count:
                line = product.split(":")[0]
                rows.append(
                    {
                        "demand_date": day,
                        "business_line": line,
                        "product_key": product,
                        "units_sold": count if line == "books" else 0,
                        "engagement_events": count * 2 if line == "books" else count,
                        "net_revenue_usd": count * 12.5 if line == "books" else 0.0,
                    }
                )
        rows.append(
            {
                "demand_date": day,
                "business_line": "books",
                "product_key": "books:plan",
                "units_sold": 1,
                "engagement_events": 0,
                "net_revenue_usd": 9.99,
            }
        )
    return pd.DataFrame(rows)


def test_units_are_sold_for_shops_played_for_streams_and_plans_carry_revenue_only():
    cells = demand_cells(facts(7), PRODUCTS)
    by_line = cells.groupby("business_line")["units"].sum()
    source = facts(7)
    assert by_line["books"] == source.loc[source["product_key"] != "books:plan", "units_sold"].sum()
    assert by_line["music"] == source.loc[source["business_line"] == "music", "engagement_events"].sum()
    plans = cells[cells["category"] == MEMBERSHIP_CATEGORY]
    assert (plans["units"] == 0).all() and plans["net_revenue_usd"].sum() == pytest.approx(7 * 9.99)


def test_a_fact_naming_an_unknown_product_is_refused():
    bad = facts(2).assign(product_key="books:missing")
    with pytest.raises(ValueError, match="missing from the product dimension, e.g. 'books:missing'"):
        demand_cells(bad, PRODUCTS)


def test_the_hierarchy_adds_up_and_quiet_days_are_zero_not_missing():
    cells = demand_cells(facts(21), PRODUCTS)
    top = top_products(cells, per_line=1)
    assert set(top["product_key"]) == {"books:1", "music:1"}
    leaves = bottom_series(cells, top)
    assert leaves.groupby(["business_line", "category", "product"]).size().eq(21).all()
    history, _, tags = hierarchy(leaves, "units")
    assert set(tags) == {"company", "business_line", "category", "product"}
    wide = history.pivot(index="ds", columns="unique_id", values="y")
    assert np.allclose(wide["vision"], wide["vision/books"] + wide["vision/music"])
    assert np.allclose(
        wide["vision/books/fantasy"],
        wide["vision/books/fantasy/books:1"] + wide["vision/books/fantasy/other"],
    )
    assert wide["vision"].sum() == cells["units"].sum()


def test_the_forecast_is_coherent_non_negative_and_covers_every_series_and_measure(without_arima):
    cells = demand_cells(facts(56), PRODUCTS)
    forecast, chosen = forecast_demand(cells, 14)
    assert set(forecast["measure"]) == {"units", "net_revenue_usd"}
    assert set(chosen["units"]) == {"company", "business_line", "category", "product"}
    assert (forecast[["yhat", "yhat_lo_80", "yhat_lo_95"]] >= 0).all().all()
    for measure, rows in forecast.groupby("measure"):
        wide = rows.pivot(index="ds", columns="unique_id", values="yhat")
        assert np.allclose(wide["vision"], wide["vision/books"] + wide["vision/music"]), measure
        lines = wide["vision/music/jazz"] + wide["vision/music/rock"]
        assert np.allclose(wide["vision/music"], lines), measure
    reused, again = forecast_demand(cells, 14, chosen)
    assert again == chosen and len(reused) == len(forecast)


def test_a_short_history_backtests_on_shorter_windows_and_says_so():
    assert plan(365, 28, 7).horizon == 28 and plan(365, 28, 7).windows == 3
    short = plan(30, 28, 7, windows=4)
    assert short.horizon == 3 and short.windows == 4 and short.test_size <= 30 - 16
    assert plan(10, 28, 7) is None


def test_the_chosen_model_at_an_origin_is_picked_on_earlier_origins_only():
    cutoffs = pd.to_datetime(["2026-01-07", "2026-01-14", "2026-01-21"])
    # A wins the first two origins, B the last: "Chosen" at the last origin must be A (B's win is unseen).
    mase = {("A", 0): 0.5, ("B", 0): 1.0, ("A", 1): 0.6, ("B", 1): 0.9, ("A", 2): 2.0, ("B", 2): 0.1}
    scores = pd.DataFrame(
        [
            {"unique_id": "s", "cutoff": cutoffs[origin], "model": model, "mase": value}
            for (model, origin), value in mase.items()
        ]
    )
    chosen = prequential_choice(scores)
    assert list(chosen["cutoff"]) == list(cutoffs[1:])
    assert list(chosen["chosen_model"]) == ["A", "A"] and list(chosen["mase"]) == [0.6, 2.0]
    assert set(chosen["model"]) == {CHOSEN}


def test_mase_scales_by_the_seasonal_naive_error_before_the_origin():
    history = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2026-01-01", periods=6), "y": [1.0, 3, 2, 4, 3, 5]}
    )
    forecasts = pd.DataFrame(
        {
            "unique_id": "s",
            "ds": pd.to_datetime(["2026-01-05", "2026-01-06"]),
            "cutoff": pd.Timestamp("2026-01-04"),
            "y": [3.0, 5.0],
            "M": [4.0, 4.0],
        }
    )
    scored = score(forecasts, history, season=2)
    # Lag-2 naive errors up to the origin: |2-1|, |4-3| -> scale 1; the forecast's MAE is 1.
    assert scored["mase"].iloc[0] == pytest.approx(1.0)
    assert scored["smape"].iloc[0] == pytest.approx((2 / 7 + 2 / 9) / 2)


def test_the_backtest_scores_the_expected_rate_as_the_floor_and_chosen_beats_seasonal_naive(without_arima):
    days = 63
    cells = demand_cells(facts(days, seed=11), PRODUCTS)
    leaves = bottom_series(cells, top_products(cells))
    dates = pd.date_range("2026-03-02", periods=days, freq="D")
    expected = (
        pd.DataFrame(
            [
                {
                    "demand_date": day.date().isoformat(),
                    "business_line": product.split(":")[0],
                    "category": PRODUCTS.set_index("product_key").loc[product, "category"],
                    "expected_units": rate * WEEKLY[day.dayofweek],
                }
                for day in dates
                for product, rate in RATES.items()
            ]
        )
        .groupby(["demand_date", "business_line", "category"], as_index=False)["expected_units"]
        .sum()
    )
    result = backtest_hierarchy(leaves, "units", 7, expected_series(expected))
    table = result.table.set_index(["level", "model"])
    assert result.plan.horizon == 7 and result.plan.windows == 4
    for level in ("company", "business_line", "category"):
        assert table.loc[(level, EXPECTED_RATE), "mase"] < table.loc[(level, "SeasonalNaive"), "mase"]
        assert table.loc[(level, CHOSEN), "mase"] < table.loc[(level, "SeasonalNaive"), "mase"]
    assert (result.table["origins"] >= 3).all()
