"""Where Vision's billing places are on a map: country outlines shipped in the repo and city coordinates.

The geography dashboard draws countries from ``shapes/world_countries_110m.topojson`` (Natural Earth,
public domain; see ``shapes/README.md``) and one point per billing city from the coordinates below, so
its page needs no map service or CDN. ``dim_geography`` spells places as most accounts do (``"BUFFALO"``,
``" leeds"``), so cities are matched case- and space-insensitively.
"""

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd

SHAPES_PATH = Path(__file__).parent / "shapes" / "world_countries_110m.topojson"
SHAPES_OBJECT = "countries"

# ISO 3166-1 alpha-2 (the warehouse's country_code) to alpha-3 (the shapes' iso_a3).
ISO_A3_BY_COUNTRY_CODE: dict[str, str] = {
    "US": "USA",
    "CA": "CAN",
    "GB": "GBR",
    "IE": "IRL",
    "DE": "DEU",
    "FR": "FRA",
    "NL": "NLD",
    "BE": "BEL",
    "ES": "ESP",
    "IT": "ITA",
    "PT": "PRT",
    "AT": "AUT",
    "FI": "FIN",
    "GR": "GRC",
    "LU": "LUX",
    "AU": "AUS",
    "NZ": "NZL",
}

# (country_code, city) -> (latitude, longitude) of the city centre, to two decimals.
CITY_COORDINATES: dict[tuple[str, str], tuple[float, float]] = {
    ("US", "Los Angeles"): (34.05, -118.24),
    ("US", "San Francisco"): (37.77, -122.42),
    ("US", "San Diego"): (32.72, -117.16),
    ("US", "New York"): (40.71, -74.01),
    ("US", "Buffalo"): (42.89, -78.88),
    ("US", "Houston"): (29.76, -95.37),
    ("US", "Dallas"): (32.78, -96.80),
    ("US", "Austin"): (30.27, -97.74),
    ("US", "Miami"): (25.76, -80.19),
    ("US", "Orlando"): (28.54, -81.38),
    ("US", "Chicago"): (41.88, -87.63),
    ("US", "Seattle"): (47.61, -122.33),
    ("US", "Boston"): (42.36, -71.06),
    ("US", "Atlanta"): (33.75, -84.39),
    ("US", "Denver"): (39.74, -104.99),
    ("US", "Phoenix"): (33.45, -112.07),
    ("US", "Philadelphia"): (39.95, -75.17),
    ("US", "Minneapolis"): (44.98, -93.27),
    ("US", "Portland"): (45.52, -122.68),
    ("CA", "Toronto"): (43.65, -79.38),
    ("CA", "Ottawa"): (45.42, -75.70),
    ("CA", "Montreal"): (45.50, -73.57),
    ("CA", "Vancouver"): (49.28, -123.12),
    ("CA", "Calgary"): (51.05, -114.07),
    ("GB", "London"): (51.51, -0.13),
    ("GB", "Manchester"): (53.48, -2.24),
    ("GB", "Leeds"): (53.80, -1.55),
    ("GB", "Bristol"): (51.45, -2.59),
    ("GB", "Glasgow"): (55.86, -4.25),
    ("GB", "Edinburgh"): (55.95, -3.19),
    ("GB", "Cardiff"): (51.48, -3.18),
    ("IE", "Dublin"): (53.35, -6.26),
    ("IE", "Cork"): (51.90, -8.47),
    ("DE", "Berlin"): (52.52, 13.40),
    ("DE", "Munich"): (48.14, 11.58),
    ("DE", "Hamburg"): (53.55, 9.99),
    ("DE", "Cologne"): (50.94, 6.96),
    ("FR", "Paris"): (48.86, 2.35),
    ("FR", "Lyon"): (45.76, 4.84),
    ("FR", "Marseille"): (43.30, 5.37),
    ("NL", "Amsterdam"): (52.37, 4.90),
    ("NL", "Rotterdam"): (51.92, 4.48),
    ("BE", "Brussels"): (50.85, 4.35),
    ("ES", "Madrid"): (40.42, -3.70),
    ("ES", "Barcelona"): (41.39, 2.17),
    ("IT", "Milan"): (45.46, 9.19),
    ("IT", "Rome"): (41.90, 12.50),
    ("PT", "Lisbon"): (38.72, -9.14),
    ("AT", "Vienna"): (48.21, 16.37),
    ("FI", "Helsinki"): (60.17, 24.94),
    ("GR", "Athens"): (37.98, 23.73),
    ("LU", "Luxembourg"): (49.61, 6.13),
    ("AU", "Sydney"): (-33.87, 151.21),
    ("AU", "Melbourne"): (-37.81, 144.96),
    ("AU", "Brisbane"): (-27.47, 153.03),
    ("AU", "Perth"): (-31.95, 115.86),
    ("NZ", "Auckland"): (-36.85, 174.76),
    ("NZ", "Wellington"): (-41.29, 174.78),
}


@functools.cache
def world_shapes() -> dict[str, Any]:
    """The country outlines as a TopoJSON object, read once per process."""
    return json.loads(SHAPES_PATH.read_text())


def _place_name(name: object) -> str:
    return " ".join(str(name).split()).casefold() if isinstance(name, str) else ""


def locate_places(places: pd.DataFrame) -> pd.DataFrame:
    """Add ``iso_a3``, ``city_name`` (as this module spells it), ``latitude`` and ``longitude`` to places.

    ``places`` needs ``country_code`` and ``city``. A place whose city has no coordinates here (or the
    'unknown' place) keeps empty coordinates: it counts in country totals but draws no point.
    """
    lookup = {
        (country, _place_name(city)): (city, latitude, longitude)
        for (country, city), (latitude, longitude) in CITY_COORDINATES.items()
    }
    located = [
        lookup.get((country, _place_name(city)), (None, None, None))
        for country, city in zip(places["country_code"], places["city"], strict=True)
    ]
    return places.assign(
        iso_a3=places["country_code"].map(ISO_A3_BY_COUNTRY_CODE),
        city_name=[entry[0] for entry in located],
        latitude=pd.to_numeric(
            pd.Series([entry[1] for entry in located], index=places.index, dtype="object")
        ),
        longitude=pd.to_numeric(
            pd.Series([entry[2] for entry in located], index=places.index, dtype="object")
        ),
    )
