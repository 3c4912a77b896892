"""The bad-landing corpus: each fault is a mutation of one simulated table-day, made at test time.

A mutation edits the files of a landed table-day folder in place and returns the data rows (counting from 1
after the header of ``part-00000.csv``) whose landed version should end up in quarantine; a fault that
refuses the whole day returns no rows.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROWS_HIT = (2, 5, 9)  # the data rows a row-level fault damages
SQL_TEXT = "Robert'); drop table raw.books_orders; --"
QUOTED_TEXT = 'She said "read it", twice,\nthen left'


@dataclass(frozen=True)
class Fault:
    name: str
    table: str
    mutate: Callable[[Path], list[int]]
    outcome: str  # "refused", "quarantined" or "loaded"
    message: str  # regex the refusal or the quarantine check must match


def _first_file(folder: Path) -> Path:
    return sorted(folder.glob("part-*.csv"))[0]


def _read(folder: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(_first_file(folder).read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _write(folder: Path, header: list[str], rows: list[list[str]], name: str | None = None) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    (folder / name if name else _first_file(folder)).write_text(buffer.getvalue(), encoding="utf-8")


def _set(column: str, value: str | Callable[[str], str], rows_hit=ROWS_HIT) -> Callable[[Path], list[int]]:
    def mutate(folder: Path) -> list[int]:
        header, rows = _read(folder)
        index = header.index(column)
        for row in rows_hit or range(1, len(rows) + 1):
            old = rows[row - 1][index]
            rows[row - 1][index] = value(old) if callable(value) else value
        _write(folder, header, rows)
        return list(rows_hit or [])

    return mutate


def _drop_column(column: str) -> Callable[[Path], list[int]]:
    def mutate(folder: Path) -> list[int]:
        header, rows = _read(folder)
        index = header.index(column)
        _write(folder, header[:index] + header[index + 1:], [row[:index] + row[index + 1:] for row in rows])
        return []

    return mutate


def _add_column(folder: Path) -> list[int]:
    header, rows = _read(folder)
    _write(folder, [*header, "coupon_code"], [[*row, "SPRING"] for row in rows])
    return []


def _truncate(folder: Path) -> list[int]:
    path = _first_file(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return []


def _unbalanced_quote(folder: Path) -> list[int]:
    path = _first_file(folder)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = '"' + lines[3]
    path.write_text("".join(lines), encoding="utf-8")
    return []


def _latin1_text(folder: Path) -> list[int]:
    path = _first_file(folder)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b",", b",Andr\xe9 ", 1)
    path.write_bytes(b"".join(lines))
    return []


def _empty_file(folder: Path) -> list[int]:
    _first_file(folder).write_bytes(b"")
    return []


def _marker_without_file(folder: Path) -> list[int]:
    for path in folder.glob("part-*.csv"):
        path.unlink()
    return []


def _conflicting_copies(folder: Path) -> list[int]:
    header, rows = _read(folder)
    quantity = header.index("quantity")
    copies = [[*rows[row - 1]] for row in ROWS_HIT]
    for copy in copies:
        copy[quantity] = str(int(copy[quantity]) + 1)
    _write(folder, header, copies, name="part-00001.csv")
    return list(ROWS_HIT)


def _exact_copies(folder: Path) -> list[int]:
    header, rows = _read(folder)
    _write(folder, header, rows + [rows[row - 1] for row in ROWS_HIT])
    return []


def _outside_day(old: str) -> str:
    return "2020-01-01 12:00:00"


def _text_fields(folder: Path) -> list[int]:
    header, rows = _read(folder)
    text = header.index("review_text")
    rows[0][text], rows[1][text] = SQL_TEXT, QUOTED_TEXT
    _write(folder, header, rows)
    return []


FAULTS: tuple[Fault, ...] = (
    Fault("truncated file", "books_orders", _truncate, "refused", r"part-00000.csv: the file is truncated"),
    Fault("corrupt file (unbalanced quote)", "books_orders", _unbalanced_quote, "refused",
          r"part-00000.csv: (unparseable rows|the file is truncated)"),
    Fault("missing column", "books_orders", _drop_column("discount_amount"), "refused",
          r"part-00000.csv: missing column\(s\) discount_amount"),
    Fault("extra column", "books_orders", _add_column, "refused", r"part-00000.csv: unexpected column\(s\) coupon_code"),
    Fault("column retyped", "books_orders", _set("quantity", "many", rows_hit=()), "refused",
          r"part-00000.csv: column quantity is not a whole number .*changed the column's type"),
    Fault("wrong type in some rows", "books_orders", _set("unit_price", "ten"), "quarantined",
          r"part-00000.csv: column unit_price is not a number in 3 row\(s\) \(data rows \[2, 5, 9\]"),
    Fault("null keys", "books_orders", _set("order_id", ""), "quarantined",
          r"part-00000.csv: column order_id is empty but the contract requires a value in 3 row\(s\) "
          r"\(data rows \[2, 5, 9\]"),
    Fault("duplicate keys across files of one day", "books_orders", _conflicting_copies, "quarantined",
          r"appear in 6 rows with different contents, in .*part-00000.csv rows \[2, 5, 9\], "
          r".*part-00001.csv rows \[1, 2, 3\]"),
    Fault("negative quantities", "books_orders", _set("quantity", "-2"), "quarantined",
          r"part-00000.csv: column quantity is negative in 3 row\(s\) \(data rows \[2, 5, 9\]"),
    Fault("negative prices", "books_orders", _set("unit_price", lambda old: f"-{old}"), "quarantined",
          r"part-00000.csv: column unit_price is negative in 3 row\(s\) \(data rows \[2, 5, 9\]"),
    Fault("dates outside the partition", "books_orders", _set("ordered_at", _outside_day), "quarantined",
          r"part-00000.csv: column ordered_at falls outside the landing day .* in 3 row\(s\) "
          r"\(data rows \[2, 5, 9\]"),
    Fault("non-UTF-8 text", "books_orders", _latin1_text, "refused", r"part-00000.csv: not valid UTF-8"),
    Fault("quotes and SQL-looking text", "books_reviews", _text_fields, "loaded", ""),
    Fault("exact duplicate rows", "books_orders", _exact_copies, "loaded", ""),
    Fault("empty file", "books_orders", _empty_file, "refused", r"part-00000.csv: the file is empty"),
    Fault("_SUCCESS but no data file", "books_orders", _marker_without_file, "refused",
          r"has a _SUCCESS marker but no data file"),
)
