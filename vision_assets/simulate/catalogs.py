"""The four product catalogs: books, films and series, music tracks and marketplace products.

Popularity is skewed the way real catalogs are: an item's base weight follows a Zipf law over a random
ranking that leans towards better items, so a few hits take most of the demand and a long tail shares
the rest. Items released during the simulation get a launch boost that fades over two weeks, which is
what "trending" picks up. Prices change now and then; a changed item is exported again that day.
"""

import math
import random

import numpy as np
import pandas as pd

from vision_assets.simulate.reference import (
    BOOK_ONLY_GENRES,
    FILM_ONLY_GENRES,
    FIRST_NAMES,
    LAST_NAMES,
    MART_BRANDS,
    MART_CATEGORIES,
    MART_CATEGORY_PRICE_USD,
    MUSIC_GENRES,
    PRODUCT_ADJECTIVES,
    STORY_GENRES,
    STUDIOS,
    TITLE_WORDS,
)

# Catalog sizes at scale 1; catalogs grow with the square root of the scale (customers and events grow
# linearly), as real catalogs grow slower than their audiences.
CATALOG_SIZES = {"books": 800, "flicks": 400, "music": 3000, "mart": 1200}
LAUNCH_BOOST = 4.0
LAUNCH_BOOST_DAYS = 7.0
_BOOK_FORMATS = (("paperback", 0.40, 9.99, 19.99), ("hardcover", 0.15, 19.99, 34.99),
                 ("ebook", 0.35, 3.99, 14.99), ("audiobook", 0.10, 14.99, 29.99))


def catalog_size(line: str, scale: float) -> int:
    return max(40, int(CATALOG_SIZES[line] * math.sqrt(scale)))


def new_catalog(line: str, rng: random.Random, count: int, first_number: int, launched_day: int | None) -> pd.DataFrame:
    """``count`` new items of a business line, numbered from ``first_number``."""
    make = {"books": _book, "flicks": _title, "music": _track, "mart": _product}[line]
    rows = [make(rng, first_number + offset) for offset in range(count)]
    frame = pd.DataFrame(rows)
    frame["quality"] = [min(5.0, max(1.0, rng.gauss(3.7, 0.7))) for _ in range(count)]
    frame["launched_day"] = -1 if launched_day is None else launched_day
    return frame


def assign_popularity(catalog: pd.DataFrame, rng: random.Random) -> None:
    """Zipf weights (exponent 1.1) over a ranking that mixes quality with luck."""
    luck = np.array([rng.gauss(0, 1.2) for _ in range(len(catalog))])
    order = np.argsort(-(catalog["quality"].to_numpy() + luck), kind="stable")
    ranks = np.empty(len(catalog))
    ranks[order] = np.arange(1, len(catalog) + 1)
    catalog["base_weight"] = 1.0 / ranks**1.1


def popularity_today(catalog: pd.DataFrame, day_number: int) -> np.ndarray:
    """Each item's demand weight today: its base weight, boosted while it is new."""
    launched = catalog["launched_day"].to_numpy()
    age = day_number - launched
    boost = np.where(launched >= 0, 1.0 + LAUNCH_BOOST * np.exp(-np.clip(age, 0, None) / LAUNCH_BOOST_DAYS), 1.0)
    return catalog["base_weight"].to_numpy() * boost


def _title_words(rng: random.Random, count: int) -> str:
    return " ".join(rng.sample(TITLE_WORDS, count))


def _book(rng: random.Random, number: int) -> dict:
    book_format, _, low, high = rng.choices(_BOOK_FORMATS, [f[1] for f in _BOOK_FORMATS])[0]
    genre = rng.choice(STORY_GENRES) if rng.random() < 0.85 else rng.choice(BOOK_ONLY_GENRES)
    body = f"978{number:09d}"[-12:]
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    return {
        "item_id": f"B{number:06d}",
        "isbn": f"{body}{check}",
        "title": f"The {_title_words(rng, 2)}",
        "creator": _author(rng),
        "genre": genre,
        "format": book_format,
        "list_price_usd": round(rng.uniform(low, high)) - 0.01,
        "year": rng.randint(1950, 2026) if rng.random() < 0.3 else rng.randint(2015, 2026),
    }


def _author(rng: random.Random) -> str:
    # Authors come from a smaller pool than titles, so popular authors have several books.
    index = int(rng.paretovariate(1.2)) % 60
    return f"{FIRST_NAMES[(index * 7) % len(FIRST_NAMES)]} {LAST_NAMES[(index * 13) % len(LAST_NAMES)]}"


def _title(rng: random.Random, number: int) -> dict:
    genre = rng.choice(STORY_GENRES) if rng.random() < 0.8 else rng.choice(FILM_ONLY_GENRES)
    is_series = rng.random() < 0.3
    return {
        "item_id": f"T{number:06d}",
        "title": _title_words(rng, rng.randint(1, 3)),
        "title_type": "series" if is_series else "movie",
        "genre": genre,
        "creator": rng.choice(STUDIOS),
        "year": rng.randint(1970, 2026) if rng.random() < 0.3 else rng.randint(2016, 2026),
        "runtime_minutes": rng.randint(22, 60) if is_series else rng.randint(80, 165),
    }


def _track(rng: random.Random, number: int) -> dict:
    artist_number = int(rng.paretovariate(1.0)) % 300
    genre = MUSIC_GENRES[(artist_number * 5) % len(MUSIC_GENRES)] if rng.random() < 0.85 else rng.choice(MUSIC_GENRES)
    artist = f"The {TITLE_WORDS[artist_number % len(TITLE_WORDS)]} {TITLE_WORDS[(artist_number * 3 + 1) % len(TITLE_WORDS)]}s"
    if artist_number % 3 == 0:
        artist = f"{FIRST_NAMES[(artist_number * 11) % len(FIRST_NAMES)]} {LAST_NAMES[(artist_number * 17) % len(LAST_NAMES)]}"
    return {
        "item_id": f"M{number:07d}",
        "title": _title_words(rng, rng.randint(1, 3)),
        "creator": artist,
        "album": f"{_title_words(rng, 1)} {('Sessions', 'Nights', 'Vol. 1', 'Vol. 2', 'Live', 'Stories')[number % 6]}",
        "genre": genre,
        "duration_seconds": rng.randint(120, 420),
        "year": rng.randint(1960, 2026) if rng.random() < 0.3 else rng.randint(2018, 2026),
    }


def _product(rng: random.Random, number: int) -> dict:
    category = rng.choice(sorted(MART_CATEGORIES))
    subcategory = rng.choice(MART_CATEGORIES[category])
    brand = rng.choice(MART_BRANDS)
    price = MART_CATEGORY_PRICE_USD[category] * rng.lognormvariate(0, 0.5)
    return {
        "item_id": f"P{number:06d}",
        "sku": f"{brand[:3].upper()}-{number:06d}",
        "title": f"{brand} {rng.choice(PRODUCT_ADJECTIVES)} {subcategory.rstrip('s')}",
        "genre": category,
        "subcategory": subcategory,
        "creator": brand,
        "list_price_usd": max(0.99, round(price) - 0.01),
    }
