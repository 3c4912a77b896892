"""Dashboard 6, the demand outlook: the last eight weeks and the next four, per business line and category,
with the forecast's 80 % and 95 % bands, and how the forecasts made before fared against what happened.

The forecast is the latest of ``predictions.demand_forecast``; the history is ``demand.fct_daily_demand``
summed the way the forecast's series are (``vision_assets.predictions.series``); the scoring is
``predictions.forecast_accuracy``.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

import pandas as pd

from vision_assets.dashboards.page import Dashboard, Kpi, Panel
from vision_assets.dashboards.theme import LINE_NAMES, cents
from vision_assets.predictions.accuracy import FORECAST_COLUMNS as FORECAST_READ
from vision_assets.predictions.accuracy import accuracy_summary
from vision_assets.predictions.series import MEASURES, bottom_series, hierarchy, top_products

if TYPE_CHECKING:
    import altair as alt

NAME = "demand_outlook"
SOURCES = (
    "predictions.demand_forecast",
    "predictions.forecast_accuracy",
    "demand.fct_daily_demand",
    "marts.dim_product",
)
# What the page reads of the forecasts and of their scored points.
FORECAST_COLUMNS = [column for column in FORECAST_READ if column not in ("days_ahead", "product_key")]
ACCURACY_COLUMNS = [
    "made_on",
    "target_date",
    "days_ahead",
    "measure",
    "level",
    "yhat",
    "actual",
    "absolute_error",
]
ACCURACY_COLUMNS += ["inside_80", "inside_95"]
HISTORY_SHOWN_DAYS = 56
MEASURE_TITLES = {"units": "Units (sold or played)", "net_revenue_usd": "Net revenue (USD)"}
BAND = "#9ecae9"


def series_label(series_id: str) -> str:
    """'vision/books/fantasy' -> 'Books · fantasy'; the company is 'All of Vision'."""
    parts = series_id.split("/")[1:]
    if not parts:
        return "All of Vision"
    return " · ".join([LINE_NAMES.get(parts[0], parts[0]), *parts[1:]])


def history_of(cells: pd.DataFrame, days: int = HISTORY_SHOWN_DAYS) -> pd.DataFrame:
    """Actual demand per series (company, lines, categories) and measure over the last ``days`` days."""
    recent = cells[cells["ds"] > cells["ds"].max() - pd.Timedelta(days=days)]
    leaves = bottom_series(recent, top_products(recent))
    frames = []
    for measure in MEASURES:
        series, _, tags = hierarchy(leaves, measure)
        keep = {*tags["company"], *tags["business_line"], *tags["category"]}
        frames.append(series[series["unique_id"].isin(keep)].assign(measure=measure))
    return pd.concat(frames, ignore_index=True).rename(
        columns={"unique_id": "series_id", "ds": "date", "y": "actual"}
    )


def _outlook_chart(
    history: pd.DataFrame, forecast: pd.DataFrame, measure: str, choices: list[str], name: str, title: str
) -> "alt.LayerChart":
    """History as a line, the forecast as a dashed line inside its 95 % and 80 % bands, one series at a time
    chosen in a drop-down (rendered in the page by Vega, offline)."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    past = history[history["measure"] == measure].assign(label=lambda f: f["series_id"].map(series_label))
    ahead = forecast[forecast["measure"] == measure].assign(
        label=lambda f: f["series_id"].map(series_label), date=lambda f: f["target_date"]
    )
    past, ahead = past[past["label"].isin(choices)], ahead[ahead["label"].isin(choices)]
    pick = alt.param(name=name, value=choices[0], bind=alt.binding_select(options=choices, name="Series "))
    chosen = f"datum.label == {name}"
    y_title = MEASURE_TITLES[measure]
    base_ahead = alt.Chart(ahead).transform_filter(chosen)
    band_95 = base_ahead.mark_area(opacity=0.35, color=BAND).encode(
        x=alt.X("date:T", title=None), y=alt.Y("yhat_lo_95:Q", title=y_title), y2="yhat_hi_95:Q"
    )
    band_80 = base_ahead.mark_area(opacity=0.6, color=BAND).encode(
        x="date:T", y="yhat_lo_80:Q", y2="yhat_hi_80:Q"
    )
    expected = base_ahead.mark_line(strokeDash=[5, 3], color="#08519c").encode(
        x="date:T",
        y="yhat:Q",
        tooltip=[
            alt.Tooltip("date:T", title="Day"),
            alt.Tooltip("yhat:Q", title="Expected", format=",.0f"),
            alt.Tooltip("yhat_lo_80:Q", title="80 % from", format=",.0f"),
            alt.Tooltip("yhat_hi_80:Q", title="80 % to", format=",.0f"),
            "model:N",
        ],
    )
    actual = (
        alt.Chart(past)
        .transform_filter(chosen)
        .mark_line(color="#333333")
        .encode(
            x="date:T",
            y="actual:Q",
            tooltip=[
                alt.Tooltip("date:T", title="Day"),
                alt.Tooltip("actual:Q", title="Actual", format=",.0f"),
            ],
        )
    )
    return (
        alt.layer(band_95, band_80, expected, actual)
        .add_params(pick)
        .properties(width=760, height=260, title=title)
    )


def _accuracy_chart(accuracy: pd.DataFrame) -> "alt.Chart":
    """Absolute error as a share of the actual (WAPE) by days ahead, per level, for units."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    units = accuracy[accuracy["measure"] == "units"]
    by_ahead = units.groupby(["level", "days_ahead"], as_index=False).agg(
        absolute_error=("absolute_error", "sum"), actual=("actual", "sum"), points=("actual", "size")
    )
    by_ahead["wape"] = by_ahead["absolute_error"] / by_ahead["actual"].where(by_ahead["actual"] > 0)
    return (
        alt.Chart(by_ahead.dropna(subset=["wape"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("days_ahead:Q", title="Days ahead the forecast was made"),
            y=alt.Y("wape:Q", title="Error as a share of actual units (WAPE)", axis=alt.Axis(format="%")),
            color=alt.Color(
                "level:N", title="Level", sort=["company", "business_line", "category", "product"]
            ),
            tooltip=["level:N", "days_ahead:Q", alt.Tooltip("wape:Q", format=".1%"), "points:Q"],
        )
        .properties(width=520, height=220, title="How far off past forecasts were, by how far ahead")
    )


def build(forecasts: pd.DataFrame, cells: pd.DataFrame, accuracy: pd.DataFrame) -> Dashboard:
    """The page from the forecasts (FORECAST_COLUMNS), the demand cells (series.demand_cells) and the
    scored forecasts (ACCURACY_COLUMNS)."""
    if forecasts.empty:
        # A warehouse younger than four weeks has no forecast yet: the page says so, not a failed run.
        return _waiting_for_history(cells)
    forecasts = forecasts.assign(
        made_on=pd.to_datetime(forecasts["made_on"]), target_date=pd.to_datetime(forecasts["target_date"])
    )
    made_on = forecasts["made_on"].max()
    latest = forecasts[
        (forecasts["made_on"] == made_on) & forecasts["level"].isin(["company", "business_line", "category"])
    ]
    history = history_of(cells[cells["ds"] <= made_on])
    company = latest[latest["level"] == "company"]
    last_28 = history[
        (history["series_id"] == "vision") & (history["date"] > made_on - pd.Timedelta(days=28))
    ]
    totals: dict[str, float | int | str] = {"made_on": f"{made_on:%Y-%m-%d}"}
    for measure in MEASURES:
        ahead = float(company.loc[company["measure"] == measure, "yhat"].sum())
        before = float(last_28.loc[last_28["measure"] == measure, "actual"].sum())
        totals[f"next_28_days.{measure}"] = cents(ahead) if measure == "net_revenue_usd" else round(ahead)
        totals[f"change_on_last_28_days.{measure}"] = round(ahead / before - 1.0, 4) if before else 0.0
    summary = accuracy_summary(accuracy) if len(accuracy) else pd.DataFrame()
    scored = (
        summary[(summary["measure"] == "units") & (summary["level"] == "business_line")]
        if len(summary)
        else summary
    )
    totals["past_forecast_error.units.business_line"] = (
        round(float(scored["wape"].iloc[0]), 4) if len(scored) else "not yet scored"
    )
    lines = [
        series_label(series)
        for series in sorted(latest.loc[latest["level"] == "business_line", "series_id"].unique())
    ]
    categories = [
        series_label(series)
        for series in sorted(latest.loc[latest["level"] == "category", "series_id"].unique())
    ]
    table = (
        latest[latest["level"].isin(["company", "business_line"])]
        .groupby(["series_id", "measure", "model"], as_index=False)["yhat"]
        .sum()
    )
    table = table.pivot_table(
        index="series_id", columns="measure", values="yhat", aggfunc="sum"
    ).reset_index()
    models = latest[latest["level"].isin(["company", "business_line"])].drop_duplicates(
        ["series_id", "measure"]
    )
    preview = pd.DataFrame(
        {
            "Series": table["series_id"].map(series_label),
            "Units, next 28 days": table.get("units", pd.Series(0.0, index=table.index)).round(0).astype(int),
            "Net revenue next 28 days (USD)": table.get(
                "net_revenue_usd", pd.Series(0.0, index=table.index)
            ).round(2),
            "Models (units / revenue)": table["series_id"].map(
                lambda series: " / ".join(
                    models[(models["series_id"] == series)].sort_values("measure", ascending=False)["model"]
                )
            ),
        }
    )
    accuracy_panel = (
        Panel(
            "past_accuracy",
            "How past forecasts fared",
            "Every forecast point whose day has happened, summed per level: the absolute error over the actual "
            "(WAPE; 0.1 means off by a tenth), by how many days ahead the forecast was made.",
            chart=_accuracy_chart(accuracy),
        )
        if len(accuracy) and (accuracy["measure"] == "units").any()
        else Panel(
            "past_accuracy",
            "How past forecasts fared",
            "No forecast has met its day yet: they are scored here once the days they forecast have landed.",
            table=pd.DataFrame({"Scored forecast points": [0]}),
            kind="table",
        )
    )
    summary_table = (
        summary.assign(
            wape=summary["wape"].map("{:.1%}".format),
            bias=summary["bias"].map("{:+.1%}".format),
            coverage_80=summary["coverage_80"].map("{:.0%}".format),
            coverage_95=summary["coverage_95"].map("{:.0%}".format),
        )
        if len(summary)
        else pd.DataFrame({"measure": [], "level": []})
    )
    first_day = (made_on - pd.Timedelta(days=HISTORY_SHOWN_DAYS - 1)).date()
    return Dashboard(
        name=NAME,
        title="Demand outlook",
        question=f"What demand is coming? The next 28 days from {made_on + timedelta(days=1):%d %b %Y}, against the "
        "last eight weeks, with the bands the forecast is 80 % and 95 % sure of.",
        sources=SOURCES,
        window_start=first_day,
        window_end=forecasts["target_date"].max().date(),
        totals=totals,
        kpis=(
            Kpi("next_28_days.units", "Units, next 28 days", "count", note="sold or played, all lines"),
            Kpi("next_28_days.net_revenue_usd", "Net revenue, next 28 days"),
            Kpi("change_on_last_28_days.units", "Units against the last 28 days", "percent"),
            Kpi(
                "past_forecast_error.units.business_line",
                "Past forecasts' error, business lines",
                "percent" if len(scored) else "text",
                note="WAPE of units",
            ),
            Kpi("made_on", "Forecast made on", "text"),
        ),
        panels=(
            _panel_pair(
                "line_units",
                "Units by business line",
                history,
                latest,
                "units",
                ["All of Vision", *lines],
                "pick_line_units",
            ),
            _panel_pair(
                "line_revenue",
                "Net revenue by business line",
                history,
                latest,
                "net_revenue_usd",
                ["All of Vision", *lines],
                "pick_line_revenue",
            ),
            _panel_pair(
                "category_units",
                "Units by category or genre",
                history,
                latest,
                "units",
                categories,
                "pick_category_units",
            ),
            accuracy_panel,
            Panel(
                "accuracy_table",
                "Accuracy by measure and level",
                "Per measure and level, over every scored forecast point: WAPE, bias (forecast total over actual "
                "total, minus one) and the share of actuals inside the 80 % and 95 % bands.",
                table=summary_table,
                kind="table",
            ),
            Panel(
                "outlook_table",
                "The next 28 days per line",
                "Expected totals and the model each series uses.",
                table=preview,
                kind="table",
            ),
        ),
        preview=preview,
        preview_panel="line_units",
        notes=(
            (
                "Each level's model is chosen by a rolling-origin backtest (predictions.forecast_backtest); children "
                "add up to their parent (MinTrace reconciliation)."
            ),
            "Flicks and Music count plays; Books and Mart count units sold. Membership plans carry revenue only.",
        ),
    )


def _panel_pair(key, title, history, latest, measure, choices, name) -> Panel:
    return Panel(
        key,
        title,
        "Pick a series in the drop-down. The solid line is what happened; the dashed line is the expected demand, "
        "inside its 80 % (dark) and 95 % (light) bands.",
        chart=_outlook_chart(history, latest, measure, choices, name, title),
    )


def _waiting_for_history(cells: pd.DataFrame) -> Dashboard:
    """The page before the first forecast: the demand so far, and when forecasting starts."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    history = history_of(cells)
    lines = history[(history["measure"] == "units") & (history["series_id"].str.count("/") == 1)]
    chart = (
        alt.Chart(lines.assign(label=lines["series_id"].map(series_label)))
        .mark_line()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("actual:Q", title=MEASURE_TITLES["units"]),
            color="label:N",
        )
        .properties(width=760, height=260, title="Units by business line so far")
    )
    days = cells["ds"].nunique()
    note = (
        f"No forecast yet: the demand forecast is made once four weeks of demand have landed ({days} "
        "days so far)."
    )
    first, last = cells["ds"].min().date(), cells["ds"].max().date()
    return Dashboard(
        name=NAME,
        title="Demand outlook",
        question=note,
        sources=SOURCES,
        window_start=first,
        window_end=last,
        totals={
            "made_on": "no forecast yet",
            "next_28_days.units": 0,
            "next_28_days.net_revenue_usd": 0.0,
            "change_on_last_28_days.units": 0.0,
            "past_forecast_error.units.business_line": "not yet scored",
        },
        kpis=(Kpi("made_on", "Forecast made on", "text"),),
        panels=(Panel("line_units", "Units by business line so far", note, chart=chart),),
        preview=pd.DataFrame({"Days of demand": [days], "Forecast": ["after 28 days"]}),
        preview_panel="line_units",
    )
