"""Read one landed table-day, check it against its contract, and hand back a frame ready for the warehouse.

This is plain pandas, testable without Dagster; the raw assets are thin wrappers around
:func:`load_landing_days`. A day is loaded whole or not at all: every problem found raises
:class:`LandingError` before a single row reaches the IO manager, with a message that names the file,
the column and how many rows are affected, so the person on call knows what to send back to the exporter.
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

_EXAMPLE_ROWS_SHOWN = 5


class LandingError(ValueError):
    """A landed table-day cannot be loaded as it is. The message says which file and why."""


@dataclass
class LoadedTable:
    """What was read for one source table over one or more days."""

    frame: pd.DataFrame
    source_files: list[str] = field(default_factory=list)
    rows_landed: int = 0
    duplicate_rows_removed: int = 0


def load_landing_days(landing_root: Path, table: SourceTable, days: list[date], loaded_at: datetime) -> LoadedTable:
    """Load every given day of one source table; fail on the first day that breaks its contract.

    ``loaded_at`` is naive UTC, like every timestamp in the warehouse.
    """
    loaded_days = [_load_landing_day(landing_root, table, day, loaded_at) for day in days]
    frames = [loaded.frame for loaded in loaded_days]
    return LoadedTable(
        frame=pd.concat(frames, ignore_index=True) if frames else empty_frame(table),
        source_files=[path for loaded in loaded_days for path in loaded.source_files],
        rows_landed=sum(loaded.rows_landed for loaded in loaded_days),
        duplicate_rows_removed=sum(loaded.duplicate_rows_removed for loaded in loaded_days),
    )


def empty_frame(table: SourceTable) -> pd.DataFrame:
    """A frame with the table's warehouse columns and types and no rows."""
    raw = pd.DataFrame({column.name: pd.Series([], dtype=object) for column in table.columns})
    frame = _typed(raw, table, Path("<empty>"))
    frame[SOURCE_FILE_COLUMN] = pd.Series([], dtype=object)
    frame[LOADED_AT_COLUMN] = pd.Series([], dtype="datetime64[us]")
    return frame


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
    frames = []
    for path in files:
        raw = _read_csv(path, table)
        typed = _typed(raw, table, path)
        _check_rows(typed, raw, table, path, day)
        typed[SOURCE_FILE_COLUMN] = str(path.relative_to(landing_root))
        frames.append(typed)
    frame = pd.concat(frames, ignore_index=True)
    rows_landed = len(frame)
    frame = frame.drop_duplicates(subset=table.column_names, ignore_index=True)
    _check_unique_keys(frame, table, folder)
    frame[LOADED_AT_COLUMN] = pd.Timestamp(loaded_at).as_unit("us")
    return LoadedTable(
        frame=frame,
        source_files=[str(path.relative_to(landing_root)) for path in files],
        rows_landed=rows_landed,
        duplicate_rows_removed=rows_landed - len(frame),
    )


def _read_csv(path: Path, table: SourceTable) -> pd.DataFrame:
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

    expected = table.column_names
    missing = [name for name in expected if name not in raw.columns]
    unexpected = [name for name in raw.columns if name not in expected]
    if missing:
        raise LandingError(f"{path}: missing column(s) {', '.join(missing)} required by the {table.name} contract")
    if unexpected:
        raise LandingError(
            f"{path}: unexpected column(s) {', '.join(map(str, unexpected))} not in the {table.name} contract"
        )
    return raw[expected]


def _typed(raw: pd.DataFrame, table: SourceTable, path: Path) -> pd.DataFrame:
    """Convert each text column to its contract type; any value that does not convert is an error."""
    typed = {}
    for column in table.columns:
        text = raw[column.name].str.strip()
        present = text.notna()
        if column.type == "string":
            values = text.astype(object).where(present, None)
        elif column.type == "integer":
            numbers = pd.to_numeric(text, errors="coerce")
            not_whole = numbers.notna() & (numbers % 1 != 0)
            _fail_if(present & (numbers.isna() | not_whole), path, column.name, "is not a whole number", raw)
            values = numbers.astype("Int64")
        elif column.type == "decimal":
            values = pd.to_numeric(text, errors="coerce").astype("float64")
            _fail_if(present & values.isna(), path, column.name, "is not a number", raw)
        else:
            values = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
            _fail_if(present & values.isna(), path, column.name, "is not an ISO-8601 timestamp", raw)
            values = values.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        typed[column.name] = values
    return pd.DataFrame(typed)


def _check_rows(typed: pd.DataFrame, raw: pd.DataFrame, table: SourceTable, path: Path, day: date) -> None:
    for column in table.columns:
        if not column.nullable:
            _fail_if(typed[column.name].isna(), path, column.name, "is empty but the contract requires a value", raw)
    for name, allowed in table.allowed_values.items():
        values = typed[name]
        _fail_if(values.notna() & ~values.isin(allowed), path, name, f"is not one of {', '.join(allowed)}", raw)
    for name in table.non_negative:
        _fail_if(typed[name] < 0, path, name, "is negative", raw)
    day_start = pd.Timestamp(day)
    day_end = day_start + timedelta(days=1)
    event_time = typed[table.event_time]
    _fail_if(
        (event_time < day_start) | (event_time >= day_end),
        path,
        table.event_time,
        f"falls outside the landing day {day} (UTC)",
        raw,
    )


def _check_unique_keys(frame: pd.DataFrame, table: SourceTable, folder: Path) -> None:
    """Two different rows with one key are a conflict we cannot settle by guessing which one is right."""
    conflicting = frame.duplicated(subset=list(table.key), keep=False)
    if conflicting.any():
        files = sorted(frame.loc[conflicting, SOURCE_FILE_COLUMN].unique())
        keys = frame.loc[conflicting, list(table.key)].drop_duplicates()
        raise LandingError(
            f"{folder}: {len(keys)} key(s) of ({', '.join(table.key)}) appear in {int(conflicting.sum())} rows "
            f"with different contents, in {', '.join(files)}; e.g. {keys.head(3).to_dict('records')}"
        )


def _fail_if(bad: pd.Series, path: Path, column: str, problem: str, raw: pd.DataFrame) -> None:
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return
    rows = (bad[bad].index[:_EXAMPLE_ROWS_SHOWN] + 1).tolist()
    examples = raw.loc[bad, column].head(_EXAMPLE_ROWS_SHOWN).tolist()
    raise LandingError(
        f"{path}: column {column} {problem} in {int(bad.sum())} row(s) "
        f"(data rows {rows}, counting from 1 after the header; values {examples})"
    )
