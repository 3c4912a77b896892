"""The ways real exports go wrong that once loaded a lie, shifted a day or crashed the step (issue #21).

Each case is one altered value in an otherwise good table-day: the altered row is quarantined with a reason
that names the file, column and row, or (where the value is unambiguous) converted exactly, and every other
row loads exactly as sent.
"""

import math
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from vision_assets.landing.contracts import (
    COUNTRY_CODE,
    CURRENCY_CODE,
    IDENTIFIER,
    NON_NEGATIVE,
    RATING,
    SOURCE_TABLES,
    SOURCE_TABLES_BY_NAME,
    YEAR,
)
from vision_assets.landing.layout import landing_day_dir
from vision_assets.landing.loader import load_landing_days
from vision_assets.landing.rules import Between, Isbn13
from vision_assets.paths import DBT_PROJECT_DIR

DAY = date(2026, 10, 1)
LOADED_AT = datetime(2026, 10, 2, 6, 0)
ORDERS = SOURCE_TABLES_BY_NAME["mart_orders"]
REVIEWS = SOURCE_TABLES_BY_NAME["mart_reviews"]
ORDER_HEADER = "order_id,line_number,shopper_id,product_id,quantity,unit_price,discount_amount,currency,ordered_at"
ORDER_ROWS = [
    f"MTO-{number},1,MT-{number},P-{number % 7},{number % 3 + 1},{number}.99,0.00,USD,2026-10-01 {hour:02d}:15:00"
    for number, hour in zip(range(1, 25), range(24))
]
REVIEW_HEADER = "review_id,shopper_id,product_id,rating,review_text,reviewed_at"
REVIEW_ROWS = [f"MTR-{number},MT-{number},P-{number},{number % 5 + 1},Fine.,2026-10-01 10:00:00" for number in range(1, 9)]


def land(root: Path, table, header: str, rows: list[str]) -> Path:
    folder = landing_day_dir(root, table, DAY)
    folder.mkdir(parents=True)
    path = folder / "part-00000.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    (folder / "_SUCCESS").touch()
    return path


def altered(rows: list[str], row: int, column: str, value: str, header: str = ORDER_HEADER) -> list[str]:
    """``rows`` with one value replaced (``row`` counts from 1, as the loader's messages do)."""
    changed = list(rows)
    fields = changed[row - 1].split(",")
    fields[header.split(",").index(column)] = value
    changed[row - 1] = ",".join(fields)
    return changed


def load(root: Path, table=ORDERS):
    return load_landing_days(root, table, [DAY], LOADED_AT)


def the_rest(frame: pd.DataFrame, clean: pd.DataFrame, row: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames without data row ``row`` and without the load's lineage columns, for comparison."""
    keep = clean.index != row - 1
    columns = ORDERS.column_names
    return (
        frame[frame["order_id"] != clean.loc[row - 1, "order_id"]][columns].reset_index(drop=True),
        clean[keep][columns].reset_index(drop=True),
    )


@pytest.fixture
def clean(tmp_path) -> pd.DataFrame:
    land(tmp_path / "clean", ORDERS, ORDER_HEADER, ORDER_ROWS)
    return load(tmp_path / "clean").frame


def test_one_timestamp_with_an_offset_is_converted_alone_and_shifts_no_other_row(tmp_path, clean):
    rows = altered(ORDER_ROWS, 9, "ordered_at", "2026-10-01T10:30:00+02:00")
    land(tmp_path, ORDERS, ORDER_HEADER, rows)
    loaded = load(tmp_path)
    assert loaded.rows_quarantined == 0 and len(loaded.frame) == len(ORDER_ROWS)
    assert loaded.timestamps_with_offset == 1
    converted = loaded.frame.loc[loaded.frame["order_id"] == "MTO-9", "ordered_at"].item()
    assert converted == pd.Timestamp("2026-10-01 08:30:00")
    others, expected = the_rest(loaded.frame, clean, 9)
    pd.testing.assert_frame_equal(others, expected)


def test_a_timestamp_whose_offset_puts_it_on_another_day_is_quarantined_alone(tmp_path, clean):
    rows = altered(ORDER_ROWS, 2, "ordered_at", "2026-10-01T01:30:00+02:00")  # 2026-09-30 23:30 UTC
    path = land(tmp_path, ORDERS, ORDER_HEADER, rows)
    loaded = load(tmp_path)
    assert list(loaded.quarantined["_data_row"]) == [2]
    assert re.search(
        rf"{re.escape(str(path))}: column ordered_at falls outside the landing day 2026-10-01 \(UTC\) in 1 row",
        loaded.quarantine_reasons[0],
    )
    others, expected = the_rest(loaded.frame, clean, 2)
    pd.testing.assert_frame_equal(others, expected)


@pytest.mark.parametrize("spelling", ["inf", "-inf", "+Infinity", "NaN", "nan", "1e400", "∞"])
def test_a_non_finite_amount_in_any_spelling_is_quarantined(tmp_path, clean, spelling):
    path = land(tmp_path, ORDERS, ORDER_HEADER, altered(ORDER_ROWS, 7, "unit_price", spelling))
    loaded = load(tmp_path)
    assert list(loaded.quarantined["_data_row"]) == [7]
    assert loaded.quarantined["unit_price"].item() == spelling, "kept as landed"
    assert str(path) in loaded.quarantine_reasons[0] and "column unit_price" in loaded.quarantine_reasons[0]
    assert loaded.frame["unit_price"].map(math.isfinite).all()
    others, expected = the_rest(loaded.frame, clean, 7)
    pd.testing.assert_frame_equal(others, expected)


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "-2147483649", "2147483648"])
def test_an_integer_beyond_what_the_warehouse_holds_is_quarantined_not_a_crash(tmp_path, value):
    path = land(tmp_path, ORDERS, ORDER_HEADER, altered(ORDER_ROWS, 9, "quantity", value))
    loaded = load(tmp_path)
    assert list(loaded.quarantined["_data_row"]) == [9]
    assert re.search(
        rf"{re.escape(str(path))}: column quantity is outside the integer range -2,147,483,648 to "
        r"2,147,483,647 .* \(data rows \[9\]",
        loaded.quarantine_reasons[0],
    )
    assert len(loaded.frame) == len(ORDER_ROWS) - 1


def test_a_large_integer_that_fits_loads_exactly(tmp_path):
    land(tmp_path, ORDERS, ORDER_HEADER, altered(ORDER_ROWS, 3, "quantity", "2147483647"))
    frame = load(tmp_path).frame
    assert frame.loc[frame["order_id"] == "MTO-3", "quantity"].item() == 2147483647


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1f", "\x7f", "\x85", "\t", "\n"])
def test_a_control_character_inside_a_value_is_quarantined(tmp_path, character):
    value = f'"P{character}1"' if character == "\n" else f"P{character}1"
    path = land(tmp_path, ORDERS, ORDER_HEADER, altered(ORDER_ROWS, 4, "product_id", value))
    loaded = load(tmp_path)
    assert list(loaded.quarantined["_data_row"]) == [4]
    assert loaded.quarantined["product_id"].item() == f"P{character}1", "kept byte for byte"
    assert any(f"{path}: column product_id contains a control character" in line for line in loaded.quarantine_reasons)


def test_free_text_may_hold_line_breaks_and_tabs_but_no_other_control_character(tmp_path):
    rows = altered(REVIEW_ROWS, 1, "review_text", '"Loved it.\nTruly\tgood."', REVIEW_HEADER)
    rows = altered(rows, 2, "review_text", "Loved\x00it", REVIEW_HEADER)
    land(tmp_path, REVIEWS, REVIEW_HEADER, rows)
    loaded = load(tmp_path, REVIEWS)
    assert list(loaded.quarantined["_data_row"]) == [2]
    assert loaded.frame.loc[loaded.frame["review_id"] == "MTR-1", "review_text"].item() == "Loved it.\nTruly\tgood."


RULE_CASES = [
    (REVIEWS, "rating", "6", "rating is not between 1 and 5"),
    (REVIEWS, "rating", "0", "rating is not between 1 and 5"),
    (REVIEWS, "review_id", "MTR 1", "review_id is not an identifier"),
    (ORDERS, "line_number", "0", "line_number is below 1"),
    (ORDERS, "currency", "CHF", "currency is not an ISO 4217 currency code the warehouse has a rate for"),
    (ORDERS, "currency", "usd", "currency is not an ISO 4217 currency code the warehouse has a rate for"),
    (ORDERS, "shopper_id", "   ", "shopper_id is empty but the contract requires a value"),
    (ORDERS, "quantity", "1.5", "quantity is not a whole number"),
    (ORDERS, "unit_price", '"1,5"', "unit_price is not a number"),
    (ORDERS, "unit_price", "12.3456789012345678", "unit_price has more than 15 significant digits"),
    (ORDERS, "ordered_at", "2026-10-01", "ordered_at is not an ISO-8601 date and time of day"),
    (ORDERS, "ordered_at", "2026-02-30 10:00:00", "ordered_at is not an ISO-8601 date and time of day"),
    (ORDERS, "ordered_at", "2026-10-01 10:00:00 CET", "ordered_at is not an ISO-8601 date and time of day"),
    (ORDERS, "ordered_at", "2026-10-01 10:00:00.1234567", "ordered_at has a fraction of a second finer"),
]


@pytest.mark.parametrize(
    ("table", "column", "value", "reason"),
    [pytest.param(*case, id=f"{case[1]}={case[2]!r}") for case in RULE_CASES],
)
def test_a_rule_the_contract_states_is_checked_at_the_door(tmp_path, table, column, value, reason):
    header, rows = (REVIEW_HEADER, REVIEW_ROWS) if table is REVIEWS else (ORDER_HEADER, ORDER_ROWS)
    path = land(tmp_path, table, header, altered(rows, 3, column, value, header))
    loaded = load(tmp_path, table)
    assert list(loaded.quarantined["_data_row"]) == [3]
    assert reason in loaded.quarantined["_reason"].item()
    assert any(str(path) in line and f"column {column}" in line for line in loaded.quarantine_reasons)
    assert len(loaded.frame) == len(rows) - 1


def test_the_column_descriptions_state_the_rules_the_loader_checks():
    rating = REVIEWS.column("rating")
    assert rating.documentation == "Rating from 1 (worst) to 5 (best). From 1 to 5."
    assert "Must be an ISO 4217 currency code" in ORDERS.column("currency").documentation


# What a description promising a rule must be backed by, so that a rule written only in prose cannot return.
PROSE_RULES = [
    (re.compile(r"ISO 3166"), lambda column: COUNTRY_CODE in column.rules),
    (re.compile(r"ISO 4217"), lambda column: CURRENCY_CODE in column.rules),
    (re.compile(r"\bidentifier\b|^The (account|book|product|title|track|order|shopper|listener|reader|viewer)"),
     lambda column: IDENTIFIER in column.rules),
    (re.compile(r"from 1 \(worst\) to 5"), lambda column: RATING in column.rules),
    (re.compile(r"from 1\.$"), lambda column: Between(minimum=1) in column.rules),
    (re.compile(r"ISBN-13"), lambda column: any(isinstance(rule, Isbn13) for rule in column.rules)),
    (re.compile(r"^Year of"), lambda column: YEAR in column.rules),
    (re.compile(r"(?i)^(minutes|seconds|units|amount|price|list price|discount|running time|length)"),
     lambda column: NON_NEGATIVE in column.rules),
]


@pytest.mark.parametrize("table", SOURCE_TABLES, ids=lambda table: table.name)
def test_every_rule_a_columns_description_states_is_a_rule_the_loader_checks(table):
    for column in table.columns:
        for phrase, backed in PROSE_RULES:
            if phrase.search(column.description):
                assert backed(column), f"{table.name}.{column.name}: '{column.description}' states a rule it lacks"


def test_the_currencies_staging_accepts_are_the_ones_the_loader_accepts():
    accepted = set()
    for path in (DBT_PROJECT_DIR / "models" / "staging").glob("*/_*__models.yml"):
        for expression in re.findall(r'expression: "currency in \(([^)]*)\)"', path.read_text()):
            accepted |= {code.strip(" '") for code in expression.split(",")}
    assert accepted == set(CURRENCY_CODE.codes()), "the staging checks and the currency_rates seed disagree"
