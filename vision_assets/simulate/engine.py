"""Run the simulated world over a range of days and write the landing zone and the ground truth."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.storage import landing_path
from vision_assets.simulate.churn_truth import MEMBERSHIP_HAZARD_FILE
from vision_assets.simulate.demand_truth import EXPECTED_DEMAND_FILE
from vision_assets.simulate.export import day_is_written, write_table_day
from vision_assets.simulate.world import World

IDENTITY_TRUTH_FILE = "identity.csv"
PEOPLE_TRUTH_FILE = "people.csv"


@dataclass
class SimulationReport:
    days_written: list[date] = field(default_factory=list)
    days_skipped: list[date] = field(default_factory=list)
    rows_written: dict[str, int] = field(default_factory=dict)


def simulate(
    landing_root: Path,
    truth_root: Path,
    *,
    start: date,
    days: int,
    scale: float = 1.0,
    seed: int = 7,
    skip_complete_days: bool = False,
    on_day: Callable[[date], None] | None = None,
) -> SimulationReport:
    """Write ``days`` days of every business line's export from ``start`` on.

    With ``skip_complete_days`` a day whose every table already has its ``_SUCCESS`` marker is simulated
    (the world must still move through it) but not rewritten, so re-running `make run` is cheap.
    ``on_day`` is called with each day once it is done (a progress bar's hook).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    landing_root, truth_root = landing_path(landing_root), Path(truth_root)
    world = World(start=start, scale=scale, seed=seed)
    report = SimulationReport()
    for offset in range(days):
        day = start + timedelta(days=offset)
        exports = world.simulate_day(day)
        if skip_complete_days and day_is_written(landing_root, list(SOURCE_TABLES), day):
            report.days_skipped.append(day)
            if on_day is not None:
                on_day(day)
            continue
        for table in SOURCE_TABLES:
            frame = exports[table.name]
            write_table_day(landing_root, table, day, frame)
            report.rows_written[table.name] = report.rows_written.get(table.name, 0) + len(frame)
        report.days_written.append(day)
        if on_day is not None:
            on_day(day)
    truth_root.mkdir(parents=True, exist_ok=True)
    world.identity_truth().to_csv(truth_root / IDENTITY_TRUTH_FILE, index=False, lineterminator="\n")
    world.people_truth().to_csv(truth_root / PEOPLE_TRUTH_FILE, index=False, lineterminator="\n")
    world.membership_hazards().to_parquet(truth_root / MEMBERSHIP_HAZARD_FILE, index=False)
    world.expected_demand().to_csv(truth_root / EXPECTED_DEMAND_FILE, index=False, lineterminator="\n")
    return report
