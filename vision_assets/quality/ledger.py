"""The data-quality ledger: for every business line, source table and day, what landed and what became of it.

Plain Python over the landing zone and the raw layer's load records (``LoadReport``, written by each raw
step after its rows are stored), testable without Dagster; ``analytics.data_quality`` is a thin asset
around :func:`data_quality`. A table-day is in one of five states:

=========================  ===================================================================================
``loaded``                 its latest landing is in the warehouse: rows landed = loaded + quarantined +
                           exact duplicates dropped
``refused``                its latest landing could not be read as its contract; nothing of it was written
``landed, not loaded yet`` its export finished (``_SUCCESS``) but no load has read it yet
``landed again``           corrected files landed after the last load and are not loaded yet
``not landed``             no finished export: the business line is behind, or its export stopped
=========================  ===================================================================================
"""

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from vision_assets.landing.contracts import BUSINESS_LINES, SourceTable
from vision_assets.landing.layout import SUCCESS_MARKER, landing_day_dir
from vision_assets.landing.quarantine import read_load_report
from vision_assets.landing.storage import store_errors

LOADED = "loaded"
REFUSED = "refused"
NOT_LOADED_YET = "landed, not loaded yet"
LANDED_AGAIN = "landed again"
NOT_LANDED = "not landed"
STATUSES = (LOADED, REFUSED, NOT_LOADED_YET, LANDED_AGAIN, NOT_LANDED)

COLUMNS: dict[str, tuple[str, str]] = {
    "day": ("date", "The landing day (UTC): the daily partition of the raw tables."),
    "business_line": ("varchar", "books, flicks, music or mart."),
    "source_table": ("varchar", "The exported table: customers, catalog, orders, engagement, memberships, ..."),
    "raw_table": ("varchar", "The warehouse table it loads into, e.g. raw.mart_orders."),
    "status": ("varchar", f"What became of the day's landing: {', '.join(STATUSES)}."),
    "rows_landed": ("bigint", "Data rows in the day's landing files (0 when nothing was read)."),
    "rows_loaded": ("bigint", "Rows written to the raw table for the day."),
    "rows_quarantined": ("bigint", "Rows held back in quarantine, each with its reason."),
    "duplicate_rows_removed": ("bigint", "Exact duplicate rows dropped (after trimming and UTC conversion)."),
    "timestamps_with_offset": ("bigint", "Timestamps written with a UTC offset and converted to UTC."),
    "quarantine_reasons": (
        "varchar",
        (
            "Why rows were held back, most frequent first, e.g. '3 rows: rating is not between 1 and 5'; "
            "a row that breaks two rules counts under both."
        ),
    ),
    "refusal": ("varchar", "Why the day was refused (the file and the problem); empty unless refused."),
    "loaded_at": ("timestamp", "When the latest load of the day ran (UTC); empty when never loaded."),
}


def data_quality(landing_root: Path, reports_root: Path, tables: list[SourceTable], days: list[date]) -> pd.DataFrame:
    """One row per table and day: the state of its latest landing and load (see the module docstring)."""
    rows = [_table_day(landing_root, reports_root, table, day) for day in days for table in tables]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for name, (type_, _) in COLUMNS.items():
        if type_ == "bigint":
            frame[name] = frame[name].astype("int64")
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[us]")
    frame["loaded_at"] = pd.to_datetime(frame["loaded_at"]).astype("datetime64[us]")
    return frame


def _table_day(landing_root: Path, reports_root: Path, table: SourceTable, day: date) -> dict:
    report = read_load_report(reports_root, table, day)
    marker = landing_day_dir(landing_root, table, day) / SUCCESS_MARKER
    with store_errors(marker, f"{table.name} {day}: looking for the {SUCCESS_MARKER} marker"):
        landed = marker.is_file()
        landed_at = datetime.fromtimestamp(marker.stat().st_mtime, UTC).replace(tzinfo=None) if landed else None
    row = {
        "day": day,
        "business_line": table.line,
        "source_table": table.table,
        "raw_table": f"raw.{table.name}",
        "rows_landed": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "duplicate_rows_removed": 0,
        "timestamps_with_offset": 0,
        "quarantine_reasons": "",
        "refusal": "",
        "loaded_at": None,
    }
    if report is None:
        return {**row, "status": NOT_LOADED_YET if landed_at else NOT_LANDED}
    loaded_at = datetime.fromisoformat(report.loaded_at)
    row["loaded_at"] = loaded_at
    if landed_at is not None and landed_at > loaded_at:
        status = LANDED_AGAIN
    else:
        status = LOADED if report.status == "loaded" else REFUSED
    return {
        **row,
        "status": status,
        "rows_landed": report.rows_landed,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "duplicate_rows_removed": report.duplicate_rows_removed,
        "timestamps_with_offset": report.timestamps_with_offset,
        "quarantine_reasons": describe_reasons(report.rows_by_reason),
        "refusal": report.refusal,
    }


def describe_reasons(rows_by_reason: dict[str, int]) -> str:
    """'3 rows: rating is not between 1 and 5; 1 row: ...', most frequent first."""
    ordered = sorted(rows_by_reason.items(), key=lambda item: (-item[1], item[0]))
    return "; ".join(f"{rows} row{'s' if rows != 1 else ''}: {reason}" for reason, rows in ordered)


def accounting_errors(frame: pd.DataFrame) -> pd.DataFrame:
    """Loaded table-days whose rows do not add up: landed != loaded + quarantined + duplicates dropped."""
    loaded = frame[frame["status"] == LOADED]
    accounted = loaded["rows_loaded"] + loaded["rows_quarantined"] + loaded["duplicate_rows_removed"]
    return loaded[accounted != loaded["rows_landed"]]


def not_loaded(frame: pd.DataFrame) -> pd.DataFrame:
    """Table-days whose latest landing is not in the warehouse (refused, not landed, not loaded yet)."""
    return frame[frame["status"] != LOADED]


def latest_complete_day(frame: pd.DataFrame) -> dict[str, date | None]:
    """Per business line, the latest day on which every one of its tables is loaded."""
    complete = frame.groupby(["business_line", "day"])["status"].agg(lambda statuses: (statuses == LOADED).all())
    latest: dict[str, date | None] = {}
    for line in [line for line in BUSINESS_LINES if line in set(frame["business_line"])]:
        days = complete[line]
        loaded_days = days[days].index
        latest[line] = pd.Timestamp(loaded_days.max()).date() if len(loaded_days) else None
    return latest


def notable(frame: pd.DataFrame, days: int = 7) -> pd.DataFrame:
    """The table-days of the last ``days`` days in ``frame`` an analyst should know of: rows held back,
    refused, or not loaded; newest first."""
    if frame.empty:
        return frame
    since = frame["day"].max() - pd.Timedelta(days=days - 1)
    recent = frame[frame["day"] >= since]
    flagged = recent[(recent["status"] != LOADED) | (recent["rows_quarantined"] > 0)]
    return flagged.sort_values(["day", "business_line", "source_table"], ascending=[False, True, True])
