"""Landed text to warehouse values: exactly, or not at all.

A landing file is text, and the contract's type of a column decides what its text may say. The conversion
here gives back the value the text means, exactly, or marks the text as not of the type so the loader can
quarantine its row with the reason. Nothing is rounded, clipped, shifted or guessed:

``string``
    Leading and trailing spaces, tabs and line breaks are trimmed (the one normalisation of text). A
    control character (U+0000-U+001F, U+007F-U+009F) anywhere else is refused; free-text columns may
    hold tabs and line breaks inside the text.
``integer``
    An optional sign and ASCII digits, optionally followed by a point and zeros (``12``, ``+12``,
    ``12.0``). The warehouse's models cast integers to 32 bits, so a value outside
    -2,147,483,648..2,147,483,647 is refused rather than overflow a model (or, beyond 64 bits, crash).
``decimal``
    A plain or scientific decimal number in ASCII (``12.5``, ``-0.25``, ``1.2e3``), stored as a double.
    ``inf``, ``nan`` and their spellings are not amounts, quantities or ratings, and neither is a value
    a double cannot hold exactly (more than 15 significant digits, or one too small to tell from zero) or
    one beyond ±10^13: the warehouse's models cast decimals to ``decimal(18, 2)`` and ``decimal(18, 4)``,
    and a larger value would fail the day's build instead of one row.
``timestamp``
    ISO 8601 date and time of day, ``YYYY-MM-DD`` then ``T`` or a space, ``hh:mm[:ss[.fraction]]``, then
    optionally ``Z`` or an offset (``+02:00``, ``+0200``, ``+02``). A value with an offset is converted
    to UTC exactly, each value on its own; one without is UTC already. The warehouse keeps microseconds,
    so a finer fraction that is not zeros is refused. A date without a time of day, a named time zone, a
    leap second or an impossible date (``2026-02-30``) is refused.

The patterns are RE2 (``pyarrow.compute``), so a day of a million values converts in a fraction of a
second; ``pandas.to_datetime`` is not used for timestamps because it gives a whole column the offset of
the first value that carries one.
"""

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

INTEGER_RANGE = (-(2**31), 2**31 - 1)
DOUBLE_SIGNIFICANT_DIGITS = 15
DECIMAL_LIMIT = 1e13
# What trimming removes: the ASCII blanks a text export pads with, and Unicode's space separators. Not
# str.strip(): Python counts the control characters U+001C-U+001F and U+0085 as whitespace.
TRIMMED_CHARACTERS = " \t\n\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}]"
_CONTROL_OR_LINE_BREAK = r"[\x00-\x1f\x7f-\x{9f}]"

_INTEGER = r"^[+-]?[0-9]+(\.0*)?$"
_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NON_FINITE = r"(?i)^[+-]?(inf|infinity|nan|snan|∞)$"
_YEAR = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"  # 0001 to 9999: there is no year 0
_TIMESTAMP = (
    rf"^(?P<date>{_YEAR}-[0-9]{{2}}-[0-9]{{2}})[T ]"
    r"(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])"
    r"(?::(?P<second>[0-5][0-9])(?:\.(?P<fraction>[0-9]{1,6})(?P<finer>[0-9]{0,3}))?)?"
    r"(?P<zone>Z|z|(?P<sign>[+-])(?P<offset_hours>[01][0-9]|2[0-3])(?::?(?P<offset_minutes>[0-5][0-9]))?)?$"
)
_MICROSECONDS = {"hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000}


@dataclass
class Converted:
    """One column's values and what kept some of them out."""

    values: pd.Series
    # Empty after trimming (whether that is allowed is the contract's ``nullable``).
    missing: np.ndarray
    # (rows, problem): rows whose text is not a value of the type, e.g. "is not a whole number".
    problems: list[tuple[np.ndarray, str]] = field(default_factory=list)
    # Timestamps written with an explicit UTC offset, converted to UTC.
    with_offset: int = 0

    @property
    def not_of_type(self) -> np.ndarray:
        rows = np.zeros(len(self.missing), dtype=bool)
        for mask, _ in self.problems:
            rows |= mask
        return rows


def _mask(array: pa.Array) -> np.ndarray:
    """A boolean array as numpy, null counted as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def trim(text: pa.Array) -> pa.Array:
    return pc.utf8_trim(text, characters=TRIMMED_CHARACTERS)


def convert(text: pa.Array, column_type: str, free_text: bool = False, may_hold_controls: bool = True) -> Converted:
    """Convert one landed column (text, as read) to its contract type.

    ``may_hold_controls=False`` says the file holds no control character, tab or line break inside a value
    (:func:`file_holds_controls`), which spares one scan per column.
    """
    trimmed = trim(text)
    missing = _mask(pc.or_kleene(pc.is_null(trimmed), pc.equal(trimmed, "")))
    present = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), trimmed)
    control = (
        _mask(pc.match_substring_regex(present, _CONTROL if free_text else _CONTROL_OR_LINE_BREAK))
        if may_hold_controls
        else np.zeros(len(missing), dtype=bool)
    )
    fast = _common_shape(present, missing, column_type) if not control.any() else None
    if fast is not None:
        converted = fast
    elif column_type == "string":
        converted = Converted(pd.Series(present.to_pandas(), dtype=object), missing)
    elif column_type == "integer":
        converted = _integers(present, missing)
    elif column_type == "decimal":
        converted = _decimals(present, missing)
    elif column_type == "timestamp":
        converted = _timestamps(present, missing)
    else:
        raise ValueError(f"unknown column type {column_type!r}")
    if control.any():
        converted.problems.insert(0, (control, "contains a control character"))
        converted.values = converted.values.where(~control)
    return converted


# The shapes exporters write nearly always, converted with one pattern and one cast when every present value
# of a column has them; anything else takes the general path below, which gives the same values for them.
_PLAIN_INTEGER = r"^-?[0-9]{1,9}$"  # at most 9 digits: always within 32 bits
_PLAIN_DECIMAL = r"^-?[0-9]{1,12}(\.[0-9]{1,3})?$"  # at most 15 digits, below 10^13
_PLAIN_TIMESTAMP = rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}$"
_PLAIN_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def _common_shape(present: pa.Array, missing: np.ndarray, column_type: str) -> Converted | None:
    if column_type == "string":
        return None
    pattern = {"integer": _PLAIN_INTEGER, "decimal": _PLAIN_DECIMAL, "timestamp": _PLAIN_TIMESTAMP}[column_type]
    if not (_mask(pc.match_substring_regex(present, pattern)) | missing).all():
        return None
    if column_type == "integer":
        return Converted(pd.Series(pc.cast(present, pa.int64()).to_pandas(), dtype="Int64"), missing)
    if column_type == "decimal":
        return Converted(pd.Series(pc.cast(present, pa.float64()).to_numpy(zero_copy_only=False)), missing)
    stamps = pc.strptime(present, format=_PLAIN_TIMESTAMP_FORMAT, unit="s", error_is_null=True)
    # Arrow rolls 2026-02-30 over to 2026-03-02 and a second 60 into the next minute: a value is real when
    # it prints as it was written (in whole seconds, so that %S prints no fraction).
    if not (_mask(pc.equal(pc.strftime(stamps, format=_PLAIN_TIMESTAMP_FORMAT), present)) | missing).all():
        return None
    micros = pc.cast(stamps, pa.timestamp("us")).to_numpy(zero_copy_only=False)
    return Converted(pd.Series(micros).astype("datetime64[us]"), missing)


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def file_holds_controls(data: bytes, rows: int) -> bool:
    """Whether any value of a file may hold a control character, a tab or a line break, read off its bytes:
    a control byte, a tab, or more line breaks than its rows and header need (a quoted line break)."""
    if _CONTROL_BYTES.search(data) or b"\t" in data:
        return True
    feeds, returns = data.count(b"\n"), data.count(b"\r")
    if feeds and returns not in (0, feeds):  # a carriage return that does not end a line
        return True
    return (feeds or returns) > rows + 1


def _integers(present: pa.Array, missing: np.ndarray) -> Converted:
    shaped = _mask(pc.match_substring_regex(present, _INTEGER))
    whole = pc.replace_substring_regex(pc.replace_substring_regex(present, r"\.0*$", ""), r"^\+", "")
    # Beyond 18 significant digits a value may not fit 64 bits: it is out of range either way.
    significant = pc.utf8_length(pc.replace_substring_regex(whole, r"^-?0*", ""))
    parsable = shaped & _mask(pc.less_equal(significant, 18))
    numbers = pc.cast(pc.if_else(pa.array(parsable), whole, pa.scalar(None, pa.string())), pa.int64())
    values = pd.Series(numbers.to_pandas(), dtype="Int64")
    low, high = INTEGER_RANGE
    in_range = parsable & ((values >= low) & (values <= high)).fillna(False).to_numpy(dtype=bool)
    converted = Converted(values.where(in_range), missing)
    converted.problems += [
        (~missing & ~shaped, "is not a whole number"),
        (shaped & ~in_range, f"is outside the integer range {low:,} to {high:,} the warehouse holds"),
    ]
    return converted


def _decimals(present: pa.Array, missing: np.ndarray) -> Converted:
    shaped = _mask(pc.match_substring_regex(present, _DECIMAL))
    non_finite = _mask(pc.match_substring_regex(present, _NON_FINITE))
    mantissa = pc.replace_substring_regex(present, r"[eE].*$|[+.-]", "")
    significant_text = pc.replace_substring_regex(mantissa, r"^0+|0+$", "")
    significant = pc.utf8_length(significant_text).to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(shaped), present, pa.scalar(None, pa.string())), pa.float64())
    values = pd.Series(numbers.to_numpy(zero_copy_only=False), dtype="float64")
    finite = np.isfinite(values.to_numpy())
    too_precise = shaped & (np.nan_to_num(significant.astype(float)) > DOUBLE_SIGNIFICANT_DIGITS)
    # A non-zero value so small that it becomes zero (or loses digits) is not the value sent.
    vanished = shaped & (np.abs(np.nan_to_num(values.to_numpy())) < 1e-300) & (np.nan_to_num(significant) > 0)
    unrepresentable = shaped & ~too_precise & (~finite | vanished)
    too_large = shaped & ~too_precise & finite & (np.abs(np.nan_to_num(values.to_numpy())) >= DECIMAL_LIMIT)
    good = shaped & ~too_precise & ~unrepresentable & ~too_large
    converted = Converted(values.where(good), missing)
    converted.problems += [
        (non_finite, "is not a finite number"),
        (~missing & ~shaped & ~non_finite, "is not a number"),
        (
            too_precise,
            f"has more than {DOUBLE_SIGNIFICANT_DIGITS} significant digits, more than the warehouse keeps exactly",
        ),
        (unrepresentable, "is too large or too small to store exactly"),
        (too_large, "is beyond ±10,000,000,000,000, more than the warehouse's decimal columns hold"),
    ]
    return converted


def _timestamps(present: pa.Array, missing: np.ndarray) -> Converted:
    parts = pc.extract_regex(present, _TIMESTAMP)
    shaped = _mask(pc.is_valid(parts))

    def part(name: str) -> pa.Array:
        return pc.struct_field(parts, name)

    def number(name: str) -> np.ndarray:
        text = pc.if_else(pc.equal(part(name), ""), "0", part(name))
        return pc.fill_null(pc.cast(text, pa.int64()), 0).to_numpy(zero_copy_only=False)

    day_start = pc.strptime(part("date"), format="%Y-%m-%d", unit="us", error_is_null=True)
    # Arrow's strptime rolls 2026-02-30 over to 2026-03-02: a date is real when it prints as it was written.
    real_date = shaped & _mask(pc.equal(pc.strftime(day_start, format="%Y-%m-%d"), part("date")))
    finer = _mask(pc.match_substring_regex(part("finer"), "[1-9]"))
    fraction = pc.fill_null(pc.utf8_rpad(part("fraction"), width=6, padding="0"), "000000")
    micros = pc.fill_null(pc.cast(day_start, pa.int64()), 0).to_numpy(zero_copy_only=False)
    micros = micros + pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    for name, unit in _MICROSECONDS.items():
        micros = micros + number(name) * unit
    offset = number("offset_hours") * _MICROSECONDS["hour"] + number("offset_minutes") * _MICROSECONDS["minute"]
    signs = np.where(_mask(pc.equal(part("sign"), "-")), -1, 1)
    micros = micros - signs * offset
    good = real_date & ~finer
    values = pd.Series(np.where(good, micros, 0).astype("datetime64[us]")).where(good)
    converted = Converted(values, missing, with_offset=int((shaped & _mask(pc.not_equal(part("sign"), ""))).sum()))
    converted.problems += [
        (~missing & ~real_date, "is not an ISO-8601 date and time of day"),
        (real_date & finer, "has a fraction of a second finer than the microseconds the warehouse keeps"),
    ]
    return converted
