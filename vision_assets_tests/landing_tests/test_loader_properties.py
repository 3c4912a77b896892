"""The loader's promises, for every source table's contract, over generated days (Hypothesis).

For every generated day (``generated_days.py``: valid days drawn from the contract, broken the ways exports
break):

* no exception leaves the loader except ``LandingError``, and its message names the file at fault;
* rows landed = rows loaded + rows quarantined + exact duplicates dropped;
* every loaded value equals the value sent, up to the documented normalisations (trimmed text, offsets
  converted to UTC), no valid row is quarantined and every broken row is, kept byte for byte as landed;
* a day with no mutation loads entirely.

``make test`` runs a bounded, reproducible number of days per table; ``make test-long`` runs a campaign of
more than 10,000 random days over all the contracts.
"""

import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.loader import LandingError, load_landing_days
from vision_assets_tests.landing_tests.generated_days import (
    DAY,
    Day,
    files_that_must_refuse,
    landing_day,
    write_day,
)

LOADED_AT = datetime(2026, 10, 2, 6, 0)
CAMPAIGN_DAYS = 10_400
_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}


def _load(day: Day):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_day(root, day)
        note(day.describe())
        refusing = files_that_must_refuse(day, paths)
        try:
            loaded = load_landing_days(root, day.table, [DAY], LOADED_AT)
        except LandingError as error:
            assert refusing, f"a day the contract accepts was refused: {error}"
            assert any(str(path) in str(error) for path in refusing), f"the refusal does not name the file: {error}"
            return None, paths
        assert not refusing, f"{[str(path) for path in refusing]} should have refused the day"
        return loaded, [str(path.relative_to(root)) for path in paths]


def _loaded_values(frame: pd.DataFrame, day: Day) -> dict[tuple, dict]:
    table = day.table
    records = {}
    for record in frame[table.column_names].to_dict("records"):
        key = tuple(record[name] for name in table.key)
        assert key not in records, f"key {key} loaded twice"
        records[key] = {name: (None if pd.isna(value) else value) for name, value in record.items()}
    return records


def _same(loaded: object, expected: object) -> bool:
    if isinstance(loaded, pd.Timestamp):
        loaded = loaded.to_pydatetime()
    return loaded == expected and type(loaded) is not bool


def check_day_keeps_the_loaders_promises(day: Day) -> None:
    loaded, files = _load(day)
    if loaded is None:
        return
    table = day.table
    landed = len(day.rows)
    assert loaded.rows_landed == landed
    assert landed == len(loaded.frame) + loaded.rows_quarantined + loaded.duplicate_rows_removed

    expected_loaded = {tuple(row.expected[name] for name in table.key): row for row in day.rows if row.fate == "loaded"}
    values = _loaded_values(loaded.frame, day)
    assert set(values) == set(expected_loaded), "the rows loaded are not the valid rows"
    for key, row in expected_loaded.items():
        for name in table.column_names:
            assert _same(values[key][name], row.expected[name]), (
                f"{name} of {key}: loaded {values[key][name]!r}, sent {row.text[name]!r} meaning {row.expected[name]!r}"
            )
    assert loaded.duplicate_rows_removed == sum(row.fate == "duplicate" for row in day.rows)

    quarantined = {
        (record["_source_file"], int(record["_data_row"])): record
        for record in loaded.quarantined.to_dict("records")
    }
    expected_quarantined = {(files[row.file], row.data_row): row for row in day.rows if row.fate == "quarantined"}
    assert set(quarantined) == set(expected_quarantined), "the rows quarantined are not the broken rows"
    for place, row in expected_quarantined.items():
        record = quarantined[place]
        assert record["_reason"], f"{place} quarantined without a reason"
        for name in table.column_names:
            assert record[name] == row.text[name], f"{place} {name}: kept {record[name]!r}, landed {row.text[name]!r}"


@st.composite
def _any_day(draw, mutate: bool = True) -> Day:
    return draw(landing_day(draw(st.sampled_from(SOURCE_TABLES)), mutate=mutate))


@pytest.mark.parametrize("table", SOURCE_TABLES, ids=lambda table: table.name)
def test_every_generated_day_of_every_contract_keeps_the_loaders_promises(table):
    @settings(max_examples=6, derandomize=True, **_SETTINGS)
    @given(landing_day(table))
    def days_of_this_table(day: Day) -> None:
        check_day_keeps_the_loaders_promises(day)

    days_of_this_table()


@settings(max_examples=30, derandomize=True, **_SETTINGS)
@given(_any_day(mutate=False))
def test_a_day_with_no_mutation_loads_entirely(day: Day):
    loaded, _ = _load(day)
    assert loaded is not None and loaded.rows_quarantined == 0 and loaded.duplicate_rows_removed == 0
    assert len(loaded.frame) == len(day.rows)
    check_day_keeps_the_loaders_promises(day)


@pytest.mark.long
@settings(max_examples=CAMPAIGN_DAYS, **_SETTINGS)
@given(_any_day())
def test_a_campaign_of_generated_days_finds_nothing(day: Day):
    check_day_keeps_the_loaders_promises(day)
