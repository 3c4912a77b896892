"""Read one landed table-day, check it against its contract, and hand back a frame ready for the warehouse.

This is plain pandas, testable without Dagster; the raw assets are thin wrappers around
:func:`load_landing_days`. Problems come in two sizes:

- A problem with a file or the day as a whole (no marker, no file, an empty, cut-off, unparseable or
  non-UTF-8 file, a missing or unexpected column, a column whose values are mostly not of its type, a file
  outside the landing root) raises :class:`LandingError`: nothing of the day is loaded.
- A problem with single rows (a value of the wrong type, an empty required value, a value outside its
  allowed set, a negative amount, an event time outside the day, a key shared by rows with different
  contents) puts those rows in quarantine, with the reason, and loads the rest of the day.

Every message names the file, the column and the rows, so the person on call knows what to send back to
the exporter. The counts reconcile: rows landed = rows loaded + rows quarantined + exact duplicates dropped.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from vision_assets.landing.contracts import SourceTable
from vision_assets.landing.layout import SUCCESS_MARKER, landing_day_dir

SOURCE_FILE_COLUMN = "_source_file"
LOADED_AT_COLUMN = "_loaded_at"
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
    """A landed table-day cannot be loaded as it is. The message says which file and why."""


@dataclass
class LoadedTable:
    """What was read for one source table over one or more days."""

    frame: pd.DataFrame
    source_files: list[str] = field(default_factory=list)
    rows_landed: int = 0
    duplicate_rows_removed: int = 0
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine_reasons: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantined)


def load_landing_days(landing_root: Path, table: SourceTable, days: list[date], loaded_at: datetime) -> LoadedTable:
    """Load every given day of one source table; fail on the first day that cannot be loaded at all.

    ``loaded_at`` is naive UTC, like every timestamp in the warehouse.
    """
    loaded_days = [_load_landing_day(landing_root, table, day, loaded_at) for day in days]
    frames = [loaded.frame for loaded in loaded_days]
    return LoadedTable(
        frame=pd.concat(frames, ignore_index=True) if frames else empty_frame(table),
        source_files=[path for loaded in loaded_days for path in loaded.source_files],
        rows_landed=sum(loaded.rows_landed for loaded in loaded_days),
        duplicate_rows_removed=sum(loaded.duplicate_rows_removed for loaded in loaded_days),
        quarantined=(
            pd.concat([loaded.quarantined for loaded in loaded_days], ignore_index=True)
            if loaded_days
            else empty_quarantine(table)
        ),
        quarantine_reasons=[reason for loaded in loaded_days for reason in loaded.quarantine_reasons],
    )


def empty_frame(table: SourceTable) -> pd.DataFrame:
    """A frame with the table's warehouse columns and types and no rows."""
    raw = pd.DataFrame({column.name: pd.Series([], dtype=object) for column in table.columns})
    frame, _ = _typed(raw, table, Path("<empty>"))
    frame[SOURCE_FILE_COLUMN] = pd.Series([], dtype=object)
    frame[LOADED_AT_COLUMN] = pd.Series([], dtype="datetime64[us]")
    return frame


def empty_quarantine(table: SourceTable) -> pd.DataFrame:
    names = (*table.column_names, *QUARANTINE_COLUMNS)
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})


def _load_landing_day(landing_root: Path, table: SourceTable, day: date, loaded_at: datetime) -> LoadedTable:
    folder = landing_day_dir(landing_root, table, day)
    if not (folder / SUCCESS_MARKER).is_file():
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
    root = Path(landing_root).resolve()
    raws, typeds, problems = [], [], []
    for path in files:
        if not path.resolve().is_relative_to(root):
            raise LandingError(
                f"{path}: resolves to {path.resolve()}, outside the landing root {root}; not read"
            )
        relative = str(path.relative_to(landing_root))
        raw = _read_csv(path, table, day)
        typed, bad = _typed(raw, table, path)
        bad += _bad_rows(typed, raw, table, path, day)
        for frame in (raw, typed):
            frame[SOURCE_FILE_COLUMN] = relative
            frame[DATA_ROW_COLUMN] = range(1, len(raw) + 1)
        raws.append(raw)
        typeds.append(typed)
        problems.append(bad)
    raw = pd.concat(raws, ignore_index=True)
    typed = pd.concat(typeds, ignore_index=True)
    reasons = _reasons(problems, [len(frame) for frame in raws])

    good = reasons.isna()
    duplicate = typed[good].duplicated(subset=table.column_names).reindex(typed.index, fill_value=False)
    kept = good & ~duplicate
    conflicts, conflict_summary = _key_conflicts(typed[kept], table, folder)
    conflict_reason = f"key ({', '.join(table.key)}) shared with a row of different contents"
    reasons = reasons.where(~conflicts.reindex(typed.index, fill_value=False), conflict_reason)
    loaded = kept & reasons.isna()
    summaries = [summary for bad in problems for _, _, summary in bad]
    summaries += [conflict_summary] if conflicts.any() else []

    frame = typed.loc[loaded, [*table.column_names, SOURCE_FILE_COLUMN]].reset_index(drop=True)
    frame[LOADED_AT_COLUMN] = pd.Timestamp(loaded_at).as_unit("us")
    quarantined = raw.loc[reasons.notna(), [*table.column_names, SOURCE_FILE_COLUMN, DATA_ROW_COLUMN]]
    quarantined = quarantined.assign(
        **{LANDING_DAY_COLUMN: day.isoformat(), REASON_COLUMN: reasons[reasons.notna()]}
    )
    return LoadedTable(
        frame=frame,
        source_files=[str(path.relative_to(landing_root)) for path in files],
        rows_landed=len(typed),
        duplicate_rows_removed=int(duplicate.sum()),
        quarantined=quarantined.reset_index(drop=True),
        quarantine_reasons=summaries,
    )


def _read_csv(path: Path, table: SourceTable, day: date) -> pd.DataFrame:
    """Read a landing file as text; the contract, not pandas' guessing, decides the types."""
    try:
        raw = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
            on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        raise LandingError(f"{path}: the file is empty (not even a header row)") from None
    except UnicodeDecodeError as error:
        raise LandingError(f"{path}: not valid UTF-8 text ({error.reason} at byte {error.start})") from None
    except pd.errors.ParserError as error:
        raise LandingError(f"{path}: unparseable rows, the file is truncated or corrupt ({error})") from None

    if len(raw) and not _ends_with_newline(path):
        raise LandingError(
            f"{path}: the file is truncated, its last line (data row {len(raw)}) has no line end; "
            "the export was cut off mid-write"
        )
    expected = table.column_names
    not_yet_sent = [c.name for c in table.columns if c.added_on is not None and day < c.added_on]
    missing = [name for name in expected if name not in raw.columns and name not in not_yet_sent]
    unexpected = [name for name in raw.columns if name not in expected]
    if missing:
        raise LandingError(f"{path}: missing column(s) {', '.join(missing)} required by the {table.name} contract")
    if unexpected:
        raise LandingError(
            f"{path}: unexpected column(s) {', '.join(map(str, unexpected))} not in the {table.name} "
            "contract (a new column loads once the contract declares it, nullable, with the day it was added)"
        )
    return raw.reindex(columns=expected)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


Problem = tuple[pd.Series, str, str]
"""Rows that break one rule: their mask, the reason each row is quarantined with, and a summary line."""


def _typed(raw: pd.DataFrame, table: SourceTable, path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert each text column to its contract type; a value that does not convert makes its row bad.

    When most of a column's values do not convert, the exporter changed the column, and the file is refused.
    """
    typed, problems = {}, []
    for column in table.columns:
        text = raw[column.name].astype(object).str.strip()
        present = text.notna()
        if column.type == "string":
            typed[column.name] = text.astype(object).where(present, None)
            continue
        if column.type == "integer":
            numbers = pd.to_numeric(text, errors="coerce")
            bad = present & (numbers.isna() | (numbers.notna() & (numbers % 1 != 0)))
            values, expected = numbers.where(~bad).astype("Int64"), "a whole number"
        elif column.type == "decimal":
            values = pd.to_numeric(text, errors="coerce").astype("float64")
            bad, expected = present & values.isna(), "a number"
        else:
            stamps = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
            bad, expected = present & stamps.isna(), "an ISO-8601 timestamp"
            values = stamps.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        if bad.sum() > _RETYPED_COLUMN_SHARE * present.sum():
            raise LandingError(
                _summary(bad, path, column.name, f"is not {expected}", raw)
                + "; more than half of its values: the exporter changed the column's type, nothing was loaded"
            )
        problems += _problem(bad, path, column.name, f"is not {expected}", raw)
        typed[column.name] = values
    return pd.DataFrame(typed, index=raw.index), problems


def _bad_rows(
    typed: pd.DataFrame, raw: pd.DataFrame, table: SourceTable, path: Path, day: date
) -> list[Problem]:
    problems = []
    for column in table.columns:
        if not column.nullable:
            problems += _problem(
                raw[column.name].isna(), path, column.name, "is empty but the contract requires a value", raw
            )
    for name, allowed in table.allowed_values.items():
        values = typed[name]
        outside = values.notna() & ~values.isin(allowed)
        problems += _problem(outside, path, name, f"is not one of {', '.join(allowed)}", raw)
    for name in table.non_negative:
        problems += _problem(typed[name] < 0, path, name, "is negative", raw)
    day_start = pd.Timestamp(day)
    event_time = typed[table.event_time]
    outside = (event_time < day_start) | (event_time >= day_start + timedelta(days=1))
    problems += _problem(outside, path, table.event_time, f"falls outside the landing day {day} (UTC)", raw)
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


def _problem(bad: pd.Series, path: Path, column: str, problem: str, raw: pd.DataFrame) -> list[Problem]:
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return []
    return [(bad, f"{column} {problem}", _summary(bad, path, column, problem, raw))]


def _summary(bad: pd.Series, path: Path, column: str, problem: str, raw: pd.DataFrame) -> str:
    rows = (bad[bad].index[:_EXAMPLE_ROWS_SHOWN] + 1).tolist()
    examples = raw.loc[bad, column].head(_EXAMPLE_ROWS_SHOWN).tolist()
    return (
        f"{path}: column {column} {problem} in {int(bad.sum())} row(s) "
        f"(data rows {rows}, counting from 1 after the header; values {examples})"
    )
