"""Where quarantined rows are kept, and the record of every load, beside the landing zone.

``<quarantine root>/<line>/<table>/<YYYY-MM-DD>/quarantined.csv`` holds the rows of that day's landing that
were not loaded, as they landed (text), with the file and data row they came from and why they were held
back. Loading a day again rewrites its file, or removes it when the day is now clean (a corrected landing),
so the folder always describes what the warehouse is missing, not the history of past attempts.

``<reports root>/<line>/<table>/<YYYY-MM-DD>.json`` is the latest load of a table-day
(:class:`~vision_assets.landing.loader.LoadReport`): rows landed, loaded, quarantined by reason and dropped as
exact duplicates, or why the day was refused. ``analytics.data_quality`` is built from these records.

Both roots may be local folders or object-store URLs (:mod:`vision_assets.landing.storage`); either way a
file is replaced whole, never left half-written.
"""

import io
from datetime import date
from pathlib import Path

import pandas as pd

from vision_assets.landing.contracts import SourceTable
from vision_assets.landing.layout import DAY_FORMAT
from vision_assets.landing.loader import LANDING_DAY_COLUMN, LoadReport
from vision_assets.landing.storage import landing_path, remove_file, store_errors, write_bytes_whole

QUARANTINE_FILE = "quarantined.csv"


def quarantine_file(quarantine_root: Path, table: SourceTable, day: date) -> Path:
    return landing_path(quarantine_root) / table.line / table.table / day.strftime(DAY_FORMAT) / QUARANTINE_FILE


def write_quarantine(
    quarantine_root: Path, table: SourceTable, days: list[date], quarantined: pd.DataFrame
) -> list[str]:
    """Replace the quarantine file of every given day; returns the files that now hold rows."""
    written = []
    for day in days:
        target = quarantine_file(quarantine_root, table, day)
        rows = quarantined
        if len(quarantined):
            rows = quarantined[quarantined[LANDING_DAY_COLUMN] == day.isoformat()]
        if rows.empty:
            remove_file(target)
            continue
        write_bytes_whole(target, rows.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(str(target))
    return written


def read_quarantine(quarantine_root: Path, table: SourceTable, day: date) -> pd.DataFrame:
    """The quarantined rows of one table-day (an empty frame when there are none)."""
    path = quarantine_file(quarantine_root, table, day)
    with store_errors(path, f"reading {path}"):
        if not path.is_file():
            return pd.DataFrame()
        data = path.read_bytes()
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])


def report_file(reports_root: Path, table: SourceTable, day: date) -> Path:
    return landing_path(reports_root) / table.line / table.table / f"{day.strftime(DAY_FORMAT)}.json"


def write_load_report(reports_root: Path, table: SourceTable, report: LoadReport) -> Path:
    """Replace the record of the report's table-day (written aside, then renamed: never half a file)."""
    target = report_file(reports_root, table, date.fromisoformat(report.day))
    write_bytes_whole(target, report.to_json().encode("utf-8"))
    return target


def read_load_report(reports_root: Path, table: SourceTable, day: date) -> LoadReport | None:
    """The latest load of one table-day, or None when it was never loaded."""
    path = report_file(reports_root, table, day)
    with store_errors(path, f"reading {path}"):
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
    return LoadReport.from_json(text)
