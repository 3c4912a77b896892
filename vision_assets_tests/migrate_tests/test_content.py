"""The migration's fingerprint: the same rows give the same hash in any order and however each database
types a value; any changed, missing or extra row changes it."""

import decimal
from datetime import date, datetime

import hypothesis.strategies as st
import numpy as np
import pandas as pd
from hypothesis import given, settings

from vision_assets.migrate.content import EMPTY, fingerprint

rows = st.lists(
    st.tuples(
        st.integers(-(2**53), 2**53),
        st.one_of(st.none(), st.text(max_size=12)),
        st.one_of(st.none(), st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)),
        st.one_of(st.none(), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))),
    ),
    min_size=1,
    max_size=40,
)
COLUMNS = ["id", "name", "amount", "at"]


def as_duckdb_gives_it(values) -> pd.DataFrame:
    """Decimals as floats and timestamps as datetime64, as DuckDB's pandas conversion does."""
    frame = pd.DataFrame(values, columns=COLUMNS)
    frame["amount"] = frame["amount"].map(lambda v: None if v is None else float(v)).astype("float64")
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def as_snowflake_gives_it(values) -> pd.DataFrame:
    """Upper-case names, decimals as Decimal objects, timestamps as Python datetimes, in another order."""
    frame = pd.DataFrame(values, columns=COLUMNS).astype(object)
    frame.columns = [name.upper() for name in frame.columns]
    return frame[["AT", "NAME", "ID", "AMOUNT"]]


@settings(max_examples=60, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_the_fingerprint_ignores_row_order_and_how_each_side_types_a_value(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert fingerprint(as_duckdb_gives_it(values)) == fingerprint(as_snowflake_gives_it(shuffled))


@settings(max_examples=60, deadline=None)
@given(rows, st.data())
def test_any_changed_missing_or_extra_row_changes_the_fingerprint(values, data):
    before = fingerprint(as_duckdb_gives_it(values))
    position = data.draw(st.integers(0, len(values) - 1))
    change = data.draw(st.sampled_from(["value", "missing", "extra", "null"]))
    changed = list(values)
    row = list(changed[position])
    if change == "value":
        row[0] += 1
        changed[position] = tuple(row)
    elif change == "null":
        row[1] = None if row[1] is not None else ""
        changed[position] = tuple(row)
    elif change == "missing":
        del changed[position]
    else:
        changed.append(changed[position])
    assert fingerprint(as_duckdb_gives_it(changed)) != before


def test_named_cases():
    # One value, three spellings: an integer, a float and a decimal with trailing zeros.
    spellings = [
        pd.DataFrame({"n": [5]}),
        pd.DataFrame({"n": [5.0]}),
        pd.DataFrame({"n": [decimal.Decimal("5.00")]}),
    ]
    assert len({fingerprint(frame) for frame in spellings}) == 1
    # A date and the same day as a timestamp at midnight (DuckDB's DATE read as datetime64).
    assert fingerprint(pd.DataFrame({"d": [date(2026, 3, 1)]})) == fingerprint(
        pd.DataFrame({"d": pd.to_datetime(["2026-03-01"])})
    )
    # An empty text is not a null; a null is not the text "None".
    assert fingerprint(pd.DataFrame({"t": [""]})) != fingerprint(pd.DataFrame({"t": [None]}))
    assert fingerprint(pd.DataFrame({"t": ["None"]})) != fingerprint(pd.DataFrame({"t": [None]}))
    # pandas hashes text as C strings: a NUL byte must not end a value.
    assert fingerprint(pd.DataFrame({"t": ["a\x00b"]})) != fingerprint(pd.DataFrame({"t": ["a\x00c"]}))
    assert fingerprint(pd.DataFrame({"t": ["a\\0b"]})) != fingerprint(pd.DataFrame({"t": ["a\x00b"]}))
    # Values do not slide between columns.
    assert fingerprint(pd.DataFrame({"a": ["x"], "b": ["y"]})) != fingerprint(
        pd.DataFrame({"a": ["y"], "b": ["x"]})
    )
    assert fingerprint(pd.DataFrame({"a": np.array([], dtype="int64")})) == EMPTY
    # Partitions add up to their table.
    frame = pd.DataFrame({"a": range(10), "b": [f"v{i}" for i in range(10)]})
    assert fingerprint(frame.iloc[:4]) + fingerprint(frame.iloc[4:]) == fingerprint(frame)
