"""Simulated people and the accounts they hold in each business, typed the way real people type them.

One person may hold an account in Books, Flicks, Music and Mart. Each business's sign-up form recorded
what the person typed that day, and nothing here protects a matcher from what real populations do:

* names are drawn with the frequencies of the US census (``names`` package: 1,219 male and 4,275 female
  first names, 88,799 last names), so common names are common and namesakes share a city as often as
  those frequencies imply;
* a name may be typed in another case or order ("Smith, Mary"), under a nickname (Bob for Robert, from
  the ``nicknames`` package's table), or with a one-letter typo;
* an email may carry capitals, Gmail's ignored dots, a plus-tag or googlemail.com; a transposed or
  dropped letter (which may land on somebody else's address); a different address altogether; or be
  missing;
* household members share a city and mostly a last name, and some share one mailbox;
* some people move city, so their later accounts carry another place; some leave region or city empty.

The rates are the constants below (and in docs/data-flow.md). Who is who really, the ground truth, is kept
apart for the tests and the identity evaluation.
"""

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate

from vision_assets.identity.normalize import PLUS_ADDRESSING_DOMAINS, nicknames_of, normalize_email
from vision_assets.simulate.reference import (
    EMAIL_DOMAINS,
    MART_CATEGORIES,
    MUSIC_AFFINITY,
    PLACES,
    STORY_GENRES,
)

LINE_ACCOUNT_PREFIX = {"books": "BK", "flicks": "FL", "music": "MU", "mart": "MT"}
# The share of people who hold an account in each business.
LINE_REACH = {"books": 0.45, "flicks": 0.55, "music": 0.60, "mart": 0.70}

# How people and their typing make identity hard: each rate is a probability, per person or per account.
HOUSEHOLD_RATE = 0.08  # a new person joins an existing person's household (same city)
HOUSEHOLD_SHARES_LAST_NAME = 0.75  # ... and has that person's last name
HOUSEHOLD_SHARES_MAILBOX = 0.5  # ... and uses the household's one mailbox
GOES_BY_NICKNAME_RATE = 0.35  # a person whose first name has nicknames goes by one of them
TYPES_NICKNAME_RATE = 0.6  # ... and types it, rather than the formal name, on a given sign-up form
NAME_TYPO_RATE = 0.04  # an account's name has one letter dropped, doubled, swapped or mistyped
EMAIL_TYPO_RATE = 0.04  # an account's email has one letter dropped or two letters swapped
OTHER_EMAIL_RATE = 0.03  # an account carries a different address (a work email) altogether
MISSING_EMAIL_RATE = 0.02  # an account has no email (signed up by phone)
MISSING_PLACE_RATE = 0.02  # an account left its region and city empty
MOVE_RATE = 0.10  # a person moves city once, sometime in the three years around the first day
MOVE_ABROAD_RATE = 0.15  # ... to another country

_GMAIL_ALIASES = ("gmail.com", "googlemail.com")
_PLUS_TAGS = {"books": ("books", "reading"), "flicks": ("flicks", "tv"), "music": ("music", "spotify"),
              "mart": ("shopping", "mart", "deals")}
_WORK_DOMAINS = ("acme-corp.com", "globex.io", "initech.com", "umbrella.org", "hooli.com", "vandelay.net")
# Keys next to each other on a QWERTY keyboard: the letters a slipping finger types instead.
_KEYBOARD_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}


@dataclass(frozen=True)
class CensusNames:
    """One census name list: the names in frequency order and their cumulative weights for drawing."""

    names: tuple[str, ...]
    cumulative_weights: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative_weights)[0]


@cache
def census_names(kind: str) -> CensusNames:
    """``kind`` is ``male.first``, ``female.first`` or ``all.last``: the files the ``names`` package ships.

    Each line is NAME, its per cent of the population, the cumulative per cent and its rank.
    """
    text = resources.files("names").joinpath(f"dist.{kind}").read_text()
    rows = [line.split() for line in text.splitlines() if line.strip()]
    names = tuple(_title(row[0]) for row in rows)
    # Ranks past the file's precision carry 0.000 per cent; they are still names real people have.
    weights = [max(float(row[1]), 0.0005) for row in rows]
    return CensusNames(names, tuple(accumulate(weights)))


def _title(name: str) -> str:
    titled = name.capitalize()
    if titled.startswith("Mc") and len(titled) > 2:
        return "Mc" + titled[2:].capitalize()
    return titled


@dataclass
class Person:
    person_id: str
    first_name: str
    last_name: str
    place: int
    email: str
    story_genres: tuple[str, str]
    music_genres: tuple[str, str]
    mart_category: str
    activity: float
    loyalty: float
    nickname: str | None = None
    household_id: str | None = None
    moved_at: float | None = None  # seconds since the epoch, UTC; accounts opened later carry the new place
    new_place: int | None = None

    def place_at(self, seconds: float) -> int:
        if self.moved_at is not None and self.new_place is not None and seconds >= self.moved_at:
            return self.new_place
        return self.place


@dataclass
class Account:
    line: str
    account_id: str
    person: Person
    place: int
    name_as_typed: str
    email_as_typed: str | None
    region_as_typed: str | None
    city_as_typed: str | None
    postal_code: str | None
    signed_up_at: float  # seconds since the epoch, UTC
    activity: float
    email_variant: str
    name_variant: str


class Population:
    """Everyone simulated so far, with the provider's registry of mailboxes taken."""

    def __init__(self, rng: random.Random, moves_around: float = 0.0) -> None:
        """``moves_around``: the simulation's first day (epoch seconds), around which people move city."""
        self._rng = rng
        self._moves_around = moves_around
        self.people: list[Person] = []
        self.accounts: dict[str, list[Account]] = {line: [] for line in LINE_ACCOUNT_PREFIX}
        self.lines_by_person: dict[str, set[str]] = {}
        self._mailboxes: set[str] = set()
        self._place_weights = [place[5] for place in PLACES]
        self._domains = [domain for domain, _ in EMAIL_DOMAINS]
        self._domain_weights = [weight for _, weight in EMAIL_DOMAINS]
        self._story_weights = [1.0 / (rank + 2) for rank in range(len(STORY_GENRES))]

    def add_person(self) -> Person:
        rng = self._rng
        first = census_names("male.first" if rng.random() < 0.5 else "female.first").draw(rng)
        head = rng.choice(self.people) if self.people and rng.random() < HOUSEHOLD_RATE else None
        if head is not None:
            last = head.last_name if rng.random() < HOUSEHOLD_SHARES_LAST_NAME else census_names("all.last").draw(rng)
            place = head.place
            household_id = head.household_id or head.person_id
            head.household_id = household_id
            email = head.email if rng.random() < HOUSEHOLD_SHARES_MAILBOX else self._new_mailbox(first, last)
        else:
            last = census_names("all.last").draw(rng)
            place = rng.choices(range(len(PLACES)), self._place_weights)[0]
            household_id = None
            email = self._new_mailbox(first, last)
        story = tuple(rng.sample(STORY_GENRES, 2, counts=None)) if rng.random() < 0.3 else tuple(
            _weighted_distinct(rng, STORY_GENRES, self._story_weights, 2)
        )
        music = (rng.choice(MUSIC_AFFINITY[story[0]]), rng.choice(MUSIC_AFFINITY[story[1]]))
        person = Person(
            person_id=f"P{len(self.people) + 1:07d}",
            first_name=first,
            last_name=last,
            place=place,
            email=email,
            story_genres=story,  # type: ignore[arg-type]
            music_genres=music,
            mart_category=rng.choice(sorted(MART_CATEGORIES)),
            activity=rng.lognormvariate(0.0, 0.8),
            loyalty=rng.betavariate(4, 1.5),
            household_id=household_id,
        )
        nicknames = _nicknames(first)
        if nicknames and rng.random() < GOES_BY_NICKNAME_RATE:
            person.nickname = rng.choice(nicknames).capitalize()
        if rng.random() < MOVE_RATE:
            person.moved_at = float(int(self._moves_around + rng.uniform(-3 * 365, 365) * 86_400))
            person.new_place = self._move_destination(place)
        self.people.append(person)
        return person

    def open_account(self, person: Person, line: str, signed_up_at: float) -> Account:
        rng = self._rng
        email, email_variant = self._typed_email(person, line)
        name, name_variant = _typed_name(rng, person)
        place = person.place_at(signed_up_at)
        city = PLACES[place][3]
        region: str | None = PLACES[place][2]
        city_as_typed: str | None = (
            rng.choice((city, city.lower(), city.upper(), f" {city}")) if rng.random() < 0.1 else city
        )
        if rng.random() < MISSING_PLACE_RATE:
            region, city_as_typed = None, None
        account = Account(
            line=line,
            account_id=f"{LINE_ACCOUNT_PREFIX[line]}-{len(self.accounts[line]) + 1:07d}",
            person=person,
            place=place,
            name_as_typed=name,
            email_as_typed=email,
            region_as_typed=region,
            city_as_typed=city_as_typed,
            postal_code=None if rng.random() < 0.1 else f"{PLACES[place][4]} {rng.randint(10, 99)}",
            signed_up_at=signed_up_at,
            activity=person.activity * rng.lognormvariate(0.0, 0.4),
            email_variant=email_variant,
            name_variant=name_variant,
        )
        self.accounts[line].append(account)
        self.lines_by_person.setdefault(person.person_id, set()).add(line)
        return account

    def retype_email(self, account: Account) -> None:
        """The customer edits their email in their profile: another spelling of the same address."""
        account.email_as_typed, account.email_variant = self._typed_email(account.person, account.line)

    def _new_mailbox(self, first: str, last: str) -> str:
        """An address no one holds yet: a provider never hands out one mailbox twice."""
        rng = self._rng
        domain = rng.choices(self._domains, self._domain_weights)[0]
        first_l, last_l = first.lower(), last.lower()
        patterns = (f"{first_l}.{last_l}", f"{first_l}{last_l}", f"{first_l[0]}{last_l}", f"{first_l}_{last_l}",
                    f"{last_l}.{first_l}")
        local = rng.choice(patterns)
        while normalize_email(f"{local}@{domain}") in self._mailboxes:
            local = f"{rng.choice(patterns)}{rng.randint(1, 999)}"
        email = f"{local}@{domain}"
        self._mailboxes.add(normalize_email(email))
        return email

    def _move_destination(self, place: int) -> int:
        rng = self._rng
        country = PLACES[place][0]
        candidates = [
            index for index, other in enumerate(PLACES)
            if index != place and (other[0] == country) != (rng.random() < MOVE_ABROAD_RATE)
        ]
        candidates = candidates or [index for index in range(len(PLACES)) if index != place]
        return rng.choices(candidates, [self._place_weights[index] for index in candidates])[0]

    def _typed_email(self, person: Person, line: str) -> tuple[str | None, str]:
        rng = self._rng
        local, _, domain = person.email.partition("@")
        roll = rng.random()
        if roll < MISSING_EMAIL_RATE:
            return None, "missing"
        roll -= MISSING_EMAIL_RATE
        if roll < OTHER_EMAIL_RATE:
            work = f"{person.first_name[0].lower()}{person.last_name.lower()}{rng.randint(1, 9999)}@{rng.choice(_WORK_DOMAINS)}"
            return work, "different_address"
        roll -= OTHER_EMAIL_RATE
        if roll < EMAIL_TYPO_RATE:
            typo = _with_typo(rng, local)
            if typo != local:
                return f"{typo}@{domain}", "typo"
        variants = []
        if domain == "gmail.com" and rng.random() < 0.35:
            local = local.replace(".", "") if "." in local else _insert_dot(rng, local)
            variants.append("gmail_dots")
        if domain == "gmail.com" and rng.random() < 0.1:
            domain = _GMAIL_ALIASES[1]
            variants.append("googlemail")
        if domain in PLUS_ADDRESSING_DOMAINS and rng.random() < 0.2:
            local = f"{local}+{rng.choice(_PLUS_TAGS[line])}"
            variants.append("plus_tag")
        email = f"{local}@{domain}"
        if rng.random() < 0.15:
            email = email.title() if rng.random() < 0.7 else email.upper()
            variants.append("case")
        return email, "+".join(variants) or "exact"


@cache
def _nicknames(first_name: str) -> tuple[str, ...]:
    """The nicknames a person could go by today: those the census also records as given names.

    The nickname table also lists archaic forms (Dobbin and Hob for Robert) that nobody types any more.
    """
    given = {name.lower() for kind in ("male.first", "female.first") for name in census_names(kind).names}
    return tuple(nickname for nickname in nicknames_of(first_name) if nickname in given)


def _typed_name(rng: random.Random, person: Person) -> tuple[str, str]:
    first, last = person.first_name, person.last_name
    variants = []
    if person.nickname and rng.random() < TYPES_NICKNAME_RATE:
        first = person.nickname
        variants.append("nickname")
    if rng.random() < NAME_TYPO_RATE:
        if rng.random() < 0.5:
            first = _name_typo(rng, first)
        else:
            last = _name_typo(rng, last)
        variants.append("typo")
    typed, layout = _name_layout(rng, first, last)
    if layout != "exact":
        variants.append(layout)
    return typed, "+".join(variants) or "exact"


def _name_layout(rng: random.Random, first: str, last: str) -> tuple[str, str]:
    """How the form got the name: as written, in one case, last name first, or with extra spaces."""
    roll = rng.random()
    if roll < 0.55:
        return f"{first} {last}", "exact"
    if roll < 0.63:
        return f"{first} {last}".lower(), "lower"
    if roll < 0.70:
        return f"{first} {last}".upper(), "upper"
    if roll < 0.85:
        return f"{last}, {first}", "last_first"
    return f"{first}   {last}", "extra_spaces"


def _name_typo(rng: random.Random, name: str) -> str:
    """One slip of the finger inside a name (never its first letter, which people rarely get wrong)."""
    if len(name) < 3:
        return name
    index = rng.randrange(1, len(name))
    kind = rng.random()
    if kind < 0.3:
        return name[:index] + name[index + 1:]  # dropped
    if kind < 0.5:
        return name[:index] + name[index] + name[index:]  # doubled
    if kind < 0.75 and index < len(name) - 1:
        return name[:index] + name[index + 1] + name[index] + name[index + 2:]  # swapped
    neighbours = _KEYBOARD_NEIGHBOURS.get(name[index].lower())
    return name[:index] + rng.choice(neighbours) + name[index + 1:] if neighbours else name  # mistyped


def _with_typo(rng: random.Random, local: str) -> str:
    letters = [index for index, char in enumerate(local) if char.isalpha()]
    if len(letters) < 3:
        return local
    index = rng.choice(letters[1:-1])
    if rng.random() < 0.5:
        return local[:index] + local[index + 1:]  # a dropped letter
    return local[:index - 1] + local[index] + local[index - 1] + local[index + 1:]  # two letters swapped


def _insert_dot(rng: random.Random, local: str) -> str:
    position = rng.randint(1, max(1, len(local) - 1))
    return local[:position] + "." + local[position:]


def _weighted_distinct(rng: random.Random, values, weights, count: int) -> list:
    chosen: list = []
    while len(chosen) < count:
        value = rng.choices(values, weights)[0]
        if value not in chosen:
            chosen.append(value)
    return chosen


def accounts_and_truth(population: Population):
    """Every account as staging presents it to identity resolution, and who really holds each one.

    Returns (accounts, truth): ``accounts`` has the columns ``vision_assets.identity.resolve`` takes,
    ``truth`` has ``account_key`` and, as the simulator's ``identity.csv``, ``line``, ``account_id`` and
    ``person_id``. For benchmarks and tests that resolve a population
    without building the warehouse.
    """
    import pandas as pd

    rows = [
        {
            "account_key": f"{line}:{account.account_id}",
            "business_line": line,
            "customer_name": account.name_as_typed.strip() or None,
            "email": (account.email_as_typed or "").strip() or None,
            "country_code": PLACES[account.place][0],
            "region": account.region_as_typed,
            "city": (account.city_as_typed or "").strip() or None,
            "signed_up_at": pd.Timestamp(account.signed_up_at, unit="s", tz="UTC"),
            "line": line,
            "account_id": account.account_id,
            "person_id": account.person.person_id,
        }
        for line, accounts in population.accounts.items()
        for account in accounts
    ]
    frame = pd.DataFrame(rows)
    truth_columns = ["account_key", "line", "account_id", "person_id"]
    return frame.drop(columns=truth_columns[1:]), frame[truth_columns]
