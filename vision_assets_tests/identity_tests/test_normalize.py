"""Names and emails typed differently read the same once normalised, and only then."""

import pytest

from vision_assets.identity.normalize import (
    first_name_forms,
    normalize_email,
    split_person_name,
)


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("Mary.Smith+books@GoogleMail.com", "marysmith@gmail.com"),
        ("  m.a.r.y.smith@gmail.com ", "marysmith@gmail.com"),
        ("mary+news@outlook.com", "mary@outlook.com"),
        # Yahoo keeps both the dots and the +: these are other mailboxes.
        ("mary.smith+x@yahoo.com", "mary.smith+x@yahoo.com"),
        ("no-at-sign.example.com", None),
        ("@gmail.com", None),
        ("", None),
        (None, None),
    ],
)
def test_an_email_reads_as_the_mailbox_its_provider_delivers_to(typed, mailbox):
    assert normalize_email(typed) == mailbox


@pytest.mark.parametrize(
    ("typed", "first_last"),
    [
        ("Mary Smith", ("mary", "smith")),
        ("Smith, Mary", ("mary", "smith")),
        ("MARY   SMITH", ("mary", "smith")),
        ("Mary Ann Smith", ("mary", "smith")),
        ("José Núñez", ("jose", "nunez")),
        ("O'Brien, Seán", ("sean", "o'brien")),
        ("Smith", (None, "smith")),
        ("  ", (None, None)),
        (None, (None, None)),
    ],
)
def test_a_name_splits_into_first_and_last_whatever_the_order_and_case(typed, first_last):
    assert split_person_name(typed) == first_last


def are_nickname_related(left: str, right: str) -> bool:
    """What the linkage model's nickname level asks: do the two names share a form?"""
    return bool(set(first_name_forms(left)) & set(first_name_forms(right)))


def test_a_nickname_shares_a_form_with_the_name_it_is_short_for():
    assert "robert" in first_name_forms("bob")
    assert are_nickname_related("bob", "robert")
    assert are_nickname_related("bobby", "rob"), "two nicknames of one name"
    assert not are_nickname_related("mary", "robert")
    assert first_name_forms("zebulon") == ("zebulon",)
