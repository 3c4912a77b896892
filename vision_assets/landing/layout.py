"""Where a business line's daily export lands, and how a finished export is recognised.

``<landing root>/<line>/<table>/<YYYY-MM-DD>/part-*.csv`` with an empty ``_SUCCESS`` file written last:
the exporter renames a finished folder into place and then writes the marker, so a folder without the
marker is an export still running (or one that died) and is never loaded.
"""

from datetime import date
from pathlib import Path

from vision_assets.landing.contracts import SourceTable

SUCCESS_MARKER = "_SUCCESS"
DAY_FORMAT = "%Y-%m-%d"


def landing_day_dir(landing_root: Path, table: SourceTable, day: date) -> Path:
    return Path(landing_root) / table.line / table.table / day.strftime(DAY_FORMAT)


def is_day_complete(landing_root: Path, table: SourceTable, day: date) -> bool:
    return (landing_day_dir(landing_root, table, day) / SUCCESS_MARKER).is_file()
