"""Simulated people and the accounts they hold in each business, typed the way real people type them.

One person may hold an account in Books, Flicks, Music and Mart. Each business's sign-up form recorded
what the person typed that day: the name in another case or order ("Smith, Mary"), the email with capitals,
with or without Gmail's ignored dots, with a plus-tag, under googlemail.com, and for a small share with a
typo or a different address altogether. That is what makes recognising one customer across the four
businesses a real problem; the simulator's ground truth (who is who) is kept apart for the tests.

Guarantees the identity tests rely on, enforced here rather than hoped for:

* two different people never share a normalised email (case, Gmail dots and plus-tags removed);
* two different people never share a name in the same city (homonyms live in different cities);
* a typo'd email never normalises to somebody else's address.
"""

import random
from dataclasses import dataclass

from vision_assets.simulate.reference import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    MART_CATEGORIES,
    MUSIC_AFFINITY,
    PLACES,
    PLUS_ADDRESSING,
    STORY_GENRES,
)

LINE_ACCOUNT_PREFIX = {"books": "BK", "flicks": "FL", "music": "MU", "mart": "MT"}
# The share of people who hold an account in each business.
LINE_REACH = {"books": 0.45, "flicks": 0.55, "music": 0.60, "mart": 0.70}
_GMAIL_ALIASES = ("gmail.com", "googlemail.com")
_PLUS_TAGS = {"books": ("books", "reading"), "flicks": ("flicks", "tv"), "music": ("music", "spotify"),
              "mart": ("shopping", "mart", "deals")}
_WORK_DOMAINS = ("acme-corp.com", "globex.io", "initech.com", "umbrella.org", "hooli.com", "vandelay.net")


def normalize_email(email: str) -> str:
    """The address a mailbox provider delivers to: the rule bridge_customer_account applies in dbt.

    Lower-cased; googlemail.com read as gmail.com; Gmail's dots dropped; plus-tags dropped where the
    provider ignores them.
    """
    local, _, domain = email.strip().lower().partition("@")
    domain = "gmail.com" if domain == "googlemail.com" else domain
    if domain in PLUS_ADDRESSING:
        local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


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


@dataclass
class Account:
    line: str
    account_id: str
    person: Person
    name_as_typed: str
    email_as_typed: str
    city_as_typed: str
    postal_code: str | None
    signed_up_at: float  # seconds since the epoch, UTC
    activity: float
    email_variant: str
    name_variant: str


class Population:
    """Everyone simulated so far, with the registries that keep identities unambiguous."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.people: list[Person] = []
        self.accounts: dict[str, list[Account]] = {line: [] for line in LINE_ACCOUNT_PREFIX}
        self.lines_by_person: dict[str, set[str]] = {}
        self._normalized_emails: set[str] = set()
        self._names_in_places: set[tuple[str, str, int]] = set()
        self._first_weights = [1.0 / (rank + 8) for rank in range(len(FIRST_NAMES))]
        self._last_weights = [1.0 / (rank + 5) for rank in range(len(LAST_NAMES))]
        self._place_weights = [place[5] for place in PLACES]
        self._domains = [domain for domain, _ in EMAIL_DOMAINS]
        self._domain_weights = [weight for _, weight in EMAIL_DOMAINS]
        self._story_weights = [1.0 / (rank + 2) for rank in range(len(STORY_GENRES))]

    def add_person(self) -> Person:
        rng = self._rng
        while True:
            first = rng.choices(FIRST_NAMES, self._first_weights)[0]
            last = rng.choices(LAST_NAMES, self._last_weights)[0]
            place = rng.choices(range(len(PLACES)), self._place_weights)[0]
            if (first, last, place) not in self._names_in_places:
                break
        self._names_in_places.add((first, last, place))
        email = self._unique_email(first, last)
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
        )
        self.people.append(person)
        return person

    def open_account(self, person: Person, line: str, signed_up_at: float) -> Account:
        rng = self._rng
        email, email_variant = self._typed_email(person, line)
        name, name_variant = _typed_name(rng, person)
        city = PLACES[person.place][3]
        city_as_typed = rng.choice((city, city.lower(), city.upper(), f" {city}")) if rng.random() < 0.1 else city
        postal_prefix = PLACES[person.place][4]
        account = Account(
            line=line,
            account_id=f"{LINE_ACCOUNT_PREFIX[line]}-{len(self.accounts[line]) + 1:07d}",
            person=person,
            name_as_typed=name,
            email_as_typed=email,
            city_as_typed=city_as_typed,
            postal_code=None if rng.random() < 0.1 else f"{postal_prefix} {rng.randint(10, 99)}",
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

    def _unique_email(self, first: str, last: str) -> str:
        rng = self._rng
        domain = rng.choices(self._domains, self._domain_weights)[0]
        first_l, last_l = first.lower(), last.lower()
        patterns = (f"{first_l}.{last_l}", f"{first_l}{last_l}", f"{first_l[0]}{last_l}", f"{first_l}_{last_l}",
                    f"{last_l}.{first_l}")
        local = rng.choice(patterns)
        while normalize_email(f"{local}@{domain}") in self._normalized_emails:
            local = f"{rng.choice(patterns)}{rng.randint(1, 999)}"
        email = f"{local}@{domain}"
        self._normalized_emails.add(normalize_email(email))
        return email

    def _typed_email(self, person: Person, line: str) -> tuple[str, str]:
        rng = self._rng
        local, _, domain = person.email.partition("@")
        roll = rng.random()
        if roll < 0.03:
            work = f"{person.first_name[0].lower()}{person.last_name.lower()}{rng.randint(1, 9999)}@{rng.choice(_WORK_DOMAINS)}"
            if normalize_email(work) not in self._normalized_emails:
                self._normalized_emails.add(normalize_email(work))
                return work, "different_address"
        if roll < 0.07:
            typo = _with_typo(rng, local)
            if typo != local and normalize_email(f"{typo}@{domain}") not in self._normalized_emails:
                self._normalized_emails.add(normalize_email(f"{typo}@{domain}"))
                return f"{typo}@{domain}", "typo"
        variants = []
        if domain == "gmail.com" and rng.random() < 0.35:
            local = local.replace(".", "") if "." in local else _insert_dot(rng, local)
            variants.append("gmail_dots")
        if domain == "gmail.com" and rng.random() < 0.1:
            domain = _GMAIL_ALIASES[1]
            variants.append("googlemail")
        if domain in PLUS_ADDRESSING and rng.random() < 0.2:
            local = f"{local}+{rng.choice(_PLUS_TAGS[line])}"
            variants.append("plus_tag")
        email = f"{local}@{domain}"
        if rng.random() < 0.15:
            email = email.title() if rng.random() < 0.7 else email.upper()
            variants.append("case")
        return email, "+".join(variants) or "exact"


def _typed_name(rng: random.Random, person: Person) -> tuple[str, str]:
    first, last = person.first_name, person.last_name
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
