"""An order-independent fingerprint of a table's rows that two different databases agree on.

Each database has its own hash function (DuckDB's ``hash()`` and Snowflake's ``HASH()`` differ), and each
writes values as text its own way (``2026-03-01 10:00:00`` against ``2026-03-01 10:00:00.000``), so the
fingerprint is computed here, on the rows as pandas receives them from either side: every value is first
written in one canonical text (a number by its value, whether it arrives as an integer, a float or a decimal;
a timestamp to the microsecond; a value prefixed ``v`` and a null as ``n``, so no text can pass for a null),
each row is hashed (pandas' SipHash of the row's values) and the row hashes are summed modulo 2**64. pandas
hashes a text as a C string, which ends at a NUL byte, so NUL and the backslash are escaped first: ``a\0b``
and ``a\0c`` must not hash alike. A sum does not depend on the rows' order, and
any changed, missing or extra row changes it (up to a collision chance of about 2**-64 per comparison).
"""

import datetime as dt
import decimal
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

_NULL = "n"


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    content_hash: str
    """16 hex digits: the sum of the rows' hashes modulo 2**64."""

    def __add__(self, other: "Fingerprint") -> "Fingerprint":
        total = (int(self.content_hash, 16) + int(other.content_hash, 16)) % 2**64
        return Fingerprint(self.rows + other.rows, f"{total:016x}")


EMPTY = Fingerprint(0, f"{0:016x}")


def fingerprint(frame: pd.DataFrame) -> Fingerprint:
    """The rows and content hash of a frame; column names are compared without case (Snowflake upper-cases
    them), and columns are taken in the order of their lower-cased names."""
    if frame.empty:
        return Fingerprint(0, EMPTY.content_hash)
    names = sorted(frame.columns, key=lambda name: str(name).lower())
    canonical = pd.DataFrame({str(name).lower(): _canonical(frame[name]) for name in names})
    row_hashes = pd.util.hash_pandas_object(canonical, index=False).to_numpy(dtype=np.uint64)
    with np.errstate(over="ignore"):
        total = int(row_hashes.sum(dtype=np.uint64))
    return Fingerprint(len(frame), f"{total:016x}")


def _canonical(values: pd.Series) -> pd.Series:
    missing = values.isna().to_numpy()
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.map({True: "true", False: "false"})
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz is not None else values
        text = stamps.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    elif pd.api.types.is_integer_dtype(values.dtype):
        text = pd.Series(values.to_numpy(dtype="int64", na_value=0).astype(str))
    elif pd.api.types.is_float_dtype(values.dtype):
        text = pd.Series(_float_text(values.to_numpy(dtype="float64", na_value=np.nan)))
    elif pd.api.types.is_numeric_dtype(values.dtype):
        text = values.map(_number)
    else:
        # Value by value only where a column mixes kinds or holds decimals: texts and days are most of
        # a warehouse, and are written at once.
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("string", "empty"):
            text = values
        elif kind == "date":
            text = pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        else:
            text = values.map(_value)
    strings = text.astype(str).to_numpy(dtype=object)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        # Only text can hold a NUL or a backslash; escaping is per value in Python, so only when needed
        # (the same decision on both sides, since their values are the same).
        joined = "".join(strings.tolist())
        if "\x00" in joined or "\\" in joined:
            strings = np.array(
                [value.replace("\\", "\\\\").replace("\x00", "\\0") for value in strings], dtype=object
            )
    present = "v" + strings
    return pd.Series(np.where(missing, _NULL, present), dtype=object)


def _float_text(numbers: np.ndarray) -> np.ndarray:
    """:func:`_number` for a whole float column at once: a whole number as an integer, any other by the
    shortest text that reads back as the same float (numpy's and Python's ``repr`` agree on it)."""
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < 2**63)
    as_integers = np.where(whole, numbers, 0).astype(np.int64).astype(str)
    return np.where(whole, as_integers, numbers.astype(str))


def _number(value) -> str:
    """A number by its value: 5, 5.0 and Decimal('5.00') are all ``5``; 0.1 is its shortest exact repr."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _NULL
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return repr(float(value))
    number = float(value)
    if math.isfinite(number) and number.is_integer() and abs(number) < 2**63:
        return str(int(number))
    return repr(number)


def _value(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return _NULL
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal, np.integer, np.floating)):
        return _number(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return f"{value.isoformat()} 00:00:00.000000"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)
