"""The simulated world of Vision's four businesses, advanced one UTC day at a time.

Each day draws from random generators seeded by (seed, day, business line), after a world whose state
(people, accounts, catalogs, memberships, refunds owed) evolved deterministically from the same seed:
so the same arguments give byte-identical files, and the first ten days of a 30-day run are the files a
10-day run writes.

Volumes are per account and per day, multiplied by the day's rhythm (weekday, the year-end season, Black
Friday for the shops, slow growth), so a scale of 2 lands about twice the rows of a scale of 1.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from vision_assets import calendar as retail_calendar
from vision_assets.landing.contracts import BUSINESS_LINES, SOURCE_TABLES_BY_NAME
from vision_assets.predictions.series import DEMAND_UNITS
from vision_assets.simulate.catalogs import assign_popularity, catalog_size, new_catalog, popularity_today
from vision_assets.simulate.churn_truth import MEMBERSHIP_HAZARD_COLUMNS, hazards_as_day_starts
from vision_assets.simulate.demand_truth import (
    EXPECTED_DEMAND_COLUMNS,
    expected_by_category,
    item_probabilities,
)
from vision_assets.simulate.export import local_text, money_text, utc_text
from vision_assets.simulate.identities import LINE_REACH, Account, Population
from vision_assets.simulate.memberships import (
    MEMBERSHIP_REACH,
    MEMBERSHIP_REFUND_RATE,
    STATUS_NAMES,
    MembershipBook,
)
from vision_assets.simulate.reference import PLACES, REVIEW_PHRASES, UNITS_PER_USD, UTC_OFFSET_HOURS

PEOPLE_AT_SCALE_1 = 3000
DAILY_NEW_PEOPLE_RATE = 0.0012
DAILY_CROSS_SELL_RATE = 0.0008
DAILY_PROFILE_EDIT_RATE = 0.001
DAILY_NEW_ITEM_RATE = 0.002
DAILY_PRICE_CHANGE_RATE = {"books": 0.003, "flicks": 0.0, "music": 0.0, "mart": 0.006}

# Events per account per day at an ordinary day's rhythm (before the account's own activity level).
ENGAGEMENT_RATE = {"books": 0.12, "flicks": 0.9, "music": 1.6, "mart": 0.4}
ORDER_RATE = {"books": 0.035, "mart": 0.06}
REFUND_RATE = {"books": 0.03, "mart": 0.05}
# Chance that consuming an item (reading, streaming, listening, buying) leads to a review the same day.
REVIEW_RATE = {"books": 0.12, "flicks": 0.05, "music": 0.004, "mart": 0.12}
FAVOURITE_SHARE = 0.6
# Order lines per order, and units per order line (a digital book is always one unit).
LINES_PER_ORDER = {
    "books": ((1, 2, 3, 4), (0.75, 0.2, 0.05, 0.0)),
    "mart": ((1, 2, 3, 4), (0.6, 0.25, 0.1, 0.05)),
}
UNITS_PER_LINE = {"books": ((1, 2, 3), (0.85, 0.12, 0.03)), "mart": ((1, 2, 3, 4), (0.75, 0.15, 0.07, 0.03))}
DIGITAL_BOOK_FORMATS = ("ebook", "audiobook")

ENGAGEMENT_TYPES = {
    "books": (("read", 0.70), ("sample", 0.20), ("wishlist", 0.10)),
    "flicks": (("stream", 0.80), ("trailer", 0.12), ("watchlist", 0.08)),
    "music": (("listen", 0.78), ("skip", 0.15), ("like", 0.05), ("playlist_add", 0.02)),
    "mart": (("view", 0.80), ("wishlist", 0.08), ("add_to_cart", 0.12)),
}
CONSUME_EVENT = {"books": "read", "flicks": "stream", "music": "listen"}
DEVICES = (("tv", 0.45), ("mobile", 0.25), ("tablet", 0.10), ("web", 0.20))
WEEKLY_RHYTHM = {  # Monday .. Sunday
    "books": (0.90, 0.90, 0.95, 1.00, 1.05, 1.15, 1.10),
    "flicks": (0.85, 0.85, 0.90, 0.95, 1.15, 1.25, 1.20),
    "music": (1.05, 1.05, 1.05, 1.05, 1.00, 0.90, 0.85),
    "mart": (1.10, 1.00, 1.00, 1.00, 1.00, 1.05, 0.90),
}
# Share of a day's activity in each UTC hour.
_HOURS = np.array([2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 6, 6, 5, 5, 5, 6, 7, 8, 8, 7, 5, 3], dtype=float)
HOUR_WEIGHTS = _HOURS / _HOURS.sum()
LINE_CODES = {"books": "BK", "flicks": "FL", "music": "MU", "mart": "MT"}


def epoch_seconds(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def day_rhythm(day: date, line: str, first_day: date) -> float:
    """How busy a day is for a business line, relative to an ordinary day."""
    weekly = WEEKLY_RHYTHM[line][day.weekday()]
    day_of_year = day.timetuple().tm_yday
    season = 1.0 + 0.3 * math.exp(-(((day_of_year - 355) / 18.0) ** 2)) + 0.08 * math.cos(2 * math.pi * (day_of_year - 15) / 365)
    black_friday = retail_calendar.black_friday(day.year)
    if line in ("mart", "books") and day == black_friday:
        season *= 2.5 if line == "mart" else 1.6
    elif line == "mart" and day == black_friday + timedelta(days=3):
        season *= 1.8
    growth = 1.0 + 0.0004 * (day - first_day).days
    return weekly * season * growth


def localize_price(price_usd: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """A local list price: the USD price at Vision's fixed rate, ending in .99 as shops price things."""
    rates = np.array([UNITS_PER_USD[code] for code in currency])
    return np.maximum(0.99, np.floor(np.asarray(price_usd) * rates) + 0.99)


@dataclass
class LineAccounts:
    """Numpy views of one business line's accounts, for the day's vectorised draws."""

    accounts: list[Account]
    activity: np.ndarray = field(init=False)
    currency: np.ndarray = field(init=False)
    country: np.ndarray = field(init=False)
    favourites: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.activity = np.array([account.activity for account in self.accounts])
        self.currency = np.array([PLACES[account.place][1] for account in self.accounts], dtype=object)
        self.country = np.array([PLACES[account.place][0] for account in self.accounts], dtype=object)
        line = self.accounts[0].line if self.accounts else "books"
        self.favourites = np.array([_favourites(account, line) for account in self.accounts], dtype=object)

    @property
    def ids(self) -> np.ndarray:
        return np.array([account.account_id for account in self.accounts], dtype=object)


def _favourites(account: Account, line: str) -> tuple[str, str]:
    person = account.person
    if line == "music":
        return person.music_genres
    if line == "mart":
        return (person.mart_category, person.mart_category)
    return person.story_genres


class World:
    def __init__(self, start: date, scale: float, seed: int) -> None:
        self.start = start
        self.scale = scale
        self.seed = seed
        self._identity_rng = random.Random(f"vision-identities-{seed}")
        self._catalog_rng = random.Random(f"vision-catalogs-{seed}")
        self.population = Population(self._identity_rng, moves_around=epoch_seconds(start))
        self.base_people = max(20, round(PEOPLE_AT_SCALE_1 * scale))
        self.catalogs: dict[str, pd.DataFrame] = {}
        self.memberships = {line: MembershipBook(line) for line in BUSINESS_LINES}
        self.refunds_owed: dict[tuple[str, int], list[dict]] = {}
        self._views: dict[str, LineAccounts] = {}
        self._counters: dict[str, int] = {}
        self._engagement_today: dict[str, np.ndarray] = {}
        self._expected_events_today: dict[str, np.ndarray] = {}
        self._membership_hazards: list[pd.DataFrame] = []
        self._expected_demand: list[pd.DataFrame] = []
        self._populate_before_start()

    # ------------------------------------------------------------------ the world before the first day
    def _populate_before_start(self) -> None:
        rng = self._identity_rng
        start_seconds = epoch_seconds(self.start)
        for _ in range(self.base_people):
            person = self.population.add_person()
            lines = [line for line in BUSINESS_LINES if rng.random() < LINE_REACH[line]] or [rng.choice(BUSINESS_LINES)]
            for line in lines:
                signed_up = start_seconds - rng.uniform(1, 3 * 365) * 86_400
                self.population.open_account(person, line, float(int(signed_up)))
        for line in BUSINESS_LINES:
            size = catalog_size(line, self.scale)
            catalog = new_catalog(line, self._catalog_rng, size, 1, launched_day=None)
            assign_popularity(catalog, self._catalog_rng)
            self.catalogs[line] = catalog
        first_day = self.start.toordinal()
        np_rng = np.random.default_rng([self.seed, first_day, 1_000])
        for line, book in self.memberships.items():
            accounts = self.population.accounts[line]
            members = np.flatnonzero(np_rng.random(len(accounts)) < MEMBERSHIP_REACH[line])
            signed_up = np.array([accounts[index].signed_up_at for index in members])
            started = signed_up + np_rng.random(len(members)) * (start_seconds - signed_up)
            started = np.floor(started)
            plans = book.draw_plans(np_rng, len(members))
            started_day = (started // 86_400).astype(np.int64) + date(1970, 1, 1).toordinal()
            periods = book.plan_periods[plans]
            elapsed = first_day - started_day
            next_bill = started_day + np.maximum(1, np.ceil(elapsed / periods)).astype(np.int64) * periods
            book.open(members, plans, started, next_bill)

    # ------------------------------------------------------------------ one day
    def simulate_day(self, day: date) -> dict[str, pd.DataFrame]:
        """Advance the world through one UTC day and return that day's export of every source table."""
        day_number = day.toordinal()
        day_start = epoch_seconds(day)
        first = day == self.start
        day_rng = np.random.default_rng([self.seed, day_number, 0])
        new_accounts, edited = self._grow(day_rng, day_start, first)
        exports: dict[str, pd.DataFrame] = {}
        for line_index, line in enumerate(BUSINESS_LINES, start=1):
            rng = np.random.default_rng([self.seed, day_number, line_index])
            view = self._view(line)
            exports[f"{line}_customers"] = self._customers_export(line, rng, day_start, first, new_accounts[line], edited[line])
            exports[f"{line}_catalog"] = self._catalog_export(line, rng, day_number, day_start, first)
            rhythm = day_rhythm(day, line, self.start)
            engagement, consumed = self._engagement(line, rng, view, day_number, day_start, rhythm)
            exports[f"{line}_engagement"] = engagement
            order_consumed = None
            if line in ORDER_RATE:
                exports[f"{line}_orders"], order_consumed = self._orders(line, rng, view, day_number, day_start, rhythm)
            exports[f"{line}_reviews"] = self._reviews(line, rng, view, day_start, order_consumed if line == "mart" else consumed)
            memberships, billing = self._memberships(line, rng, view, day_number, day_start, first, new_accounts[line])
            exports[f"{line}_memberships"] = memberships
            exports[f"{line}_billing"] = billing
        for name, frame in exports.items():
            frame.columns = SOURCE_TABLES_BY_NAME[name].column_names
        return exports

    def _grow(self, rng: np.random.Generator, day_start: float, first: bool):
        """New people, existing people opening an account in another business, and profile edits."""
        population, identity_rng = self.population, self._identity_rng
        new_accounts: dict[str, list[int]] = {line: [] for line in BUSINESS_LINES}
        edited: dict[str, list[int]] = {line: [] for line in BUSINESS_LINES}

        def open_(person, line):
            at = float(int(day_start + rng.integers(0, 86_400)))
            population.open_account(person, line, at)
            new_accounts[line].append(len(population.accounts[line]) - 1)

        for _ in range(rng.poisson(self.base_people * DAILY_NEW_PEOPLE_RATE)):
            person = population.add_person()
            lines = [line for line in BUSINESS_LINES if identity_rng.random() < LINE_REACH[line]]
            for line in lines or [identity_rng.choice(BUSINESS_LINES)]:
                open_(person, line)
        for _ in range(rng.poisson(self.base_people * DAILY_CROSS_SELL_RATE)):
            person = population.people[int(rng.integers(0, len(population.people)))]
            missing = [line for line in BUSINESS_LINES if line not in population.lines_by_person[person.person_id]]
            if missing:
                open_(person, missing[int(rng.integers(0, len(missing)))])
        if not first:
            for line in BUSINESS_LINES:
                accounts = population.accounts[line]
                count = rng.poisson(len(accounts) * DAILY_PROFILE_EDIT_RATE)
                for index in sorted(set(rng.integers(0, len(accounts), size=count).tolist()) - set(new_accounts[line])):
                    population.retype_email(accounts[index])
                    edited[line].append(index)
        for line in BUSINESS_LINES:
            if new_accounts[line]:
                self._views.pop(line, None)
        return new_accounts, edited

    def _view(self, line: str) -> LineAccounts:
        if line not in self._views:
            self._views[line] = LineAccounts(self.population.accounts[line])
        return self._views[line]

    def _next_ids(self, kind: str, count: int) -> list[str]:
        first = self._counters.get(kind, 0)
        self._counters[kind] = first + count
        return [f"{kind}-{number:08d}" for number in range(first + 1, first + count + 1)]

    # ------------------------------------------------------------------ customers and catalogs
    def _customers_export(self, line, rng, day_start, first, new_accounts, edited) -> pd.DataFrame:
        accounts = self.population.accounts[line]
        indices = list(range(len(accounts))) if first else sorted(set(new_accounts) | set(edited))
        chosen = [accounts[index] for index in indices]
        new = set(new_accounts)
        updated = np.array([
            accounts[index].signed_up_at if index in new else day_start + rng.integers(0, 86_400)
            for index in indices
        ], dtype=np.float64)
        places = [PLACES[account.place] for account in chosen]
        columns = {
            "id": [account.account_id for account in chosen],
            "name": [account.name_as_typed for account in chosen],
            "email": [account.email_as_typed for account in chosen],
            "country": [place[0] for place in places],
            "region": [account.region_as_typed for account in chosen],
            "city": [account.city_as_typed for account in chosen],
        }
        if line == "mart":
            columns["postal_code"] = [account.postal_code for account in chosen]
        columns["signed_up"] = utc_text(np.array([account.signed_up_at for account in chosen]))
        columns["updated"] = utc_text(updated)
        return pd.DataFrame(columns)

    def _catalog_export(self, line, rng, day_number, day_start, first) -> pd.DataFrame:
        catalog = self.catalogs[line]
        if first:
            changed = np.arange(len(catalog))
        else:
            new_count = rng.poisson(len(catalog) * DAILY_NEW_ITEM_RATE)
            if new_count:
                added = new_catalog(line, self._catalog_rng, new_count, len(catalog) + 1, launched_day=day_number)
                added["base_weight"] = np.quantile(catalog["base_weight"], 0.9) * rng.uniform(0.2, 1.5, new_count)
                catalog = self.catalogs[line] = pd.concat([catalog, added], ignore_index=True)
            repriced = np.empty(0, dtype=np.int64)
            if DAILY_PRICE_CHANGE_RATE[line]:
                repriced = rng.choice(len(catalog), size=rng.poisson(len(catalog) * DAILY_PRICE_CHANGE_RATE[line]), replace=False)
                factors = rng.choice([0.8, 0.9, 1.1, 1.2], size=len(repriced))
                prices = catalog["list_price_usd"].to_numpy()
                catalog.loc[repriced, "list_price_usd"] = np.maximum(0.99, np.round(prices[repriced] * factors) - 0.01)
            changed = np.union1d(repriced, np.arange(len(catalog) - new_count, len(catalog)))
        rows = catalog.iloc[changed]
        updated = utc_text(day_start + rng.integers(0, 86_400, size=len(rows)))
        if line == "books":
            return pd.DataFrame({
                "id": rows["item_id"], "isbn": rows["isbn"], "title": rows["title"], "author": rows["creator"],
                "genre": rows["genre"], "format": rows["format"], "price": money_text(rows["list_price_usd"]),
                "currency": "USD", "year": rows["year"], "updated": updated,
            })
        if line == "flicks":
            return pd.DataFrame({
                "id": rows["item_id"], "title": rows["title"], "type": rows["title_type"], "genre": rows["genre"],
                "studio": rows["creator"], "year": rows["year"], "runtime": rows["runtime_minutes"], "updated": updated,
            })
        if line == "music":
            return pd.DataFrame({
                "id": rows["item_id"], "name": rows["title"], "artist": rows["creator"], "album": rows["album"],
                "genre": rows["genre"], "duration": rows["duration_seconds"], "year": rows["year"], "updated": updated,
            })
        return pd.DataFrame({
            "id": rows["item_id"], "sku": rows["sku"], "name": rows["title"], "category": rows["genre"],
            "subcategory": rows["subcategory"], "brand": rows["creator"], "price": money_text(rows["list_price_usd"]),
            "currency": "USD", "updated": updated,
        })

    # ------------------------------------------------------------------ demand
    def _draw_accounts(self, rng, weights: np.ndarray, expected: float) -> np.ndarray:
        count = rng.poisson(expected)
        if count == 0 or weights.sum() <= 0:
            return np.empty(0, dtype=np.int64)
        return np.sort(rng.choice(len(weights), size=count, p=weights / weights.sum()))

    def _pick_items(self, line, rng, view: LineAccounts, accounts: np.ndarray, day_number: int) -> np.ndarray:
        """Items for events: from the account's favourite genres 60% of the time, else by overall popularity."""
        catalog = self.catalogs[line]
        weights = popularity_today(catalog, day_number)
        genres = catalog["genre"].to_numpy()
        items = np.empty(len(accounts), dtype=np.int64)
        use_favourite = rng.random(len(accounts)) < FAVOURITE_SHARE
        which = rng.integers(0, 2, size=len(accounts))
        wanted = np.array([view.favourites[account][slot] for account, slot in zip(accounts, which)], dtype=object)
        anywhere = ~use_favourite
        for genre in sorted(set(wanted[use_favourite])):
            events = np.flatnonzero(use_favourite & (wanted == genre))
            in_genre = np.flatnonzero(genres == genre)
            if len(in_genre) == 0:
                anywhere[events] = True
                continue
            items[events] = rng.choice(in_genre, size=len(events), p=weights[in_genre] / weights[in_genre].sum())
        if anywhere.any():
            items[anywhere] = rng.choice(len(catalog), size=int(anywhere.sum()), p=weights / weights.sum())
        return items

    def _times(self, rng, day_start: float, count: int) -> np.ndarray:
        hours = rng.choice(24, size=count, p=HOUR_WEIGHTS)
        return day_start + hours * 3600 + rng.integers(0, 3600, size=count)

    def _engagement(self, line, rng, view, day_number, day_start, rhythm):
        weights = view.activity.copy()
        if line in ("flicks", "music"):
            subscribed = self.memberships[line].active_accounts(len(weights))
            weights = weights * np.where(subscribed, 2.0, 0.35 if line == "music" else 0.1)
        expected = ENGAGEMENT_RATE[line] * view.activity.size * rhythm
        if DEMAND_UNITS[line] == "engagement_events":
            per_item = np.full(len(self.catalogs[line]), expected)
            self._record_expected_demand(line, view, weights, day_number, per_item)
        accounts = self._draw_accounts(rng, weights, expected)
        count = len(accounts)
        types, probabilities = zip(*ENGAGEMENT_TYPES[line])
        event_type = rng.choice(np.array(types, dtype=object), size=count, p=probabilities)
        items = self._pick_items(line, rng, view, accounts, day_number)
        at = np.sort(self._times(rng, day_start, count))
        catalog = self.catalogs[line]
        ids = self._next_ids(f"{LINE_CODES[line]}E{date.fromordinal(day_number):%y%m%d}", count)
        item_ids = catalog["item_id"].to_numpy()[items]
        account_ids = view.ids[accounts]
        if line == "books":
            minutes = np.select(
                [event_type == "read", event_type == "sample"],
                [rng.lognormal(3.2, 0.6, count), rng.uniform(1, 10, count)], 0.0)
            frame = pd.DataFrame({"id": ids, "account": account_ids, "item": item_ids, "type": event_type,
                                  "minutes": money_text(minutes), "at": utc_text(at)})
        elif line == "flicks":
            runtime = catalog["runtime_minutes"].to_numpy()[items]
            minutes = np.select(
                [event_type == "stream", event_type == "trailer"],
                [runtime * rng.beta(2.5, 1.0, count), rng.uniform(1, 3, count)], 0.0)
            devices, device_p = zip(*DEVICES)
            offsets = np.array([UTC_OFFSET_HOURS[country] for country in view.country[accounts]], dtype=np.int64)
            frame = pd.DataFrame({"id": ids, "account": account_ids, "item": item_ids, "type": event_type,
                                  "minutes": money_text(minutes),
                                  "device": rng.choice(np.array(devices, dtype=object), size=count, p=device_p),
                                  "at": local_text(at, offsets)})
        elif line == "music":
            duration = catalog["duration_seconds"].to_numpy()[items]
            seconds = np.select(
                [event_type == "listen", event_type == "skip"],
                [np.round(duration * rng.beta(6, 1, count)), rng.integers(5, 30, count)], 0).astype(np.int64)
            frame = pd.DataFrame({"id": ids, "account": account_ids, "item": item_ids, "type": event_type,
                                  "seconds": seconds, "at": utc_text(at)})
        else:
            seconds = np.where(event_type == "view", np.round(rng.lognormal(3.5, 0.9, count)), 0).astype(np.int64)
            frame = pd.DataFrame({"id": ids, "account": account_ids, "item": item_ids, "type": event_type,
                                  "seconds": seconds, "at": utc_text(at)})
        consumed = None
        if line in CONSUME_EVENT:
            mask = event_type == CONSUME_EVENT[line]
            consumed = (accounts[mask], items[mask], at[mask])
        self._engagement_today[line] = np.bincount(accounts, minlength=len(view.activity))
        # The rate of each account's Poisson count of events today, which the churn truth averages over.
        self._expected_events_today[line] = (
            ENGAGEMENT_RATE[line] * view.activity.size * rhythm * weights / max(1e-300, weights.sum())
        )
        return frame, consumed

    def _orders(self, line, rng, view, day_number, day_start, rhythm):
        expected = ORDER_RATE[line] * view.activity.size * rhythm
        if DEMAND_UNITS[line] == "units_sold":
            per_item = expected * self._expected_units_per_order(line)
            self._record_expected_demand(line, view, view.activity, day_number, per_item)
        accounts = self._draw_accounts(rng, view.activity, expected)
        orders = len(accounts)
        counts, count_p = LINES_PER_ORDER[line]
        line_counts = rng.choice(list(counts), size=orders, p=list(count_p))
        order_ids = np.array(self._next_ids(f"{LINE_CODES[line]}O{date.fromordinal(day_number):%y%m%d}", orders), dtype=object)
        order_at = self._times(rng, day_start, orders)
        order_of_line = np.repeat(np.arange(orders), line_counts)
        line_number = np.concatenate([np.arange(1, count + 1) for count in line_counts]) if orders else np.empty(0, dtype=np.int64)
        line_accounts = accounts[order_of_line]
        items = self._pick_items(line, rng, view, line_accounts, day_number)
        catalog = self.catalogs[line]
        units, units_p = UNITS_PER_LINE[line]
        if line == "books":
            digital = np.isin(catalog["format"].to_numpy()[items], list(DIGITAL_BOOK_FORMATS))
            quantity = np.where(digital, 1, rng.choice(list(units), size=len(items), p=list(units_p)))
        else:
            quantity = rng.choice(list(units), size=len(items), p=list(units_p))
        currency = view.currency[line_accounts]
        unit_price = localize_price(catalog["list_price_usd"].to_numpy()[items], currency)
        gross = np.round(quantity * unit_price, 2)
        discounted = rng.random(len(items)) < 0.12
        discount = np.where(discounted, np.round(gross * rng.choice([0.10, 0.15, 0.20, 0.25], size=len(items)), 2), 0.0)
        frame = pd.DataFrame({
            "order": order_ids[order_of_line], "line": line_number, "account": view.ids[line_accounts],
            "item": catalog["item_id"].to_numpy()[items], "quantity": quantity, "price": money_text(unit_price),
            "discount": money_text(discount), "currency": currency, "at": utc_text(order_at[order_of_line]),
        })
        refunded = np.flatnonzero(rng.random(len(items)) < REFUND_RATE[line])
        net = gross - discount
        delays = rng.integers(1, 11, size=len(refunded))
        halves = rng.random(len(refunded)) < 0.3
        for position, delay, half in zip(refunded, delays, halves):
            amount = round(net[position] / 2, 2) if half else round(net[position], 2)
            if amount > 0:
                self.refunds_owed.setdefault((line, day_number + int(delay)), []).append({
                    "account": view.ids[line_accounts[position]], "membership": None,
                    "order": order_ids[order_of_line[position]], "amount": amount, "currency": currency[position],
                })
        return frame, (line_accounts, items, order_at[order_of_line])

    def _expected_units_per_order(self, line: str) -> np.ndarray:
        """Expected units an order puts on each catalog item: lines per order x units per line."""
        counts, count_p = LINES_PER_ORDER[line]
        units, units_p = UNITS_PER_LINE[line]
        per_line = np.full(len(self.catalogs[line]), float(np.dot(units, units_p)))
        if line == "books":
            per_line[np.isin(self.catalogs[line]["format"].to_numpy(), list(DIGITAL_BOOK_FORMATS))] = 1.0
        return float(np.dot(counts, count_p)) * per_line

    def _record_expected_demand(self, line, view, account_weights, day_number, expected_per_draw) -> None:
        """The day's expected demand per category, before the draw (demand_truth; no random numbers used)."""
        catalog = self.catalogs[line]
        day = date.fromordinal(day_number).isoformat()
        if account_weights.sum() <= 0:
            expected = np.zeros(len(catalog))
        else:
            chance = item_probabilities(catalog, day_number, account_weights, view.favourites, FAVOURITE_SHARE)
            expected = chance * expected_per_draw
        self._expected_demand.append(expected_by_category(day, line, catalog, expected))

    def _reviews(self, line, rng, view, day_start, consumed) -> pd.DataFrame:
        accounts, items, at = consumed
        chosen = np.flatnonzero(rng.random(len(accounts)) < REVIEW_RATE[line])
        catalog = self.catalogs[line]
        quality = catalog["quality"].to_numpy()[items[chosen]]
        rating = np.clip(np.round(quality + rng.normal(0, 0.9, len(chosen))), 1, 5).astype(np.int64)
        written = at[chosen] + np.floor(rng.random(len(chosen)) * (day_start + 86_399 - at[chosen]))
        order = np.argsort(written, kind="stable")
        chosen, rating, written = chosen[order], rating[order], written[order]
        has_text = rng.random(len(chosen)) < 0.6
        phrase = rng.integers(0, 1_000, size=len(chosen))
        texts = [
            REVIEW_PHRASES[score][pick % len(REVIEW_PHRASES[score])] if text else None
            for score, pick, text in zip(rating, phrase, has_text)
        ]
        day_code = datetime.fromtimestamp(day_start, timezone.utc).strftime("%y%m%d")
        return pd.DataFrame({
            "id": self._next_ids(f"{LINE_CODES[line]}R{day_code}", len(chosen)),
            "account": view.ids[accounts[chosen]], "item": catalog["item_id"].to_numpy()[items[chosen]],
            "rating": rating, "text": texts, "at": utc_text(written),
        })

    # ------------------------------------------------------------------ memberships and billing
    def _memberships(self, line, rng, view, day_number, day_start, first, new_accounts):
        book = self.memberships[line]
        # How engaged each account was today against its usual level, smoothed by its usual level: what
        # makes a member likelier to cancel when it falls.
        usual = view.activity / max(1e-9, view.activity.mean())
        engagement = 0.5 * self._engagement_today[line] / max(1e-9, ENGAGEMENT_RATE[line]) + 0.5 * usual
        self._membership_hazards.append(hazards_as_day_starts(
            book, day_number, f"{LINE_CODES[line]}-M", self._expected_events_today[line],
            0.5 / max(1e-9, ENGAGEMENT_RATE[line]), 0.5 * usual))
        # The first day of the export carries every membership active at the start of the day.
        snapshot = np.flatnonzero(book.status == 0) if first else np.empty(0, dtype=np.int64)
        snapshot_plan = book.plan[snapshot].copy()
        joiners = book.choose_joiners(rng, len(view.activity), np.array(new_accounts, dtype=np.int64))
        events = book.step(rng, day_number, day_start, engagement, joiners)

        changed = np.concatenate(events.change_membership) if events.change_membership else np.empty(0, dtype=np.int64)
        changed_at = np.concatenate(events.change_time) if events.change_time else np.empty(0)
        ended = book.ended_at[changed]
        all_changed = np.concatenate([snapshot, changed])
        all_at = np.concatenate([np.full(len(snapshot), day_start), changed_at])
        plans = np.concatenate([snapshot_plan, book.plan[changed]])
        statuses = np.concatenate([np.zeros(len(snapshot), dtype=np.int8), book.status[changed]])
        ended_text = np.concatenate([np.full(len(snapshot), None, dtype=object),
                                     np.where(np.isnan(ended), None, utc_text(np.nan_to_num(ended)))])
        order = np.lexsort((all_changed, all_at))
        id_prefix = f"{LINE_CODES[line]}-M"
        memberships = pd.DataFrame({
            "id": [f"{id_prefix}{index + 1:07d}" for index in all_changed[order]],
            "account": view.ids[book.account[all_changed[order]]],
            "plan": [book.plans[plan][0] for plan in plans[order]],
            "status": [STATUS_NAMES[status] for status in statuses[order]],
            "started": utc_text(book.started_at[all_changed[order]]),
            "ended": ended_text[order],
            "changed": utc_text(all_at[order]),
        })

        billed = np.concatenate(events.billing_membership) if events.billing_membership else np.empty(0, dtype=np.int64)
        billed_type = np.concatenate(events.billing_type) if events.billing_type else np.empty(0, dtype=object)
        billed_at = np.concatenate(events.billing_time) if events.billing_time else np.empty(0)
        currency = view.currency[book.account[billed]]
        amount = localize_price(book.plan_prices_usd[book.plan[billed]], currency)
        rows = {
            "account": list(view.ids[book.account[billed]]),
            "membership": [f"{id_prefix}{index + 1:07d}" for index in billed],
            "order": [None] * len(billed),
            "type": list(billed_type),
            "amount": list(amount),
            "currency": list(currency),
            "at": list(billed_at),
        }
        payments = np.flatnonzero(billed_type == "payment")
        for position in payments[rng.random(len(payments)) < MEMBERSHIP_REFUND_RATE]:
            self.refunds_owed.setdefault((line, day_number + 1), []).append({
                "account": rows["account"][position], "membership": rows["membership"][position], "order": None,
                "amount": float(amount[position]), "currency": currency[position],
            })
        for refund in self.refunds_owed.pop((line, day_number), []):
            for key, column in (("account", "account"), ("membership", "membership"), ("order", "order"),
                                ("amount", "amount"), ("currency", "currency")):
                rows[column].append(refund[key])
            rows["type"].append("refund")
            rows["at"].append(day_start + int(rng.integers(60, 86_340)))
        order = np.argsort(np.array(rows["at"], dtype=np.float64), kind="stable")
        billing = pd.DataFrame({key: np.array(values, dtype=object)[order] if values else [] for key, values in rows.items()})
        billing.insert(0, "id", self._next_ids(f"{LINE_CODES[line]}B{date.fromordinal(day_number):%y%m%d}", len(billing)))
        billing["amount"] = money_text(billing["amount"].to_numpy(dtype=np.float64)) if len(billing) else []
        billing["at"] = utc_text(billing["at"].to_numpy(dtype=np.float64)) if len(billing) else []
        if line not in ORDER_RATE:
            billing = billing.drop(columns="order")
        return memberships, billing

    # ------------------------------------------------------------------ ground truth
    def expected_demand(self) -> pd.DataFrame:
        """Expected demand units per day, business line and category, as the days were drawn."""
        if not self._expected_demand:
            return pd.DataFrame(columns=EXPECTED_DEMAND_COLUMNS)
        return pd.concat(self._expected_demand, ignore_index=True)

    def identity_truth(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"line": account.line, "account_id": account.account_id, "person_id": account.person.person_id,
             "email_variant": account.email_variant, "name_variant": account.name_variant,
             "household_id": account.person.household_id,
             "moved_before_sign_up": account.place != account.person.place}
            for line in BUSINESS_LINES for account in self.population.accounts[line]
        ])

    def people_truth(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"person_id": person.person_id, "first_name": person.first_name, "last_name": person.last_name,
             "country": PLACES[person.place][0], "region": PLACES[person.place][2], "city": PLACES[person.place][3],
             "household_id": person.household_id,
             "favourite_genre_1": person.story_genres[0], "favourite_genre_2": person.story_genres[1],
             "favourite_music_1": person.music_genres[0], "favourite_music_2": person.music_genres[1],
             "favourite_mart_category": person.mart_category}
            for person in self.population.people
        ])

    def membership_hazards(self) -> pd.DataFrame:
        """Each membership's true risk of ending, on every day it was active as the day started (churn_truth)."""
        if not self._membership_hazards:
            return pd.DataFrame(columns=MEMBERSHIP_HAZARD_COLUMNS)
        return pd.concat(self._membership_hazards, ignore_index=True)
