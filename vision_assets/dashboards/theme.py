"""One look for every dashboard: the business lines' colours and names, the filters, number formats.

A business line keeps its colour on every page (Mart is always orange), so a reader who learnt it on
the sales page reads the map without a legend.
"""

import math
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import altair as alt

BUSINESS_LINES = ("books", "flicks", "music", "mart")
LINE_NAMES = {"books": "Books", "flicks": "Flicks", "music": "Music", "mart": "Mart"}
LINE_COLOURS = {"books": "#4c78a8", "flicks": "#e45756", "music": "#54a24b", "mart": "#f58518"}
CONTENT_LINES = ("books", "flicks", "music")


def line_colour(lines: tuple[str, ...] = BUSINESS_LINES, legend: bool = True) -> "alt.Color":
    """Colour by ``line`` (the display name of ``business_line``) with the fixed palette."""
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    return alt.Color(
        "line:N",
        title="Business line",
        scale=alt.Scale(
            domain=[LINE_NAMES[line] for line in lines], range=[LINE_COLOURS[line] for line in lines]
        ),
        legend=alt.Legend(orient="top") if legend else None,
    )


def with_line_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``line``, the name a reader sees, beside ``business_line``."""
    return frame.assign(line=frame["business_line"].map(LINE_NAMES))


def line_filter(lines: tuple[str, ...] = BUSINESS_LINES) -> "alt.Parameter":
    """A drop-down that filters a page's charts to one business line; empty shows every line.

    Filters run in the page (Vega's own expression language): no server and no network.
    """
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    return alt.param(
        name="line_choice",
        value="All",
        bind=alt.binding_select(
            options=["All", *[LINE_NAMES[line] for line in lines]], name="Business line "
        ),
    )


LINE_FILTER_EXPR = "line_choice == 'All' || datum.line == line_choice"


def usd(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def count(value: float) -> str:
    return f"{value:,.0f}"


def minutes(value: float) -> str:
    return f"{value:,.0f} min"


def rating(value: float | None) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f} / 5"


def percent(value: float) -> str:
    return f"{value:.1%}"


FORMATS = {"usd": usd, "count": count, "minutes": minutes, "rating": rating, "percent": percent, "text": str}


def cents(value: float) -> float:
    """Money as the warehouse stores it: rounded to the cent (sums of floats drift in the 10th decimal)."""
    return round(float(value), 2)
