"""Where a business line's daily export lands, and how a finished export is recognised.

``<landing root>/<line>/<table>/<YYYY-MM-DD>/part-*.csv`` with an empty ``_SUCCESS`` file written last:
a folder without the marker is an export still running (or one that died) and is never loaded. The marker
is the commit point on every store: a local exporter also renames a finished folder into place first, an
object store has no rename (:mod:`vision_assets.landing.storage`), so there the marker alone decides.
"""

from datetime import date, datetime
from pathlib import Path

from vision_assets.landing.contracts import SourceTable
from vision_assets.landing.storage import check_store, landing_path, store_errors

SUCCESS_MARKER = "_SUCCESS"
DAY_FORMAT = "%Y-%m-%d"


def landing_day_dir(landing_root: Path, table: SourceTable, day: date) -> Path:
    return landing_path(landing_root) / table.line / table.table / day.strftime(DAY_FORMAT)


def is_day_complete(landing_root: Path, table: SourceTable, day: date) -> bool:
    marker = landing_day_dir(landing_root, table, day) / SUCCESS_MARKER
    with store_errors(marker, f"{table.name} {day}: looking for the {SUCCESS_MARKER} marker"):
        return marker.is_file()


def landed_days(landing_root: Path, tables: list[SourceTable]) -> dict[date, float]:
    """Days on which EVERY given table has a finished export, with the time the last of them finished.

    The finish time is the newest ``_SUCCESS`` modification time (seconds since the epoch): a day that
    lands late, or lands again with corrected files, finishes later than anything seen before it. On an
    object store that is the marker's last-modified time, which S3 keeps to the second.

    Raises :class:`~vision_assets.landing.storage.LandingStoreError` when the store cannot be listed (a
    listing that silently came back empty would read as "nothing landed").
    """
    root = landing_path(landing_root)
    check_store(root)
    finished: dict[date, list[float]] = {}
    for table in tables:
        table_dir = root / table.line / table.table
        with store_errors(table_dir, f"listing the {table.name} exports"):
            for marker in table_dir.glob(f"*/{SUCCESS_MARKER}"):
                try:
                    day = datetime.strptime(marker.parent.name, DAY_FORMAT).date()
                except ValueError:
                    continue
                finished.setdefault(day, []).append(marker.stat().st_mtime)
    return {day: max(times) for day, times in sorted(finished.items()) if len(times) == len(tables)}


def structural_problems(landing_root: Path, table: SourceTable, day: date) -> list[str]:
    """Cheap checks a sensor can afford on every tick: a data file exists and its header is the contract's.

    The full contract check (types, keys, values) runs in the raw asset; this catches the landings that
    could never load, so they are reported once instead of launching a run that must fail.
    """
    folder = landing_day_dir(landing_root, table, day)
    with store_errors(folder, f"{table.name} {day}: listing the export"):
        files = sorted(folder.glob("*.csv"))
    if not files:
        return [f"{folder}: {SUCCESS_MARKER} marker but no data file"]
    # As the loader: columns in any order; a column added to the contract after this day may be absent.
    expected = set(table.column_names)
    optional = {column.name for column in table.columns if column.added_on is not None and day < column.added_on}
    problems = []
    for path in files:
        with store_errors(path, f"{table.name} {day}: reading the header"), path.open("rb") as handle:
            header = handle.readline().decode("utf-8", errors="replace").strip().split(",")
        if not expected - optional <= set(header) <= expected:
            problems.append(
                f"{path}: header {header} does not match the {table.name} contract {table.column_names}"
            )
    return problems
