"""The standard forms of each account that the linkage model compares, added as columns.

Everything here is a function of one account (or, for shared mailboxes, of the accounts that typed one
address), so it runs the same on any input and costs one pass over the table.
"""

import duckdb
import pandas as pd

from vision_assets.identity.normalize import first_name_forms, normalize_email, split_person_name

ACCOUNT_COLUMNS = (
    "account_key", "business_line", "customer_name", "email", "country_code", "region", "city", "signed_up_at",
)
# Two first names typed under one mailbox are the same person's when they are equal, nickname-related or
# this close (Jaro-Winkler): a one-letter typo stays above it, a sister or a husband falls far below.
SAME_FIRST_NAME_SIMILARITY = 0.85


class AccountsInputError(ValueError):
    """The accounts handed to identity resolution cannot be resolved as given."""


def _clean_text(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.strip()
    return text.where(text.fillna("") != "", None)


def with_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """``accounts`` with the compared forms added; raises AccountsInputError on a missing column or key."""
    missing = [column for column in ACCOUNT_COLUMNS if column not in accounts.columns]
    if missing:
        raise AccountsInputError(f"accounts lack the column(s) {', '.join(missing)}; expected {', '.join(ACCOUNT_COLUMNS)}")
    frame = accounts[list(ACCOUNT_COLUMNS)].reset_index(drop=True)
    # The keys come back exactly as given (type, spaces and all), so the result joins to the input.
    keys = frame["account_key"]
    blank = keys.isna() | (keys.astype(str).str.strip() == "")
    if blank.any():
        raise AccountsInputError(f"{int(blank.sum())} account(s) have no account_key")
    duplicated = keys[keys.duplicated()]
    if len(duplicated):
        examples = ", ".join(map(str, duplicated.unique()[:3]))
        raise AccountsInputError(f"account_key must be unique; {duplicated.nunique()} repeat, e.g. {examples}")
    for column in ("business_line", "customer_name", "email", "country_code", "region", "city"):
        frame[column] = _clean_text(frame[column])
    try:
        frame["signed_up_at"] = pd.to_datetime(frame["signed_up_at"], utc=True, format="mixed")
    except (ValueError, TypeError) as error:
        raise AccountsInputError(f"signed_up_at holds a value that is not a time: {error}") from error

    names = frame["customer_name"].dropna().unique()
    split = {name: split_person_name(name) for name in names}
    frame["first_name"] = frame["customer_name"].map(lambda name: split[name][0] if name in split else None)
    frame["last_name"] = frame["customer_name"].map(lambda name: split[name][1] if name in split else None)
    frame["first_name_forms"] = frame["first_name"].map(
        lambda first: list(first_name_forms(first)) if isinstance(first, str) else None
    )
    emails = frame["email"].dropna().unique()
    normalized = {email: normalize_email(email) for email in emails}
    frame["email_normalized"] = frame["email"].map(normalized).astype("string")
    parts = frame["email_normalized"].str.extract(r"^(?P<local>[^@]*)@(?P<domain>.*)$")
    frame["email_local"] = parts["local"]
    frame["email_domain"] = parts["domain"]
    frame["email_letters"] = frame["email_local"].str.replace(r"[^a-z]", "", regex=True)
    frame["country_code"] = frame["country_code"].str.upper()
    frame["city_key"] = frame["city"].str.lower().str.replace(r"\s+", " ", regex=True)
    frame["place_key"] = (frame["country_code"] + "|" + frame["city_key"]).where(frame["city_key"].notna(), None)
    frame["shared_mailbox"] = frame["email_normalized"].isin(shared_mailboxes(frame))
    return frame


def shared_mailboxes(frame: pd.DataFrame) -> set[str]:
    """Normalised emails typed under first names that cannot all be one person's: a household's mailbox.

    Two first names are one person's when some form of each (the name or a formal name it is short for)
    are equal, one typo apart or at least SAME_FIRST_NAME_SIMILARITY alike; names chain (Joan, Nonie,
    Nonei). A mailbox whose names fall into two or more such groups is shared, and its address says
    nothing about who is who, so the model treats it as missing rather than as the strongest evidence of
    all (which it is for everyone else).
    """
    typed = frame.loc[frame["email_normalized"].notna() & frame["first_name"].notna(),
                      ["email_normalized", "first_name", "first_name_forms"]].drop_duplicates(
        ["email_normalized", "first_name"])
    typed = typed[typed.duplicated("email_normalized", keep=False)]
    if typed.empty:
        return set()
    with duckdb.connect() as connection:
        connection.register("typed", typed)
        pairs = connection.execute(
            f"""
            with compared as (
                select
                    l.email_normalized,
                    l.first_name as left_name,
                    r.first_name as right_name,
                    list_max(list_transform(l.first_name_forms, lambda x: list_max(list_transform(
                        r.first_name_forms,
                        lambda y: case
                            when damerau_levenshtein(x, y) <= 1 then 1.0
                            else jaro_winkler_similarity(x, y)
                        end
                    )))) >= {SAME_FIRST_NAME_SIMILARITY} as same_person_name
                from typed as l
                join typed as r
                    on l.email_normalized = r.email_normalized
                    and l.first_name < r.first_name
            )
            select email_normalized, left_name, right_name, same_person_name
            from compared
            where email_normalized in (select email_normalized from compared where not same_person_name)
            """
        ).fetchall()
    names_by_mailbox: dict[str, list[tuple[str, str, bool]]] = {}
    for email, left, right, same in pairs:
        names_by_mailbox.setdefault(email, []).append((left, right, same))
    shared = set()
    for email, compared in names_by_mailbox.items():
        groups = _NameGroups()
        for left, right, same in compared:
            groups.add(left)
            groups.add(right)
            if same:
                groups.join(left, right)
        if groups.count() > 1:
            shared.add(email)
    return shared


class _NameGroups:
    """Union-find over the few first names typed under one mailbox."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def add(self, name: str) -> None:
        self._parent.setdefault(name, name)

    def _root(self, name: str) -> str:
        while self._parent[name] != name:
            self._parent[name] = self._parent[self._parent[name]]
            name = self._parent[name]
        return name

    def join(self, left: str, right: str) -> None:
        self._parent[self._root(left)] = self._root(right)

    def count(self) -> int:
        return len({self._root(name) for name in self._parent})
