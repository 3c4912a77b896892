"""Writing one table-day of the landing zone the way the businesses' exporters do.

A table-day is written into a hidden temporary folder beside its final place, renamed into place when
every file is complete, and only then marked with an empty ``_SUCCESS`` file. A reader that waits for
the marker therefore never sees half a day. An object store has no rename: there the old marker is removed
first, then the old parts, the new parts are written in place and the marker last, so the marker alone is
the commit point (:mod:`vision_assets.landing.storage`). Files are split into parts of at most ``ROWS_PER_FILE`` rows.
Text is UTF-8 CSV with a header, ``\\n`` line ends and fields quoted only where needed, so the same frame
always gives the same bytes.
"""

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vision_assets.landing.contracts import SourceTable
from vision_assets.landing.layout import SUCCESS_MARKER, is_day_complete, landing_day_dir
from vision_assets.landing.storage import is_object_store, remove_file, store_errors

ROWS_PER_FILE = 200_000


def utc_text(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the epoch as ``YYYY-MM-DD HH:MM:SS`` (UTC, no offset: the export convention)."""
    return pd.to_datetime(np.asarray(seconds, dtype=np.int64), unit="s").strftime("%Y-%m-%d %H:%M:%S").to_numpy()


def local_text(seconds: np.ndarray, offset_hours: np.ndarray) -> np.ndarray:
    """UTC seconds shown in a local time with its offset, ISO 8601 (``2026-03-01T09:15:00-05:00``)."""
    offsets = np.asarray(offset_hours, dtype=np.int64)
    local = pd.to_datetime(np.asarray(seconds, dtype=np.int64) + offsets * 3600, unit="s").strftime("%Y-%m-%dT%H:%M:%S")
    signs = np.where(offsets < 0, "-", "+")
    suffix = [f"{sign}{abs(hours):02d}:00" for sign, hours in zip(signs, offsets)]
    return (local.to_numpy().astype(object) + np.array(suffix, dtype=object)).astype(object)


def money_text(values: np.ndarray) -> np.ndarray:
    return np.char.mod("%.2f", np.round(np.asarray(values, dtype=np.float64), 2)).astype(object)


def day_is_written(landing_root: Path, tables: list[SourceTable], day: date) -> bool:
    return all(is_day_complete(landing_root, table, day) for table in tables)


def write_table_day(landing_root: Path, table: SourceTable, day: date, frame: pd.DataFrame) -> Path:
    """Write one table-day atomically: temporary folder, rename into place, then the marker."""
    if list(frame.columns) != table.column_names:
        raise ValueError(f"{table.name}: simulated columns {list(frame.columns)} are not the contract's {table.column_names}")
    final = landing_day_dir(landing_root, table, day)
    if is_object_store(final):
        with store_errors(final, f"{table.name} {day}: writing the export"):
            remove_file(final / SUCCESS_MARKER)
            for stale in final.glob("*"):
                stale.unlink()
            _write_parts(final, frame)
            (final / SUCCESS_MARKER).write_bytes(b"")
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.writing"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    _write_parts(staging, frame)
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    (final / SUCCESS_MARKER).touch()
    return final


def _write_parts(folder: Path, frame: pd.DataFrame) -> None:
    parts = max(1, -(-len(frame) // ROWS_PER_FILE))
    for part in range(parts):
        chunk = frame.iloc[part * ROWS_PER_FILE:(part + 1) * ROWS_PER_FILE]
        text = chunk.to_csv(index=False, lineterminator="\n")
        (folder / f"part-{part:05d}.csv").write_bytes(text.encode("utf-8"))
