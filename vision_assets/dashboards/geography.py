"""Dashboard 3, geography: where customers are billed and where the money comes from, country to city.

The map is Vega-Lite drawing the country outlines shipped in ``shapes/`` (see ``places.py``), shaded by
net revenue, with a circle per billing city sized by its revenue: nothing is fetched when the page opens.
Revenue follows the customer's billing place (``geography_key`` of the fact); revenue of accounts whose
place has not landed yet sits on the 'unknown' place: in the totals, not on the map.
"""

import math
from typing import TYPE_CHECKING

import pandas as pd

from vision_assets.dashboards.page import Dashboard, Kpi, Panel
from vision_assets.dashboards.places import SHAPES_OBJECT, locate_places, world_shapes
from vision_assets.dashboards.theme import (
    BUSINESS_LINES,
    LINE_FILTER_EXPR,
    LINE_NAMES,
    cents,
    line_colour,
    line_filter,
    with_line_names,
)

if TYPE_CHECKING:
    import altair as alt

NAME = "geography"
SOURCES = ("demand.fct_daily_demand", "marts.dim_geography")
DEMAND_COLUMNS = ["demand_date", "business_line", "geography_key", "units_sold", "net_revenue_usd"]
UNKNOWN_PLACE = "unknown"
TOP_REGIONS = 5
# Europe's detail map: the box it shows, in degrees (west, east, south, north).
EUROPE_BOX = (-11.0, 31.0, 35.0, 63.0)


def _shapes_data() -> "alt.InlineData":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    return alt.InlineData(
        values=world_shapes(), format=alt.DataFormat(type="topojson", feature=SHAPES_OBJECT)
    )


def sales_by_place(daily_demand: pd.DataFrame, dim_geography: pd.DataFrame) -> pd.DataFrame:
    """Place x business line: net revenue and units, with the place's names, customers and coordinates."""
    by_place = daily_demand.groupby(["geography_key", "business_line"], as_index=False)[
        ["net_revenue_usd", "units_sold"]
    ].sum()
    places = locate_places(
        dim_geography[["geography_key", "country_code", "country_name", "region", "city", "customer_count"]]
    )
    merged = by_place.merge(places, on="geography_key", how="left", validate="many_to_one")
    merged["country_name"] = merged["country_name"].fillna("Unknown")
    return with_line_names(merged)


def _mercator_for_box(width: int, height: int, box: tuple[float, float, float, float]) -> dict:
    """Scale, centre and translation that fit a longitude/latitude box into a Mercator view.

    Vega-Lite's own ``fit`` sizes a projection to the data drawn, which here is the whole world; the
    detail map wants a fixed box, so it is computed once (Mercator y is ln(tan(pi/4 + lat/2))).
    """
    west, east, south, north = box

    def mercator_y(latitude: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))

    scale = min(width / math.radians(east - west), height / (mercator_y(north) - mercator_y(south)))
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    centre_latitude = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return {
        "type": "mercator",
        "scale": scale,
        "center": [(west + east) / 2, centre_latitude],
        "translate": [width / 2, height / 2],
    }


def _map_layers(countries: pd.DataFrame, cities: pd.DataFrame) -> list["alt.Chart"]:
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    land = alt.Chart(_shapes_data()).mark_geoshape(
        fill="#e4e7eb", stroke="#ffffff", strokeWidth=0.5, clip=True
    )
    shaded = (
        alt.Chart(countries)
        .transform_filter(LINE_FILTER_EXPR)
        .transform_aggregate(
            net_revenue_usd="sum(net_revenue_usd)",
            units_sold="sum(units_sold)",
            groupby=["iso_a3", "country_name", "customers"],
        )
        .transform_lookup(
            lookup="iso_a3", from_=alt.LookupData(data=_shapes_data(), key="properties.iso_a3"), as_="geo"
        )
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5, clip=True)
        .encode(
            shape="geo:G",
            color=alt.Color(
                "net_revenue_usd:Q",
                title="Net revenue (USD)",
                scale=alt.Scale(scheme="blues", type="sqrt"),
                legend=alt.Legend(format="$,.0f"),
            ),
            tooltip=[
                alt.Tooltip("country_name:N", title="Country"),
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("units_sold:Q", title="Units", format=","),
                alt.Tooltip("customers:Q", title="Customers billed here", format=","),
            ],
        )
    )
    points = (
        alt.Chart(cities)
        .transform_filter(LINE_FILTER_EXPR)
        .transform_aggregate(
            net_revenue_usd="sum(net_revenue_usd)",
            units_sold="sum(units_sold)",
            groupby=["city_name", "region", "country_name", "latitude", "longitude", "customers"],
        )
        .mark_circle(color="#f58518", opacity=0.75, stroke="#7a3e00", strokeWidth=0.5, clip=True)
        .encode(
            latitude="latitude:Q",
            longitude="longitude:Q",
            size=alt.Size(
                "net_revenue_usd:Q",
                title="City net revenue",
                scale=alt.Scale(range=[8, 600]),
                legend=alt.Legend(format="$,.0f"),
            ),
            tooltip=[
                alt.Tooltip("city_name:N", title="City"),
                alt.Tooltip("region:N", title="Region"),
                alt.Tooltip("country_name:N", title="Country"),
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("units_sold:Q", title="Units", format=","),
                alt.Tooltip("customers:Q", title="Customers billed here", format=","),
            ],
        )
    )
    return [land, shaded, points]


def _maps(by_place: pd.DataFrame) -> "alt.VConcatChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    placed = by_place[by_place["geography_key"] != UNKNOWN_PLACE]
    countries = (
        placed.groupby(["iso_a3", "country_name", "line"], as_index=False)[["net_revenue_usd", "units_sold"]]
        .sum()
        .merge(
            placed.drop_duplicates("geography_key")
            .groupby("iso_a3", as_index=False)["customer_count"]
            .sum()
            .rename(columns={"customer_count": "customers"}),
            on="iso_a3",
        )
    )
    cities = placed.dropna(subset=["latitude"]).rename(columns={"customer_count": "customers"})[
        [
            "city_name",
            "region",
            "country_name",
            "latitude",
            "longitude",
            "customers",
            "line",
            "net_revenue_usd",
            "units_sold",
        ]
    ]
    world = (
        alt.layer(*_map_layers(countries, cities))
        .project(type="equalEarth")
        .properties(
            width=860,
            height=420,
            title="The world: countries shaded by net revenue, a circle per billing city",
        )
    )
    europe_width, europe_height = 620, 520
    europe = alt.layer(*_map_layers(countries, cities)).properties(
        projection=alt.Projection(**_mercator_for_box(europe_width, europe_height, EUROPE_BOX)),
        width=europe_width,
        height=europe_height,
        title="Europe in detail",
    )
    return alt.vconcat(world, europe).add_params(line_filter()).resolve_scale(color="shared", size="shared")


def _top_regions(by_place: pd.DataFrame) -> "alt.FacetChart":
    import altair as alt  # when a chart is drawn (vision_assets/dashboards/__init__.py)

    regions = (
        by_place[by_place["geography_key"] != UNKNOWN_PLACE]
        .groupby(["business_line", "line", "country_name", "region"], as_index=False)[
            ["net_revenue_usd", "units_sold"]
        ]
        .sum()
    )
    regions["place"] = regions["region"] + ", " + regions["country_name"]
    regions["rank"] = regions.groupby("business_line")["net_revenue_usd"].rank(
        ascending=False, method="first"
    )
    top = regions[regions["rank"] <= TOP_REGIONS].sort_values(["business_line", "rank"])
    chart = (
        alt.Chart(top)
        .mark_bar()
        .encode(
            y=alt.Y("place:N", sort="-x", title=None),
            x=alt.X("net_revenue_usd:Q", title="Net revenue (USD)"),
            color=line_colour(legend=False),
            facet=alt.Facet(
                "line:N", title=None, columns=2, sort=[LINE_NAMES[line] for line in BUSINESS_LINES]
            ),
            tooltip=[
                alt.Tooltip("place:N", title="Region"),
                "line:N",
                alt.Tooltip("net_revenue_usd:Q", title="Net revenue", format="$,.2f"),
                alt.Tooltip("units_sold:Q", title="Units", format=","),
            ],
        )
        .properties(width=330, height=130)
        .resolve_scale(y="independent", x="independent")
    )
    return chart


def build(daily_demand: pd.DataFrame, dim_geography: pd.DataFrame) -> Dashboard:
    """The page from demand.fct_daily_demand (its DEMAND_COLUMNS) and marts.dim_geography."""
    if daily_demand.empty:
        raise ValueError("demand.fct_daily_demand has no rows: there are no sales to map yet")
    by_place = sales_by_place(daily_demand, dim_geography)
    by_country = (
        by_place.groupby(["country_code", "country_name"], dropna=False, as_index=False)[
            ["net_revenue_usd", "units_sold"]
        ]
        .sum()
        .merge(
            dim_geography.groupby("country_code", as_index=False)["customer_count"].sum(),
            on="country_code",
            how="left",
        )
        .sort_values("net_revenue_usd", ascending=False, ignore_index=True)
    )
    total = cents(daily_demand["net_revenue_usd"].sum())
    unknown = cents(by_place.loc[by_place["geography_key"] == UNKNOWN_PLACE, "net_revenue_usd"].sum())
    unplaced = cents(
        by_place.loc[
            by_place["latitude"].isna() & (by_place["geography_key"] != UNKNOWN_PLACE), "net_revenue_usd"
        ].sum()
    )
    known_countries = by_country[by_country["country_code"].notna()]
    top_country = known_countries.iloc[0]
    totals: dict[str, float | int | str] = {
        "net_revenue_usd": total,
        "units_sold": int(daily_demand["units_sold"].sum()),
        "customers": int(dim_geography["customer_count"].sum()),
        "countries_with_sales": int((known_countries["net_revenue_usd"] != 0).sum()),
        "top_country": str(top_country["country_name"]),
        "unknown_place_net_revenue_usd": unknown,
        "net_revenue_usd_without_map_point": unplaced,
    }
    for row in known_countries.itertuples():
        totals[f"net_revenue_usd.{row.country_code}"] = cents(row.net_revenue_usd)
    regions_chart = _top_regions(by_place)
    table = pd.DataFrame(
        {
            "Country": by_country["country_name"],
            "Customers billed here": by_country["customer_count"].fillna(0).astype(int),
            "Net revenue (USD)": by_country["net_revenue_usd"].map(cents),
            "Share": (by_country["net_revenue_usd"] / total if total else 0.0).map("{:.1%}".format),
            "Units sold": by_country["units_sold"].astype(int),
        }
    )
    dates = pd.to_datetime(daily_demand["demand_date"])
    return Dashboard(
        name=NAME,
        title="Geography",
        question=f"Where are customers and where does revenue come from? {top_country['country_name']} leads; "
        "the map shades countries and sizes cities by net revenue.",
        sources=SOURCES,
        window_start=dates.min().date(),
        window_end=dates.max().date(),
        totals=totals,
        kpis=(
            Kpi("net_revenue_usd", "Net revenue, all places"),
            Kpi("customers", "Customers", "count", note="people, by current billing place"),
            Kpi("countries_with_sales", "Countries with sales", "count"),
            Kpi(
                "top_country",
                "Top country",
                "text",
                note=f"{top_country['net_revenue_usd'] / total:.1%} of net revenue" if total else "",
            ),
            Kpi(
                "unknown_place_net_revenue_usd",
                "Revenue with no known place",
                note="accounts whose place has not landed yet",
            ),
        ),
        panels=(
            Panel(
                "sales_map",
                "Customers and sales on the map",
                "Countries shaded by net revenue; each circle is a billing city sized by its net revenue (hover "
                "for region, customers and units). Pick a business line in the drop-down to map it alone.",
                chart=_maps(by_place),
                kind="map",
            ),
            Panel(
                "top_regions",
                f"Top {TOP_REGIONS} regions per business line",
                "Regions (state, province or region) ranked by net revenue within each line.",
                chart=regions_chart,
            ),
            Panel(
                "countries",
                "Countries",
                "Net revenue and customers per country over the window; the rows add up to the headline totals.",
                table=table,
                kind="table",
            ),
        ),
        preview=table,
        preview_panel="sales_map",
        notes=(
            "Revenue is placed where the customer is billed (their account's address), not where goods ship.",
            "Customers are people (one per person across the four lines), counted at their current billing place.",
        ),
    )
