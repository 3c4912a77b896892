"""The rules a landed value or row must keep beyond its type, declared in the contracts and checked at the door.

A contract states each rule once, as one of the small rule objects below; the loader checks it on every
landed row (a row that breaks it is quarantined with the rule's ``problem`` as its reason), and the raw
table's column descriptions end with the rule's ``statement``, so what an analyst reads in the Dagster UI
is what the loader enforces. The dbt tests of the staging models check the same things again, as a second
line: a row that reaches them has already passed here, so one bad row never fails a warehouse day.

Column rules see one column's converted values (missing values always pass: whether a value may be
missing is the column's ``nullable``). Row rules see the whole converted table-day and tie columns together
("``ended_at`` is set exactly when the membership is no longer active").

pandas, NumPy and pyarrow are imported when rows are checked, not with the rules: every process that reads
the contracts (a sensor tick, ``vision trust``) imports this module, most of them to check nothing.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from vision_assets.paths import DBT_PROJECT_DIR

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def _format_number(value: float) -> str:
    return f"{value:,g}" if abs(value) < 1e15 else f"{value:.0e}"


def _full_match(values: "pd.Series", pattern: str) -> "np.ndarray":
    """Which present values match ``pattern`` as a whole (RE2 syntax, which Python's ``re`` shares here)."""
    import pyarrow as pa  # when rows are checked (the module's docstring says why)
    import pyarrow.compute as pc

    text = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    matched = pc.match_substring_regex(text, f"^(?:{pattern})$")
    return pc.fill_null(matched, False).to_numpy(zero_copy_only=False)  # null (no value) is no match


# ------------------------------------------------------------------------------------------- column rules
@dataclass(frozen=True)
class OneOf:
    """The value is one of a fixed vocabulary, spelled exactly (case included)."""

    values: tuple[str, ...]

    @property
    def problem(self) -> str:
        return f"is not one of {', '.join(self.values)}"

    @property
    def statement(self) -> str:
        return f"One of {', '.join(self.values)}."

    def broken_by(self, values: "pd.Series") -> "pd.Series":
        return values.notna() & ~values.isin(self.values)


@dataclass(frozen=True)
class Between:
    """A number within bounds, both inclusive; a missing bound is no bound."""

    minimum: float | None = None
    maximum: float | None = None

    @property
    def problem(self) -> str:
        if self.maximum is None:
            return "is negative" if self.minimum == 0 else f"is below {_format_number(self.minimum)}"
        if self.minimum is None:
            return f"is above {_format_number(self.maximum)}"
        return f"is not between {_format_number(self.minimum)} and {_format_number(self.maximum)}"

    @property
    def statement(self) -> str:
        if self.maximum is None:
            return "Never negative." if self.minimum == 0 else f"At least {_format_number(self.minimum)}."
        if self.minimum is None:
            return f"At most {_format_number(self.maximum)}."
        return f"From {_format_number(self.minimum)} to {_format_number(self.maximum)}."

    def broken_by(self, values: "pd.Series") -> "pd.Series":
        import pandas as pd  # when rows are checked (the module's docstring says why)

        broken = pd.Series(False, index=values.index)
        if self.minimum is not None:
            broken |= (values < self.minimum).fillna(False).astype(bool)
        if self.maximum is not None:
            broken |= (values > self.maximum).fillna(False).astype(bool)
        return broken


@dataclass(frozen=True)
class Matches:
    """Text of a declared shape (a regular expression matched against the whole trimmed value)."""

    pattern: str
    what: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)

    @property
    def problem(self) -> str:
        return f"is not {self.what}"

    @property
    def statement(self) -> str:
        return f"Must be {self.what}."

    def broken_by(self, values: "pd.Series") -> "pd.Series":
        import pandas as pd  # when rows are checked (the module's docstring says why)

        return pd.Series(values.notna().to_numpy() & ~_full_match(values, self.pattern), index=values.index)


@dataclass(frozen=True)
class InCodeList:
    """A code from a published list (ISO 3166-1 countries, the currencies the warehouse has a rate for).

    The list is read on first use, not when the contracts are imported: every Dagster process imports them.
    """

    codes: Callable[[], frozenset[str]]
    what: str

    @property
    def problem(self) -> str:
        return f"is not {self.what}"

    @property
    def statement(self) -> str:
        return f"Must be {self.what}."

    def broken_by(self, values: "pd.Series") -> "pd.Series":
        return values.notna() & ~values.isin(self.codes())


@dataclass(frozen=True)
class Isbn13:
    """An ISBN-13: thirteen digits, the last the check digit of the first twelve (weights 1, 3, 1, 3, ...)."""

    problem = "is not a valid ISBN-13 (13 digits, the last one the check digit)"
    statement = "Must be a valid ISBN-13 (13 digits with its check digit)."

    def broken_by(self, values: "pd.Series") -> "pd.Series":
        import numpy as np  # when rows are checked (the module's docstring says why)
        import pandas as pd

        shaped = _full_match(values, "[0-9]{13}")
        valid = np.zeros(len(values), dtype=bool)
        if shaped.any():
            digits = np.array([list(map(int, text)) for text in values[shaped]], dtype=np.int64)
            weights = np.tile([1, 3], 7)[:13]
            valid[shaped] = (digits * weights).sum(axis=1) % 10 == 0
        return pd.Series(values.notna().to_numpy() & ~valid, index=values.index)


ColumnRule = OneOf | Between | Matches | InCodeList | Isbn13


# ------------------------------------------------------------------------------------------- row rules
@dataclass(frozen=True)
class _ConditionalRule:
    """A rule on ``column`` that depends on ``when_column`` being one of ``values``."""

    column: str
    when_column: str
    values: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.when_column)

    @property
    def condition(self) -> str:
        return f"{self.when_column} is {' or '.join(self.values)}"

    def applies(self, frame: "pd.DataFrame") -> "pd.Series":
        return frame[self.when_column].isin(self.values)


@dataclass(frozen=True)
class SetExactlyWhen(_ConditionalRule):
    """``column`` has a value exactly when ``when_column`` is one of ``values``, and is empty otherwise."""

    @property
    def problem(self) -> str:
        return f"{self.column} must be set exactly when {self.condition}"

    def broken_by(self, frame: "pd.DataFrame") -> "pd.Series":
        known = frame[self.when_column].notna()
        return known & (self.applies(frame) != frame[self.column].notna())


@dataclass(frozen=True)
class ZeroWhen(_ConditionalRule):
    """``column`` is 0 when ``when_column`` is one of ``values`` (a wish-list add has no minutes)."""

    @property
    def problem(self) -> str:
        return f"{self.column} must be 0 when {self.condition}"

    def broken_by(self, frame: "pd.DataFrame") -> "pd.Series":
        return (self.applies(frame) & (frame[self.column] != 0)).fillna(False).astype(bool)


@dataclass(frozen=True)
class ExactlyOneSet:
    """Exactly one of ``columns`` has a value (a billing event is for a membership or for an order)."""

    columns: tuple[str, ...]

    @property
    def problem(self) -> str:
        return f"exactly one of {', '.join(self.columns)} must be set"

    def broken_by(self, frame: "pd.DataFrame") -> "pd.Series":
        return frame[list(self.columns)].notna().sum(axis=1) != 1


@dataclass(frozen=True)
class ProductBelow:
    """The product of ``columns`` stays below ``limit``: what the warehouse type computed from it holds."""

    columns: tuple[str, ...]
    limit: float
    why: str

    @property
    def problem(self) -> str:
        return f"{' × '.join(self.columns)} is not below {_format_number(self.limit)} ({self.why})"

    def broken_by(self, frame: "pd.DataFrame") -> "pd.Series":
        import pandas as pd  # when rows are checked (the module's docstring says why)

        product = pd.Series(1.0, index=frame.index)
        for column in self.columns:
            product = product * frame[column].astype("float64")
        return (product.abs() >= self.limit).fillna(False).astype(bool)


RowRule = SetExactlyWhen | ZeroWhen | ExactlyOneSet | ProductBelow


# ------------------------------------------------------------------------------------------- code lists
@cache
def iso_country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes, from pycountry's copy of the standard."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


CURRENCY_RATES_SEED: Path = DBT_PROJECT_DIR / "seeds" / "currency_rates.csv"


@cache
def rated_currencies() -> frozenset[str]:
    """The ISO 4217 currencies the warehouse converts to USD: the codes of the ``currency_rates`` dbt seed.

    An amount in any other currency could not be converted, so it is quarantined at the door instead of
    failing the facts' reference to the seed.
    """
    with CURRENCY_RATES_SEED.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["currency"] for row in csv.DictReader(handle))
