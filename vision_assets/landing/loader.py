"""Read one landed table-day, check it against its contract, and hand back a frame ready for the warehouse.

This is plain Python (pyarrow and pandas), testable without Dagster; the raw assets are thin wrappers
around :func:`load_landing_days`. Problems come in two sizes:

- A problem with a file or the day as a whole (no marker, no file, an empty, cut-off, unparseable or
  non-UTF-8 file, a missing, repeated or unexpected column, a column whose values are mostly not of its
  type, a file outside the landing root) raises :class:`LandingError`: nothing of the day is loaded.
- A problem with single rows (a value that is not of its type, exactly, as :mod:`values` defines it; an
  empty required value; a value that breaks a rule of its contract, :mod:`rules`; an event time outside
  the day; a key shared by rows with different contents) puts those rows in quarantine, with the reason,
  and loads the rest of the day.

Every message names the file, the column and the rows, so the person on call knows what to send back to
the exporter. The counts reconcile: rows landed = rows loaded + rows quarantined + exact duplicates dropped.
A loaded value is the value sent, up to two documented normalisations: text is trimmed, and a timestamp
written with a UTC offset is converted to UTC.

The files are parsed by pyarrow's CSV reader, with every column as text: it keeps every byte of a value
(pandas' C parser cuts a value at a NUL byte) and refuses a row with too few fields as well as one with too
many.
"""

import codecs
import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from vision_assets.landing.contracts import SourceTable
from vision_assets.landing.layout import SUCCESS_MARKER, landing_day_dir
from vision_assets.landing.storage import check_store, is_object_store, landing_path, store_errors
from vision_assets.landing.values import convert, file_holds_controls
from vision_assets.raw.names import LOADED_AT_COLUMN, SOURCE_FILE_COLUMN

LINEAGE_COLUMNS = (SOURCE_FILE_COLUMN, LOADED_AT_COLUMN)

# The columns a quarantined row carries besides its values as landed (text).
DATA_ROW_COLUMN = "_data_row"
REASON_COLUMN = "_reason"
LANDING_DAY_COLUMN = "_landing_day"
QUARANTINE_COLUMNS = (SOURCE_FILE_COLUMN, DATA_ROW_COLUMN, LANDING_DAY_COLUMN, REASON_COLUMN)

_EXAMPLE_ROWS_SHOWN = 5
# More bad values than this share of a column's values is not a few bad rows but a changed export.
_RETYPED_COLUMN_SHARE = 0.5


class LandingError(ValueError):
    """A landed table-day cannot be loaded as it is. The message says which file and why; ``day`` is the
    day refused (set by :func:`load_landing_days`)."""

    day: date | None = None


@dataclass(frozen=True)
class LoadReport:
    """What happened to one table-day: the raw layer's record of a load, kept beside its quarantine.

    ``status`` is ``loaded`` (every landed row is loaded, quarantined or a dropped exact duplicate) or
    ``refused`` (nothing of the day was written; ``refusal`` says why).
    """

    table: str
    day: str
    status: str
    rows_landed: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_rows_removed: int = 0
    # Rows per quarantine reason; a row that breaks two rules counts under both.
    rows_by_reason: dict[str, int] = field(default_factory=dict)
    timestamps_with_offset: int = 0
    source_files: tuple[str, ...] = ()
    loaded_at: str = ""
    refusal: str = ""

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "source_files": list(self.source_files)}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "LoadReport":
        values = json.loads(text)
        return cls(**{**values, "source_files": tuple(values["source_files"])})


@dataclass
class LoadedTable:
    """What was read for one source table over one or more days: the rows to load, the rows held back,
    and the record of each day's load, which the counts below add up."""

    frame: pd.DataFrame
    quarantined: pd.DataFrame
    quarantine_reasons: list[str]
    reports: list[LoadReport]

    @property
    def source_files(self) -> list[str]:
        return [path for report in self.reports for path in report.source_files]

    @property
    def rows_landed(self) -> int:
        return sum(report.rows_landed for report in self.reports)

    @property
    def duplicate_rows_removed(self) -> int:
        return sum(report.duplicate_rows_removed for report in self.reports)

    @property
    def timestamps_with_offset(self) -> int:
        return sum(report.timestamps_with_offset for report in self.reports)

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantined)

    @property
    def rows_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report in self.reports:
            for reason, rows in report.rows_by_reason.items():
                counts[reason] = counts.get(reason, 0) + rows
        return counts


def load_landing_days(landing_root: Path, table: SourceTable, days: list[date], loaded_at: datetime) -> LoadedTable:
    """Load every given day of one source table; fail on the first day that cannot be loaded at all.

    ``loaded_at`` is naive UTC, like every timestamp in the warehouse. A landing root in an object store
    that cannot be listed (wrong credentials, no bucket) raises
    :class:`~vision_assets.landing.storage.LandingStoreError` before anything is read.
    """
    check_store(landing_path(landing_root))
    loaded_days = []
    for day in days:
        try:
            loaded_days.append(_load_landing_day(landing_root, table, day, loaded_at))
        except LandingError as error:
            error.day = day
            raise
    frames = [loaded.frame for loaded in loaded_days]
    return LoadedTable(
        frame=pd.concat(frames, ignore_index=True) if frames else empty_frame(table),
        quarantined=(
            pd.concat([loaded.quarantined for loaded in loaded_days], ignore_index=True)
            if loaded_days
            else empty_quarantine(table)
        ),
        quarantine_reasons=[reason for loaded in loaded_days for reason in loaded.quarantine_reasons],
        reports=[report for loaded in loaded_days for report in loaded.reports],
    )


def refusal_report(table: SourceTable, error: LandingError, loaded_at: datetime) -> LoadReport:
    """The record of a day that could not be loaded at all (the warehouse keeps what it held for the day)."""
    return LoadReport(
        table=table.name,
        day=error.day.isoformat(),
        status="refused",
        loaded_at=loaded_at.isoformat(),
        refusal=str(error),
    )


def empty_frame(table: SourceTable) -> pd.DataFrame:
    """A frame with the table's warehouse columns and types and no rows."""
    text = pa.table({name: pa.array([], pa.string()) for name in table.column_names})
    frame, _, _ = _typed(text, text.to_pandas(), table, Path("<empty>"))
    frame[SOURCE_FILE_COLUMN] = pd.Series([], dtype=object)
    frame[LOADED_AT_COLUMN] = pd.Series([], dtype="datetime64[us]")
    return frame


def empty_quarantine(table: SourceTable) -> pd.DataFrame:
    names = (*table.column_names, *QUARANTINE_COLUMNS)
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})


def _load_landing_day(landing_root: Path, table: SourceTable, day: date, loaded_at: datetime) -> LoadedTable:
    root = landing_path(landing_root)
    folder = landing_day_dir(root, table, day)
    with store_errors(folder, f"{table.name} {day}: reading the export"):
        if not (folder / SUCCESS_MARKER).is_file():
            check_store(root)  # a bucket that vanished looks, to a listing, like a missing marker
            raise LandingError(
                f"{table.name} {day}: not loaded, {folder} has no {SUCCESS_MARKER} marker "
                "(the export for this day has not finished or never ran)"
            )
        files = sorted(folder.glob("*.csv"))
    if not files:
        raise LandingError(
            f"{table.name} {day}: {folder} has a {SUCCESS_MARKER} marker but no data file (*.csv); "
            "the export claims to be complete but delivered nothing"
        )
    raws, typeds, problems, with_offset = [], [], [], 0
    for path in files:
        # A local folder may hold a symbolic link out of it; an object store has no links.
        if not is_object_store(root) and not path.resolve().is_relative_to(root):
            raise LandingError(
                f"{path}: resolves to {path.resolve()}, outside the landing root {root}; not read"
            )
        relative = str(path.relative_to(root))
        with store_errors(path, f"{table.name} {day}: reading the export"):
            data = path.read_bytes()
        text, holds_controls = _read_csv(path, data, table, day)
        raw = text.to_pandas()
        typed, bad, offsets = _typed(text, raw, table, path, holds_controls)
        bad += _bad_rows(typed, raw, table, path, day)
        for frame in (raw, typed):
            frame[SOURCE_FILE_COLUMN] = relative
            frame[DATA_ROW_COLUMN] = range(1, len(raw) + 1)
        raws.append(raw)
        typeds.append(typed)
        problems.append(bad)
        with_offset += offsets
    raw = pd.concat(raws, ignore_index=True)
    typed = pd.concat(typeds, ignore_index=True)
    reasons = _reasons(problems, [len(frame) for frame in raws])

    good = reasons.isna()
    duplicate = typed[good].duplicated(subset=table.column_names).reindex(typed.index, fill_value=False)
    kept = good & ~duplicate
    conflicts, conflict_summary = _key_conflicts(typed[kept], table, folder)
    conflicts = conflicts.reindex(typed.index, fill_value=False)
    conflict_reason = f"key ({', '.join(table.key)}) shared with a row of different contents"
    reasons = reasons.where(~conflicts, conflict_reason)
    loaded = kept & reasons.isna()
    summaries = [summary for bad in problems for _, _, summary in bad]
    summaries += [conflict_summary] if conflicts.any() else []
    rows_by_reason = _rows_by_reason(problems)
    if conflicts.any():
        rows_by_reason[conflict_reason] = int(conflicts.sum())

    frame = typed.loc[loaded, [*table.column_names, SOURCE_FILE_COLUMN]].reset_index(drop=True)
    frame[LOADED_AT_COLUMN] = pd.Timestamp(loaded_at).as_unit("us")
    quarantined = raw.loc[reasons.notna(), [*table.column_names, SOURCE_FILE_COLUMN, DATA_ROW_COLUMN]]
    quarantined = quarantined.assign(
        **{LANDING_DAY_COLUMN: day.isoformat(), REASON_COLUMN: reasons[reasons.notna()]}
    )
    source_files = [str(path.relative_to(root)) for path in files]
    report = LoadReport(
        table=table.name,
        day=day.isoformat(),
        status="loaded",
        rows_landed=len(typed),
        rows_loaded=len(frame),
        rows_quarantined=int(reasons.notna().sum()),
        duplicate_rows_removed=int(duplicate.sum()),
        rows_by_reason=rows_by_reason,
        timestamps_with_offset=with_offset,
        source_files=tuple(source_files),
        loaded_at=loaded_at.isoformat(),
    )
    return LoadedTable(
        frame=frame,
        quarantined=quarantined.reset_index(drop=True),
        quarantine_reasons=summaries,
        reports=[report],
    )


def _read_header(path: Path, data: bytes) -> list[str]:
    """The header row, read on its own so that a repeated column name is seen (a table keeps only one)."""
    start = data[: 1 << 16]
    if not start.strip(b"\r\n"):
        raise LandingError(f"{path}: the file is empty (not even a header row)")
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(start, final=False).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise LandingError(f"{path}: not valid UTF-8 text ({error.reason} at byte {error.start})") from None
    return next(csv.reader(io.StringIO(text, newline="")))


def _read_csv(path: Path, data: bytes, table: SourceTable, day: date) -> tuple[pa.Table, bool]:
    """Read a landing file as text; the contract, not a parser's guessing, decides the types.

    Returns the text of the contract's columns and whether a value may hold a control character, a tab or
    a line break (read off the file's bytes: when none can, the values need not be scanned for them).
    """
    header = _read_header(path, data)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise LandingError(f"{path}: column(s) {', '.join(repeated)} appear more than once in the header")
    expected = table.column_names
    not_yet_sent = [c.name for c in table.columns if c.added_on is not None and day < c.added_on]
    missing = [name for name in expected if name not in header and name not in not_yet_sent]
    unexpected = [name for name in header if name not in expected]
    if missing:
        raise LandingError(f"{path}: missing column(s) {', '.join(missing)} required by the {table.name} contract")
    if unexpected:
        raise LandingError(
            f"{path}: unexpected column(s) {', '.join(map(str, unexpected))} not in the {table.name} "
            "contract (a new column loads once the contract declares it, nullable, with the day it was added)"
        )
    if not data.endswith((b"\n", b"\r")) and _has_data_lines(data):
        raise LandingError(
            f"{path}: the file is truncated, its last line has no line end; the export was cut off mid-write"
        )
    try:
        text = pa_csv.read_csv(
            pa.py_buffer(data),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise LandingError(_parse_failure(path, data, len(header), error)) from None
    columns = {name: text.column(name) if name in header else pa.nulls(text.num_rows, pa.string()) for name in expected}
    return pa.table(columns), file_holds_controls(data, text.num_rows)


def _parse_failure(path: Path, data: bytes, fields: int, error: pa.ArrowInvalid) -> str:
    """Say what is wrong with a file pyarrow could not parse, and where (found again, on this rare path only)."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        return f"{path}: not valid UTF-8 text ({bad.reason} at byte {bad.start})"
    records = csv.reader(io.StringIO(content, newline=""))
    next(records, None)
    for row_number, record in enumerate((record for record in records if record), start=1):
        if len(record) != fields:
            return (
                f"{path}: unparseable rows, the file is truncated or corrupt (data row {row_number} has "
                f"{len(record)} field(s), the header {fields})"
            )
    return f"{path}: unparseable rows, the file is truncated or corrupt ({error})"


def _has_data_lines(data: bytes) -> bool:
    """More than a header: a line break before the last byte (a header-only file may lack its final one)."""
    start = data[: 1 << 16]
    return any(0 <= start.find(line_break) < len(start) - 1 for line_break in (b"\n", b"\r"))


Problem = tuple[pd.Series, str, str]
"""Rows that break one rule: their mask, the reason each row is quarantined with, and a summary line."""


def check_rows(text: pa.Table, table: SourceTable, where: str) -> tuple[pd.DataFrame, pd.Series]:
    """Check rows that did not come in a file (the live lane's events) exactly as a landed file's rows are.

    ``text`` holds the contract's columns as text. Returns the typed rows and, per row, the reasons it
    breaks the contract (all of them, joined; missing for a good row): a value not of its type, an empty
    required value, a broken rule. Unlike a file, a batch whose column is mostly of the wrong type is not
    refused as a whole: each row stands alone. ``where`` names the rows' origin in the messages.
    """
    raw = text.to_pandas()
    typed, problems, _ = _typed(text, raw, table, Path(where), refuse_retyped_columns=False)
    problems += _rule_problems(typed, raw, table, Path(where))
    return typed, _reasons([problems], [len(raw)])


def _typed(
    text: pa.Table,
    raw: pd.DataFrame,
    table: SourceTable,
    path: Path,
    holds_controls: bool = True,
    refuse_retyped_columns: bool = True,
) -> tuple[pd.DataFrame, list[Problem], int]:
    """Convert each text column to its contract type; a value that does not convert makes its row bad, and
    so does an empty value (after trimming) where the contract requires one.

    When most of a column's values do not convert, the exporter changed the column, and the file is refused
    (unless ``refuse_retyped_columns`` is off). Returns the typed frame, the rows' problems and how many
    timestamps carried a UTC offset.
    """
    typed, problems, with_offset = {}, [], 0
    for column in table.columns:
        converted = convert(
            text.column(column.name), column.type, free_text=column.free_text, may_hold_controls=holds_controls
        )
        typed[column.name] = converted.values
        with_offset += converted.with_offset
        if refuse_retyped_columns and converted.not_of_type.sum() > _RETYPED_COLUMN_SHARE * (~converted.missing).sum():
            mask, problem = next((mask, problem) for mask, problem in converted.problems if mask.any())
            raise LandingError(
                _summary(pd.Series(mask), path, column.name, problem, raw)
                + "; more than half of its values: the exporter changed the column's type, nothing was loaded"
            )
        for mask, problem in converted.problems:
            problems += _problem(pd.Series(mask), path, column.name, problem, raw)
        if not column.nullable:
            problems += _problem(
                pd.Series(converted.missing), path, column.name, "is empty but the contract requires a value", raw
            )
    return pd.DataFrame(typed, index=pd.RangeIndex(text.num_rows)), problems, with_offset


def _bad_rows(
    typed: pd.DataFrame, raw: pd.DataFrame, table: SourceTable, path: Path, day: date
) -> list[Problem]:
    """The rows whose values break a rule of the contract, or whose event time is not in the day."""
    problems = _rule_problems(typed, raw, table, path)
    day_start = pd.Timestamp(day)
    event_time = typed[table.event_time]
    outside = (event_time < day_start) | (event_time >= day_start + timedelta(days=1))
    problems += _problem(outside, path, table.event_time, f"falls outside the landing day {day} (UTC)", raw)
    return problems


def _rule_problems(typed: pd.DataFrame, raw: pd.DataFrame, table: SourceTable, path: Path) -> list[Problem]:
    problems = []
    for column in table.columns:
        for rule in column.rules:
            problems += _problem(rule.broken_by(typed[column.name]), path, column.name, rule.problem, raw)
    for rule in table.row_rules:
        problems += _problem(rule.broken_by(typed), path, ", ".join(rule.columns), rule.problem, raw)
    return problems


def _reasons(problems: list[list[Problem]], lengths: list[int]) -> pd.Series:
    """One reason text per row of the day (all rules it breaks, joined), missing for a good row."""
    parts = []
    for bad, length in zip(problems, lengths):
        reasons = pd.Series([None] * length, dtype=object)
        for mask, reason, _ in bad:
            mask = mask.to_numpy()
            reasons[mask] = [
                reason if current is None else f"{current}; {reason}" for current in reasons[mask]
            ]
        parts.append(reasons)
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)


def _key_conflicts(kept: pd.DataFrame, table: SourceTable, folder: Path) -> tuple[pd.Series, str]:
    """Two different rows with one key are a conflict we cannot settle by guessing: both go to quarantine."""
    conflicting = kept.duplicated(subset=list(table.key), keep=False)
    if not conflicting.any():
        return conflicting, ""
    rows = kept.loc[conflicting]
    keys = rows[list(table.key)].drop_duplicates()
    where = ", ".join(f"{file} rows {sorted(group[DATA_ROW_COLUMN].tolist())[:_EXAMPLE_ROWS_SHOWN]}"
                      for file, group in rows.groupby(SOURCE_FILE_COLUMN))
    summary = (
        f"{folder}: {len(keys)} key(s) of ({', '.join(table.key)}) appear in {len(rows)} rows with different "
        f"contents, in {where}; e.g. {keys.head(3).to_dict('records')}"
    )
    return conflicting, summary


def _rows_by_reason(problems: list[list[Problem]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for bad in problems:
        for mask, reason, _ in bad:
            counts[reason] = counts.get(reason, 0) + int(mask.sum())
    return counts


def _problem(bad: pd.Series, path: Path, columns: str, problem: str, raw: pd.DataFrame) -> list[Problem]:
    """The rows ``bad`` as one problem. ``columns``: the column the problem is about, or (for a rule that ties
    columns together, whose ``problem`` names them) several, comma-separated."""
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return []
    reason = problem if "," in columns else f"{columns} {problem}"
    return [(bad, reason, _summary(bad, path, columns, problem, raw))]


def _summary(bad: pd.Series, path: Path, columns: str, problem: str, raw: pd.DataFrame) -> str:
    rows = (bad[bad].index[:_EXAMPLE_ROWS_SHOWN] + 1).tolist()
    names = columns.split(", ")
    shown = raw.loc[bad, names].head(_EXAMPLE_ROWS_SHOWN)
    examples = shown[names[0]].tolist() if len(names) == 1 else shown.to_dict("records")
    label = f"column {columns} {problem}" if len(names) == 1 else f"columns {columns}: {problem}"
    return (
        f"{path}: {label} in {int(bad.sum())} row(s) "
        f"(data rows {rows}, counting from 1 after the header; values {examples})"
    )
