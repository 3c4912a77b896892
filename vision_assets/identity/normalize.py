"""What two differently typed names or emails have in common: the standard forms identity resolution compares.

Plain Python on plain strings, so the simulator (which must know which mailboxes a provider would treat
as one) and the matcher read addresses by the same rule.
"""

import re
import unicodedata
from functools import cache

from nicknames import NickNamer

# Providers that deliver ``local+tag@domain`` to ``local@domain``: the +tag says nothing about the person.
PLUS_ADDRESSING_DOMAINS: frozenset[str] = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "icloud.com", "fastmail.com"}
)
_SPACES = re.compile(r"\s+")
# Letters (of any script), apostrophes and hyphens belong to a name (a comma orders it); digits, dots and
# other marks are noise.
_NOT_NAME = re.compile(r"[^\w', -]|[\d_]")
# Titles and generational suffixes that forms may or may not carry: they say nothing about who it is.
_TITLES_AND_SUFFIXES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "iv"})


def normalize_email(email: str | None) -> str | None:
    """The mailbox a provider delivers to, or None when there is no usable address.

    Lower-cased and trimmed; googlemail.com read as gmail.com; Gmail's ignored dots dropped; plus-tags
    dropped where the provider ignores them.
    """
    if email is None:
        return None
    local, at, domain = email.strip().lower().partition("@")
    if not at or not local or not domain:
        return None
    domain = "gmail.com" if domain == "googlemail.com" else domain
    if domain in PLUS_ADDRESSING_DOMAINS:
        local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def split_person_name(name: str | None) -> tuple[str | None, str | None]:
    """(first name, last name) in lower case, whatever order, case and spacing the person typed.

    "Smith, Mary", "MARY  SMITH" and "Dr. Mary Smith Jr." all give ("mary", "smith"). Accents are folded
    to their base letters; other scripts are kept. A middle name is dropped: forms differ in whether they
    ask for one. A single word is taken as the last name.
    """
    if name is None:
        return None, None
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    words = [word.strip("'-") for word in _SPACES.sub(" ", _NOT_NAME.sub(" ", folded.replace(",", " , "))).split(" ")]
    words = [word for word in words if word and word.strip("'-") not in _TITLES_AND_SUFFIXES]
    if "," in words:
        comma = words.index(",")
        words = [*words[comma + 1:], *words[:comma]]
    words = [word for word in words if word != ","]
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    return words[0], words[-1]


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def first_name_forms(first_name: str) -> tuple[str, ...]:
    """The name and every formal name it can be short for, sorted: "bob" gives ("bob", "robert").

    Two first names that share a form are the same name as far as a nickname goes (Bob and Robert,
    Bobby and Rob). The table is the hand-curated English one of the ``nicknames`` package.
    """
    return tuple(sorted({first_name, *_nicknamer().canonicals_of(first_name)}))


@cache
def nicknames_of(first_name: str) -> tuple[str, ...]:
    """The nicknames the table knows for a formal first name, lower-cased and sorted."""
    return tuple(sorted(_nicknamer().nicknames_of(first_name.lower())))

