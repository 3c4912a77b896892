"""Text to values: the shortcut for the shapes exporters write nearly always gives exactly what the general
conversion gives, and the general conversion is exact (Hypothesis)."""

from datetime import UTC, datetime, timedelta

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from vision_assets.landing.values import INTEGER_RANGE, convert

# One value of another shape sends a whole column down the general path.
_GENERAL = {"integer": "+0", "decimal": "0e0", "timestamp": "2026-01-01T00:00:00Z"}


def _both_paths(texts: list[str], column_type: str) -> tuple[list, list]:
    shortcut = convert(pa.array(texts, pa.string()), column_type).values.tolist()
    general = convert(pa.array([*texts, _GENERAL[column_type]], pa.string()), column_type).values.tolist()
    return shortcut, general[:-1]


@settings(max_examples=60, derandomize=True)
@given(st.lists(st.integers(-999_999_999, 999_999_999), min_size=1, max_size=20))
def test_plain_integers_convert_the_same_on_both_paths(numbers):
    shortcut, general = _both_paths([str(number) for number in numbers], "integer")
    assert shortcut == general == numbers


@settings(max_examples=60, derandomize=True)
@given(st.lists(st.tuples(st.integers(-(10**12) + 1, 10**12 - 1), st.integers(0, 3)), min_size=1, max_size=20))
def test_plain_decimals_convert_the_same_on_both_paths(parts):
    texts = [f"{units / 10**scale:.{scale}f}" if scale else str(units) for units, scale in parts]
    shortcut, general = _both_paths(texts, "decimal")
    assert shortcut == general == [float(text) for text in texts]


@settings(max_examples=60, derandomize=True)
@given(st.lists(st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)).map(lambda at: at.replace(microsecond=0)),
                min_size=1, max_size=20))
def test_plain_timestamps_convert_the_same_on_both_paths(instants):
    texts = [f"{instant.year:04d}-{instant:%m-%d %H:%M:%S}" for instant in instants]
    shortcut, general = _both_paths(texts, "timestamp")
    assert [value.to_pydatetime() for value in shortcut] == [value.to_pydatetime() for value in general] == instants


def test_year_zero_is_refused_on_both_paths():
    # The random campaign found the shortcut taking "0000-01-01 00:00:00", which the general path refuses.
    for texts in (["0000-01-01 00:00:00"], ["0000-01-01 00:00:00", "2026-01-01T00:00:00Z"]):
        assert convert(pa.array(texts, pa.string()), "timestamp").not_of_type[0]


@settings(max_examples=100, derandomize=True)
@given(
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
    st.sampled_from(["{sign}{hours:02d}:{minutes:02d}", "{sign}{hours:02d}{minutes:02d}"]),
)
def test_a_timestamp_with_any_offset_converts_to_its_utc_instant_exactly(instant, offset_minutes, style):
    local = instant + timedelta(minutes=offset_minutes)
    hours, minutes = divmod(abs(offset_minutes), 60)
    suffix = style.format(sign="-" if offset_minutes < 0 else "+", hours=hours, minutes=minutes)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{local.microsecond:06d}" if local.microsecond else "") + suffix
    converted = convert(pa.array([text, "2026-01-01 00:00:00"], pa.string()), "timestamp")
    assert converted.values.iloc[0].to_pydatetime() == instant
    assert converted.values.iloc[1].to_pydatetime() == datetime(2026, 1, 1), "the other value is not shifted"
    assert converted.with_offset == 1
    assert datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None) == instant


@settings(max_examples=100, derandomize=True)
@given(st.integers(INTEGER_RANGE[0] - 10**20, INTEGER_RANGE[1] + 10**20))
def test_an_integer_loads_exactly_or_is_refused_as_out_of_range(number):
    converted = convert(pa.array([str(number)], pa.string()), "integer")
    low, high = INTEGER_RANGE
    if low <= number <= high:
        assert converted.values.iloc[0] == number and not converted.not_of_type.any()
    else:
        assert converted.not_of_type.all() and "outside the integer range" in converted.problems[-1][1]
