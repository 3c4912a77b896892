"""Generated landing days for the loader's properties: valid days drawn from a contract, then broken the ways
real exports break.

A generated day is a list of rows, each the text of its fields as written and what the loader must do with
it: load it with the values the test computes from what it generated (never from the loader), quarantine it,
or drop it as an exact duplicate. The mutations are chosen by Hypothesis:

* benign, the row still loads with the same values: padding (spaces, tabs), a timestamp written in another
  UTC offset (``+05:30``, ``-0800``, ``+02``, ``Z``) or with ``T``, integers as ``+7``, ``7.0``, ``007``,
  decimals with trailing zeros or an exponent;
* invalidating, the row is quarantined: a value of the wrong type, ``inf``/``nan`` in any spelling, numbers
  past what the warehouse holds, too many digits, control characters, empty required values, impossible
  dates, named time zones, a value outside a rule of the contract (range, vocabulary, identifier shape, ISO
  code, check digit, a rule across columns), an event time outside the day;
* of the table: exact duplicates (after normalisation), two rows with one key and different contents,
  several part files, columns in another order, ``\\r\\n`` or ``\\r`` line ends, quoting everything, a
  byte-order mark; and, rarely, what refuses the whole day (an extra, missing or repeated column, a byte that
  is not UTF-8, a cut-off last line, or most of a column's values not of its type).
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import strategies as st

from vision_assets.landing.contracts import Column, SourceTable
from vision_assets.landing.layout import landing_day_dir
from vision_assets.landing.rules import (
    Between,
    ExactlyOneSet,
    InCodeList,
    Isbn13,
    Matches,
    OneOf,
    ProductBelow,
    SetExactlyWhen,
    ZeroWhen,
)

DAY = date(2026, 10, 1)
DAY_START = datetime(DAY.year, DAY.month, DAY.day)
INTEGER_LOW, INTEGER_HIGH = -(2**31), 2**31 - 1
# What the loader may trim: ASCII blanks and line breaks, and Unicode's space separators (category Zs).
TRIMMABLE = " \t\n\r" + "".join(chr(code) for code in range(0x3001) if unicodedata.category(chr(code)) == "Zs")
CONTROL = [chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]]
FREE_TEXT_CONTROL = [character for character in CONTROL if character not in "\t\n\r"]


@dataclass
class Row:
    text: dict[str, str]
    # The value each column must load as (None for empty); meaningful when ``fate`` is "loaded".
    expected: dict[str, object]
    fate: str = "loaded"  # "loaded", "quarantined" or "duplicate"
    # Columns whose text is not a value of the column's type at all (what counts towards "retyped").
    not_of_type: set[str] = field(default_factory=set)
    story: list[str] = field(default_factory=list)
    file: int = 0
    data_row: int = 0


@dataclass
class Day:
    table: SourceTable
    rows: list[Row]
    # The header of each file (one file per entry), in the order the file has its columns.
    headers: list[list[str]]
    line_ending: str
    quote_all: bool
    bom: bool
    # A file-level fault: (file index, what) - the day must be refused naming that file.
    broken_file: tuple[int, str] | None = None

    @property
    def files(self) -> int:
        return len(self.headers)

    def describe(self) -> str:
        summary = (
            f"{self.table.name}: {len(self.rows)} rows, {self.files} file(s), line end {self.line_ending!r}, "
            f"quote all {self.quote_all}, BOM {self.bom}, broken {self.broken_file}, headers {self.headers}"
        )
        lines = [summary]
        lines += [f"  file {row.file} row {row.data_row} {row.fate}: {row.story} {row.text}" for row in self.rows]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------- valid values
def _plain_text(free_text: bool) -> st.SearchStrategy[str]:
    inner = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
    if free_text:
        inner = st.one_of(inner, st.sampled_from("\t\n\r"))
    return st.text(inner, min_size=1, max_size=12).filter(
        lambda text: text[0] not in TRIMMABLE and text[-1] not in TRIMMABLE
    )


def _isbn(digits: str) -> str:
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _bounds(column: Column) -> tuple[float | None, float | None]:
    low = high = None
    for rule in column.rules:
        if isinstance(rule, Between):
            low, high = rule.minimum, rule.maximum
    return low, high


def _timestamp_text(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S") + (f".{instant.microsecond:06d}" if instant.microsecond else "")


@st.composite
def valid_value(draw, table: SourceTable, column: Column) -> tuple[str, object]:
    """A value the contract accepts: the text written and the value it must load as."""
    if column.type == "timestamp":
        if column.name == table.event_time:
            instant = DAY_START + timedelta(microseconds=draw(st.integers(0, 86_400_000_000 - 1)))
        else:
            instant = draw(st.datetimes(datetime(1990, 1, 1), datetime(2099, 12, 31)))
        if draw(st.booleans()):
            instant = instant.replace(microsecond=0)
        return _timestamp_text(instant), instant
    if column.type == "integer":
        low, high = _bounds(column)
        low = INTEGER_LOW if low is None else int(low)
        high = INTEGER_HIGH if high is None else int(high)
        number = draw(st.one_of(st.integers(max(low, -1000), min(high, 10**6)), st.sampled_from([low, high])))
        return str(number), number
    if column.type == "decimal":
        low, _ = _bounds(column)
        units = draw(st.integers(0 if low == 0 else -(10**12), 10**12))
        scale = draw(st.integers(0, 4))
        sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(scale + 1, "0")
        text = sign + (digits[:-scale] + "." + digits[-scale:] if scale else digits)
        return text, float(text)
    rule = next(iter(column.rules), None)
    if isinstance(rule, OneOf):
        text = draw(st.sampled_from(rule.values))
    elif isinstance(rule, InCodeList):
        text = draw(st.sampled_from(sorted(rule.codes())))
    elif isinstance(rule, Matches):
        text = draw(st.from_regex(rule.pattern, fullmatch=True))
    elif isinstance(rule, Isbn13):
        text = _isbn(draw(st.text("0123456789", min_size=12, max_size=12)))
    else:
        text = draw(_plain_text(column.free_text))
    return text, text


@st.composite
def valid_row(draw, table: SourceTable) -> Row:
    row = Row(text={}, expected={})
    for column in table.columns:
        if column.nullable and draw(st.integers(0, 4)) == 0:
            row.text[column.name], row.expected[column.name] = "", None
        else:
            row.text[column.name], row.expected[column.name] = draw(valid_value(table, column))
    _keep_row_rules(draw, table, row)
    return row


def _set(row: Row, column: str, value: tuple[str, object]) -> None:
    row.text[column], row.expected[column] = value


def _keep_row_rules(draw, table: SourceTable, row: Row) -> None:
    """Make a generated row keep the rules that tie its columns together, as an exporter would."""
    for rule in table.row_rules:
        if isinstance(rule, ZeroWhen) and row.text[rule.when_column] in rule.values:
            _set(row, rule.column, ("0", 0))
        elif isinstance(rule, SetExactlyWhen):
            wanted = row.text[rule.when_column] in rule.values
            if wanted and not row.text[rule.column]:
                _set(row, rule.column, draw(valid_value(table, table.column(rule.column))))
            elif not wanted:
                _set(row, rule.column, ("", None))
        elif isinstance(rule, ExactlyOneSet):
            kept = draw(st.sampled_from(rule.columns))
            for name in rule.columns:
                if name != kept:
                    _set(row, name, ("", None))
                elif not row.text[name]:
                    _set(row, name, draw(valid_value(table, table.column(name))))
        elif isinstance(rule, ProductBelow):
            product = 1.0
            for name in rule.columns:
                product *= float(row.expected[name] or 0)
            if abs(product) >= rule.limit:
                _set(row, rule.columns[0], ("1", 1))


# ------------------------------------------------------------------------------------------- benign changes
def _offset_text(instant: datetime, minutes: int, style: str, separator: str) -> str:
    local = instant + timedelta(minutes=minutes)
    text = local.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    if instant.microsecond:
        text += f".{local.microsecond:06d}"
    sign, magnitude = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(magnitude, 60)
    if style == "Z" and minutes == 0:
        return text + "Z"
    if style == "hh" and rest == 0:
        return text + f"{sign}{hours:02d}"
    if style == "hhmm":
        return text + f"{sign}{hours:02d}{rest:02d}"
    return text + f"{sign}{hours:02d}:{rest:02d}"


@st.composite
def benign_change(draw, table: SourceTable, row: Row) -> None:
    """Write one value of the row differently; it must still load as the same value."""
    name = draw(st.sampled_from([name for name, text in row.text.items() if text]))
    column, text, value = table.column(name), row.text[name], row.expected[name]
    choice = draw(st.integers(0, 3))
    plain = text.lstrip("-").replace(".", "", 1).isdigit()  # not already rewritten (a copy of a changed row)
    if choice == 0 or column.type == "string" or (column.type == "decimal" and not plain):
        pad = draw(st.text(" \t", min_size=1, max_size=3))
        row.text[name] = pad + text + draw(st.text(" \t", max_size=2))
        row.story.append(f"padded {name}")
    elif column.type == "timestamp":
        minutes = draw(st.integers(-14 * 4, 14 * 4)) * 15
        style = draw(st.sampled_from(["hh:mm", "hhmm", "hh", "Z"]))
        row.text[name] = _offset_text(value, minutes, style, draw(st.sampled_from(["T", " "])))
        row.story.append(f"{name} written with offset {minutes} min")
    elif column.type == "integer":
        forms = [f"{value}.0", f"{value}.00"] + ([f"+{value}", f"00{value}"] if value >= 0 else [])
        row.text[name] = draw(st.sampled_from(forms))
        row.story.append(f"{name} written as {row.text[name]}")
    else:
        forms = [text + ("0" if "." in text else ".0"), f"{text}e0", f"{text}E+00"]
        row.text[name] = draw(st.sampled_from(forms))
        row.story.append(f"{name} written as {row.text[name]}")


# ------------------------------------------------------------------------------------------- breaking changes
_NOT_NUMBERS = ["twelve", "12x", "1.2.3", "$3", "0x1A", "١٢", "1 000", "", "--1"]
_NON_FINITE = ["inf", "-inf", "+Infinity", "INF", "NaN", "nan", "-nan", "sNaN", "∞"]
_BAD_TIMESTAMPS = [
    "yesterday", "2026-10-01", "2026-10-01 10:00:00 CET", "2026-10-01T10:00:00[Europe/Paris]",
    "2026-10-01 23:59:60", "2026-02-30 10:00:00", "2026-10-01T25:00:00", "2026-10-01 10:00:00.1234567",
    "20261001T100000", "2026-10-01 10:00:00+25:00", "01/10/2026 10:00", "0000-01-01 00:00:00",
]


@st.composite
def breaking_change(draw, table: SourceTable, row: Row) -> None:
    """Change the row so that the contract must refuse it: it is quarantined."""
    column = draw(st.sampled_from(table.columns))
    name = column.name
    options = ["empty"] if not column.nullable else []
    if column.type in ("integer", "decimal"):
        options += ["not a number", "non-finite", "too large"]
    if column.type == "decimal":
        options += ["too precise"]
    if column.type == "timestamp":
        options += ["bad timestamp"]
    if column.type == "string":
        options += ["control character"]
    options += ["rule"] if column.rules or name == table.event_time else []
    options += ["row rule"] if table.row_rules else []
    kind = draw(st.sampled_from(options))
    row.fate = "quarantined"
    row.story.append(f"{kind} in {name}")
    if kind == "empty":
        row.text[name] = draw(st.sampled_from(["", " ", "\t", " \u00a0 "]))
    elif kind == "not a number":
        row.text[name] = draw(st.sampled_from([text for text in _NOT_NUMBERS if text] + ["1.5e", "e5"]))
        row.not_of_type.add(name)
        if column.type == "integer":
            row.text[name] = draw(st.sampled_from([row.text[name], "1.5", "1e3", "7,0"]))
    elif kind == "non-finite":
        row.text[name] = draw(st.sampled_from(_NON_FINITE + ["1e400", "-1e999"]))
        row.not_of_type.add(name)
    elif kind == "too large":
        big = ["2147483648", "-2147483649", "9223372036854775808", "99999999999999999999"]
        row.text[name] = draw(st.sampled_from(big if column.type == "integer" else ["1e13", "-5e14", "10000000000000"]))
        row.not_of_type.add(name)
    elif kind == "too precise":
        row.text[name] = draw(st.sampled_from(["1.2345678901234567", "12345678901.234567", "1e-400"]))
        row.not_of_type.add(name)
    elif kind == "bad timestamp":
        row.text[name] = draw(st.sampled_from(_BAD_TIMESTAMPS))
        row.not_of_type.add(name)
    elif kind == "control character":
        # Inside the text proper: at its edge a tab or line break would be trimmed away, as padding is.
        text = row.text[name].strip(TRIMMABLE) or "x"
        control = draw(st.sampled_from(FREE_TEXT_CONTROL if column.free_text else CONTROL))
        at = draw(st.integers(1, len(text) - 1)) if len(text) > 1 else 1
        row.text[name] = text[:at] + control + text[at:] if at < len(text) else text + control + "x"
        row.not_of_type.add(name)
    elif kind == "rule":
        row.text[name] = draw(_breaking_rule_value(table, column, row))
    else:
        _break_row_rule(draw, table, row)


@st.composite
def _breaking_rule_value(draw, table: SourceTable, column: Column, row: Row) -> str:
    if column.name == table.event_time:
        instant = row.expected[column.name]
        shift = timedelta(days=draw(st.sampled_from([-400, -2, -1, 1, 2, 30])))
        if draw(st.booleans()):  # an offset that carries a valid local time to another UTC day
            hours = draw(st.integers(1, 14))
            target = DAY_START - timedelta(minutes=draw(st.integers(1, 60)))
            return _offset_text(target, hours * 60, "hh:mm", "T")
        return _timestamp_text(instant + shift)
    rule = column.rules[0]
    if isinstance(rule, OneOf):
        return draw(st.sampled_from(["unknown", rule.values[0].upper(), rule.values[0] + "s"]))
    if isinstance(rule, Between):
        if rule.maximum is not None and draw(st.booleans()):
            outside = rule.maximum + 1
        else:
            outside = rule.minimum - (1 if column.type == "integer" else 0.5)
        return str(int(outside)) if column.type == "integer" else str(outside)
    if isinstance(rule, InCodeList):
        return draw(st.sampled_from(["ZZ", "usd", "XXX", "U S", "UK", "EURO"]))
    if isinstance(rule, Isbn13):
        text = row.text[column.name] or _isbn("978000000000")
        wrong = str((int(text[-1]) + draw(st.integers(1, 9))) % 10)
        return draw(st.sampled_from([text[:-1] + wrong, text[:-1], "978-0-00-000000-2"]))
    return draw(st.sampled_from(["has space", "-leading-dash", "x" * 65, "ünïcode", "a/b", "a@b"]))


def _break_row_rule(draw, table: SourceTable, row: Row) -> None:
    rule = draw(st.sampled_from(table.row_rules))
    row.story.append(f"breaks {rule.problem}")
    if isinstance(rule, ZeroWhen):
        row.text[rule.when_column] = rule.values[0]
        row.text[rule.column] = "7"
    elif isinstance(rule, SetExactlyWhen):
        row.text[rule.column] = ""
        row.text[rule.when_column] = rule.values[0]
    elif isinstance(rule, ExactlyOneSet):
        if draw(st.booleans()):
            for name in rule.columns:
                row.text[name] = ""
        else:
            for name in rule.columns:
                row.text[name] = row.text[name] or "X-1"
    else:
        row.text[rule.columns[0]] = "100000000"
        row.text[rule.columns[1]] = "999999999.99"


# ------------------------------------------------------------------------------------------- whole days
def _key(table: SourceTable, row: Row) -> tuple:
    return tuple(row.expected[name] for name in table.key)


@st.composite
def landing_day(draw, table: SourceTable, mutate: bool = True) -> Day:
    """A generated day of ``table``; with ``mutate=False`` a valid day written plainly."""
    rows = draw(st.lists(valid_row(table), min_size=1, max_size=8, unique_by=lambda row: _key(table, row)))
    day = Day(table, rows, [list(table.column_names)], "\n", False, False)
    if not mutate:
        return day
    for row in rows:
        action = draw(st.sampled_from(["none", "none", "benign", "breaking", "both"]))
        if action in ("benign", "both"):
            draw(benign_change(table, row))
        if action in ("breaking", "both"):
            draw(breaking_change(table, row))
    loaded = [row for row in rows if row.fate == "loaded"]
    if loaded and draw(st.booleans()):
        original = draw(st.sampled_from(loaded))
        copy = Row(dict(original.text), dict(original.expected), "duplicate", set(), ["exact duplicate"])
        if draw(st.booleans()):
            draw(benign_change(table, copy))
        rows.append(copy)
    loaded = [row for row in rows if row.fate == "loaded" and row not in _duplicated_originals(rows)]
    free = [c for c in table.columns if c.name not in table.key and not _in_row_rule(table, c.name)]
    if loaded and free and draw(st.booleans()):
        original = draw(st.sampled_from(loaded))
        column = draw(st.sampled_from(free))
        text, value = draw(valid_value(table, column).filter(lambda drawn: drawn[1] != original.expected[column.name]))
        copy = Row(dict(original.text), dict(original.expected), "quarantined", set(), [f"key conflict on {column.name}"])
        _set(copy, column.name, (text, value))
        original.fate = "quarantined"
        original.story.append("key conflict")
        rows.append(copy)
    rows[:] = draw(st.permutations(rows))
    day.headers = [draw(st.permutations(table.column_names)) for _ in range(draw(st.integers(1, 3)))]
    for row in rows:
        row.file = draw(st.integers(0, day.files - 1))
    day.line_ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    day.quote_all = draw(st.booleans())
    day.bom = draw(st.booleans())
    if draw(st.integers(0, 9)) == 0:
        day.broken_file = (draw(st.integers(0, day.files - 1)), draw(st.sampled_from(
            ["extra column", "missing column", "repeated column", "not UTF-8", "cut off"]
        )))
    return day


def _in_row_rule(table: SourceTable, name: str) -> bool:
    return any(name in rule.columns for rule in table.row_rules)


def _duplicated_originals(rows: list[Row]) -> list[Row]:
    copies = [row for row in rows if row.fate == "duplicate"]
    return [row for row in rows if row.fate == "loaded" and any(copy.expected == row.expected for copy in copies)]


# ------------------------------------------------------------------------------------------- writing
def write_day(root: Path, day: Day) -> list[Path]:
    """Write the day's files and its marker; returns the files, in the order the loader reads them."""
    folder = landing_day_dir(root, day.table, DAY)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(day.files):
        header = list(day.headers[index])
        rows = [row for row in day.rows if row.file == index]
        fault = day.broken_file[1] if day.broken_file and day.broken_file[0] == index else None
        if fault == "extra column":
            header.append("coupon_code")
        if fault == "missing column":
            header.remove(next(c.name for c in day.table.columns if not c.nullable))
        if fault == "repeated column":
            header.append(header[0])
        records = [_record(header, day.quote_all)]
        for data_row, row in enumerate(rows, start=1):
            row.data_row = data_row
            records.append(_record([row.text.get(name, "SPRING") for name in header], day.quote_all))
        text = "".join(record + day.line_ending for record in records)
        data = (("\ufeff" if day.bom else "") + text).encode("utf-8")
        if fault == "not UTF-8":
            data = data + b"caf\xe9" + ("," * (len(header) - 1)).encode() + day.line_ending.encode()
        if fault == "cut off":
            data = data + b"partial,row"
        path = folder / f"part-{index:05d}.csv"
        path.write_bytes(data)
        paths.append(path)
    (folder / "_SUCCESS").touch()
    return paths


def _record(fields: list[str], quote_all: bool) -> str:
    """One CSV record as RFC 4180 writes it: a field with a comma, a quote or a line break is quoted.

    Not the csv module: in Python 3.11 its minimal quoting leaves a lone carriage return unquoted when the
    line terminator is ``\\n``, which no reader can tell from a line end.
    """
    quoted = [
        '"' + field.replace('"', '""') + '"' if quote_all or any(c in field for c in ',"\r\n') else field
        for field in fields
    ]
    return ",".join(quoted)


def files_that_must_refuse(day: Day, paths: list[Path]) -> list[Path]:
    """The files whose problems refuse the whole day: a file-level fault, or a column whose present values
    are mostly not of its type (the loader's sign that the exporter changed the column)."""
    refusing = []
    for index, path in enumerate(paths):
        if day.broken_file and day.broken_file[0] == index:
            refusing.append(path)
            continue
        rows = [row for row in day.rows if row.file == index]
        for name in day.table.column_names:
            present = [row for row in rows if row.text[name].strip(TRIMMABLE)]
            wrong = [row for row in present if name in row.not_of_type]
            if len(wrong) > 0.5 * len(present):
                refusing.append(path)
                break
    return refusing
