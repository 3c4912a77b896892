"""The simulated population is as hard to resolve as a real one, at the rates the module declares."""

import random
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from vision_assets.identity.normalize import normalize_email
from vision_assets.simulate import identities
from vision_assets.simulate.identities import Population, accounts_and_truth, census_names
from vision_assets.simulate.world import World, epoch_seconds


@pytest.fixture(scope="module")
def population() -> Population:
    return World(date(2026, 10, 1), scale=2, seed=11).population


@pytest.fixture(scope="module")
def accounts(population):
    frame, truth = accounts_and_truth(population)
    return frame.merge(truth, on="account_key")


def test_names_follow_the_census_so_common_names_are_common(population):
    last_names = Counter(person.last_name for person in population.people)
    smith_share = last_names["Smith"] / len(population.people)
    # The 1990 census: Smith 1.006 % of the population, within a file that covers 90.5 % of it.
    assert 0.006 < smith_share < 0.017
    assert len(last_names) > len(population.people) / 3, "and the long tail is long"
    assert census_names("all.last").names[0] == "Smith"
    assert census_names("male.first").names[:3] == ("James", "John", "Robert")


def test_households_share_a_city_mostly_a_last_name_and_often_a_mailbox(population, accounts):
    households = [person for person in population.people if person.household_id]
    assert len(households) / len(population.people) == pytest.approx(2 * identities.HOUSEHOLD_RATE, rel=0.35)
    by_id = {person.person_id: person for person in population.people}
    members = [person for person in households if person.household_id != person.person_id]
    founders = [by_id[person.household_id] for person in members]
    assert all(member.place == founder.place for member, founder in zip(members, founders))
    same_name = sum(member.last_name == founder.last_name for member, founder in zip(members, founders))
    same_mailbox = sum(member.email == founder.email for member, founder in zip(members, founders))
    # A member copies the person they joined, who may be a member with another name or mailbox.
    assert same_name / len(members) > 0.6
    assert 0.3 < same_mailbox / len(members) < 0.6
    accounts = accounts.assign(mailbox=accounts["email"].map(lambda email: normalize_email(email) if email else None))
    people_per_mailbox = accounts.dropna(subset=["mailbox"]).groupby("mailbox")["person_id"].nunique()
    assert (people_per_mailbox > 1).sum() > 20, "strangers to a matcher, sharing one address"


def test_namesakes_share_a_city_as_often_as_name_frequencies_imply():
    """No guard keeps two John Smiths out of one city: the pairs of people sharing first name, last name
    and place number at least what independent draws from the marginal frequencies would give (households
    add more)."""
    population = Population(random.Random(8), moves_around=epoch_seconds(date(2026, 1, 1)))
    people = pd.DataFrame(
        [(person.first_name, person.last_name, person.place) for person in (population.add_person() for _ in range(40_000))],
        columns=["first", "last", "place"],
    )
    pairs = lambda counts: float((counts * (counts - 1) / 2).sum())
    squared_share = lambda column: float(((people[column].value_counts() / len(people)) ** 2).sum())
    expected = len(people) ** 2 / 2 * squared_share("first") * squared_share("last") * squared_share("place")
    observed = pairs(people.value_counts(["first", "last", "place"]))
    assert expected > 20
    assert observed >= 0.7 * expected


def test_accounts_carry_nicknames_typos_moves_and_gaps(population, accounts):
    account_list = [account for line in population.accounts.values() for account in line]
    share = lambda predicate: sum(map(predicate, account_list)) / len(account_list)
    assert share(lambda account: "nickname" in account.name_variant) > 0.02
    assert share(lambda account: "typo" in account.name_variant) == pytest.approx(identities.NAME_TYPO_RATE, rel=0.3)
    assert share(lambda account: account.email_as_typed is None) == pytest.approx(
        identities.MISSING_EMAIL_RATE, rel=0.35)
    assert share(lambda account: account.city_as_typed is None) == pytest.approx(
        identities.MISSING_PLACE_RATE, rel=0.35)
    moved = [person for person in population.people if person.moved_at is not None]
    assert len(moved) / len(population.people) == pytest.approx(identities.MOVE_RATE, rel=0.25)
    assert any(account.place != account.person.place for account in account_list), "later accounts carry the new city"


def test_a_person_who_goes_by_a_nickname_types_one_the_census_knows():
    rng = random.Random(5)
    population = Population(rng, moves_around=epoch_seconds(date(2026, 1, 1)))
    people = [population.add_person() for _ in range(3000)]
    given = {name.lower() for kind in ("male.first", "female.first") for name in census_names(kind).names}
    nicknamed = [person for person in people if person.nickname]
    assert nicknamed
    assert all(person.nickname.lower() in given for person in nicknamed)


def test_the_accounts_frame_is_what_staging_gives_identity_resolution(accounts):
    assert list(accounts.columns[:8]) == [
        "account_key", "business_line", "customer_name", "email", "country_code", "region", "city", "signed_up_at",
    ]
    assert accounts["account_key"].is_unique
    assert isinstance(accounts["signed_up_at"].iloc[0], pd.Timestamp)
