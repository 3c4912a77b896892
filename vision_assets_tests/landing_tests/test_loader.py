"""The landing loader refuses every kind of bad day with a message naming the file, column and rows."""

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME, Column
from vision_assets.landing.layout import landing_day_dir, structural_problems
from vision_assets.landing.loader import LandingError, load_landing_days

ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]
DAY = date(2026, 3, 14)
LOADED_AT = datetime(2026, 3, 15, 6, 0)
HEADER = "order_id,line_number,customer_id,book_id,quantity,unit_price,discount_amount,currency,ordered_at\n"
GOOD_ROWS = (
    "O-1,1,BK-1,B-1,2,10.00,0.00,USD,2026-03-14 10:00:00\n"
    "O-1,2,BK-1,B-2,1,5.50,0.50,USD,2026-03-14 10:00:00\n"
    "O-2,1,BK-2,B-1,1,12.00,0.00,GBP,2026-03-14 23:59:59\n"
)


def land(root: Path, content: str | bytes, name: str = "part-00000.csv", marker: bool = True) -> Path:
    folder = landing_day_dir(root, ORDERS, DAY)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    if marker:
        (folder / "_SUCCESS").touch()
    return path


def load(root: Path):
    return load_landing_days(root, ORDERS, [DAY], LOADED_AT)


def test_a_good_day_loads_typed_with_lineage(tmp_path):
    land(tmp_path, HEADER + GOOD_ROWS)
    loaded = load(tmp_path)
    frame = loaded.frame
    assert len(frame) == 3
    assert str(frame["quantity"].dtype) == "Int64"
    assert str(frame["unit_price"].dtype) == "float64"
    assert str(frame["ordered_at"].dtype) == "datetime64[us]"
    assert set(frame["_source_file"]) == {"books/orders/2026-03-14/part-00000.csv"}
    assert (frame["_loaded_at"] == LOADED_AT).all()
    assert loaded.duplicate_rows_removed == 0


def test_values_are_stored_stripped_of_surrounding_whitespace(tmp_path):
    # Incremental staging finds every landed copy of an event by its raw id (events_to_restage in
    # vision_dbt/macros/staging.sql), which must equal the staged, trimmed id.
    land(tmp_path, HEADER + " O-1 ,1,\tBK-1, B-1 ,2,10.00,0.00, USD ,2026-03-14 10:00:00\n")
    row = load(tmp_path).frame.iloc[0]
    stored = (row["order_id"], row["customer_id"], row["book_id"], row["currency"])
    assert stored == ("O-1", "BK-1", "B-1", "USD")


def test_exact_duplicate_rows_are_removed_and_counted(tmp_path):
    land(tmp_path, HEADER + GOOD_ROWS + GOOD_ROWS.splitlines(keepends=True)[1])
    loaded = load(tmp_path)
    assert len(loaded.frame) == 3
    assert loaded.rows_landed == 4
    assert loaded.duplicate_rows_removed == 1


def test_timestamps_with_offsets_are_stored_in_utc(tmp_path):
    land(tmp_path, HEADER + "O-9,1,BK-1,B-1,1,1.00,0.00,USD,2026-03-14T05:00:00-05:00\n")
    assert load(tmp_path).frame["ordered_at"].iloc[0] == datetime(2026, 3, 14, 10, 0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            HEADER.replace(",discount_amount", "") + "O-1,1,BK-1,B-1,2,10.00,USD,2026-03-14 10:00:00\n",
            r"missing column\(s\) discount_amount",
            id="missing column",
        ),
        pytest.param(
            HEADER.strip() + ",coupon\n" + GOOD_ROWS.replace("\n", ",X\n"),
            r"unexpected column\(s\) coupon",
            id="extra column",
        ),
        pytest.param(
            HEADER + GOOD_ROWS + 'O-3,1,BK-3,B-1,1,"4.00,0.00,USD,2026-03-14 11:00:00\n',
            r"unparseable rows, the file is truncated or corrupt",
            id="truncated file",
        ),
        pytest.param(
            HEADER + GOOD_ROWS + "O-4,1,BK-4,B-1,1,4.00,0.00,USD,2026-03-14 11:00:00,extra,fields\n",
            r"unparseable rows",
            id="row with too many fields",
        ),
        pytest.param(b"", r"the file is empty", id="empty file"),
        pytest.param(
            (HEADER + GOOD_ROWS).encode() + "O-5,1,BK-5,B-1,1,4.00,0.00,USD,2026-03-14 11:00:00\n".replace(
                "BK-5", "BK-\xe9"
            ).encode("latin-1"),
            r"not valid UTF-8",
            id="not UTF-8",
        ),
        pytest.param(
            HEADER + GOOD_ROWS.replace("2,10.00", "two,10.00").replace("1,5.50", "one,5.50"),
            r"column quantity is not a whole number in 2 row\(s\).*more than half of its values: the exporter "
            r"changed the column's type",
            id="retyped column",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_file_and_problem(tmp_path, content, expected):
    path = land(tmp_path, content)
    with pytest.raises(LandingError, match=expected) as refused:
        load(tmp_path)
    assert str(path.relative_to(tmp_path)) in str(refused.value)


@pytest.mark.parametrize(
    ("content", "summary", "bad_rows"),
    [
        pytest.param(
            HEADER + GOOD_ROWS.replace("2,10.00", "two,10.00"),
            r"column quantity is not a whole number in 1 row\(s\) \(data rows \[1\]",
            [1],
            id="wrong type",
        ),
        pytest.param(
            HEADER + GOOD_ROWS.replace("O-2,1,", ",1,"),
            r"column order_id is empty but the contract requires a value in 1 row\(s\) \(data rows \[3\]",
            [3],
            id="null key",
        ),
        pytest.param(
            HEADER + GOOD_ROWS.replace("2026-03-14 23:59:59", "2026-03-15 00:00:00"),
            r"column ordered_at falls outside the landing day 2026-03-14 \(UTC\) in 1 row\(s\)",
            [3],
            id="row outside the day",
        ),
        pytest.param(
            HEADER + GOOD_ROWS.replace("12.00", "-12.00"),
            r"column unit_price is negative in 1 row\(s\)",
            [3],
            id="negative price",
        ),
        pytest.param(
            HEADER + GOOD_ROWS + "O-1,1,BK-1,B-1,3,10.00,0.00,USD,2026-03-14 10:00:00\n",
            r"1 key\(s\) of \(order_id, line_number\) appear in 2 rows with different contents",
            [1, 4],
            id="conflicting duplicate key",
        ),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason_and_the_rest_loads(tmp_path, content, summary, bad_rows):
    path = land(tmp_path, content)
    loaded = load(tmp_path)
    assert any(re.search(summary, line) and str(path.relative_to(tmp_path)) in line for line in loaded.quarantine_reasons)
    assert sorted(loaded.quarantined["_data_row"]) == bad_rows
    assert loaded.quarantined["_reason"].notna().all()
    assert set(loaded.quarantined["_source_file"]) == {str(path.relative_to(tmp_path))}
    assert loaded.rows_landed == len(loaded.frame) + loaded.rows_quarantined + loaded.duplicate_rows_removed
    landed = (HEADER + GOOD_ROWS).splitlines()[1:]
    assert len(loaded.frame) == len(content.splitlines()) - 1 - len(bad_rows)
    assert set(loaded.frame["order_id"] + "/" + loaded.frame["line_number"].astype(str)) <= {
        f"{row.split(',')[0]}/{row.split(',')[1]}" for row in landed
    }


def test_a_day_without_its_success_marker_is_not_loaded(tmp_path):
    land(tmp_path, HEADER + GOOD_ROWS, marker=False)
    with pytest.raises(LandingError, match=r"books_orders 2026-03-14: not loaded, .*2026-03-14 has no _SUCCESS"):
        load(tmp_path)


def test_a_marker_without_a_data_file_is_refused(tmp_path):
    folder = landing_day_dir(tmp_path, ORDERS, DAY)
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").touch()
    with pytest.raises(LandingError, match=r"has a _SUCCESS marker but no data file"):
        load(tmp_path)


def test_duplicate_keys_across_two_files_of_one_day_are_quarantined_in_both(tmp_path):
    land(tmp_path, HEADER + GOOD_ROWS)
    land(tmp_path, HEADER + "O-1,1,BK-1,B-1,5,10.00,0.00,USD,2026-03-14 10:00:00\n", name="part-00001.csv")
    loaded = load(tmp_path)
    assert re.search(
        r"books/orders/2026-03-14/part-00000.csv rows \[1\], books/orders/2026-03-14/part-00001.csv rows \[1\]",
        loaded.quarantine_reasons[0],
    )
    assert sorted(loaded.quarantined["quantity"]) == ["2", "5"], "both versions are kept, as landed"
    assert list(loaded.frame["order_id"]) == ["O-1", "O-2"]
    assert loaded.rows_landed == 4 == len(loaded.frame) + loaded.rows_quarantined


def test_a_file_that_resolves_outside_the_landing_root_is_not_read(tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(HEADER + GOOD_ROWS)
    folder = land(tmp_path / "landing", HEADER + GOOD_ROWS).parent
    (folder / "part-00001.csv").symlink_to(outside)
    with pytest.raises(LandingError, match=r"part-00001.csv: resolves to .*elsewhere.csv, outside the landing root"):
        load(tmp_path / "landing")


def test_a_column_added_later_may_be_absent_from_earlier_days_only(tmp_path):
    gift = Column("gift_wrap", "string", "Gift wrap chosen.", nullable=True, added_on=DAY + timedelta(days=1))
    widened = replace(ORDERS, columns=(*ORDERS.columns, gift))
    land(tmp_path, HEADER + GOOD_ROWS)
    frame = load_landing_days(tmp_path, widened, [DAY], LOADED_AT).frame
    assert frame["gift_wrap"].isna().all() and len(frame) == 3
    with pytest.raises(LandingError, match=r"missing column\(s\) gift_wrap"):
        load_landing_days(tmp_path, replace(widened, columns=(*ORDERS.columns, replace(gift, added_on=DAY))),
                          [DAY], LOADED_AT)


def test_contract_names_that_could_escape_a_folder_or_a_statement_are_rejected():
    with pytest.raises(ValueError, match="must be lowercase"):
        replace(ORDERS, table="../../etc")
    with pytest.raises(ValueError, match="must be lowercase"):
        Column("id; drop table raw.books_orders", "string", "")


def test_a_header_only_file_is_an_empty_day(tmp_path):
    land(tmp_path, HEADER)
    loaded = load(tmp_path)
    assert loaded.frame.empty
    assert list(loaded.frame.columns) == [*ORDERS.column_names, "_source_file", "_loaded_at"]


def test_the_sensor_check_accepts_what_the_loader_accepts(tmp_path):
    gift = Column("gift_wrap", "string", "Gift wrap chosen.", nullable=True, added_on=DAY + timedelta(days=1))
    widened = replace(ORDERS, columns=(*ORDERS.columns, gift))
    land(tmp_path, HEADER + GOOD_ROWS)
    assert structural_problems(tmp_path, widened, DAY) == []
    assert load_landing_days(tmp_path, widened, [DAY], LOADED_AT).rows_landed == 3
    later = replace(widened, columns=(*ORDERS.columns, replace(gift, added_on=DAY)))
    assert "does not match the books_orders contract" in structural_problems(tmp_path, later, DAY)[0]
    land(tmp_path, HEADER.strip() + ",coupon\n" + GOOD_ROWS.replace("\n", ",X\n"))
    assert "does not match" in structural_problems(tmp_path, ORDERS, DAY)[0]
