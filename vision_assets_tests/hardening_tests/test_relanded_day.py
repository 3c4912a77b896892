"""Through raw and dbt: corrected files for a past day replace that day in every daily table, without
duplicates; and dbt killed in the middle of building that day re-runs to the same tables."""

import csv
import io
import json
import os
import signal
import subprocess
import time
from datetime import date, timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest

from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.resources import LandingZone
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.transform.project import dbt_executable, vision_dbt_resource
from vision_assets.warehouse import VisionDuckDBPandasIOManager

pytestmark = pytest.mark.long

FIRST = date(2026, 6, 1)
RELANDED = FIRST + timedelta(days=1)
WAREHOUSE = dg.AssetSelection.key_prefixes(["raw"], ["staging"], ["marts"], ["demand"])
DAILY_TABLES = {"marts.fct_sales": "sale_date", "marts.fct_engagement": "activity_date",
                "marts.fct_reviews": "review_date", "demand.fct_daily_demand": "demand_date"}
ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("relanded")
    database = root / "vision.duckdb"
    simulate(root / "landing", root / "truth", start=FIRST, days=3, scale=0.2, seed=16)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("VISION_DUCKDB_PATH", str(database))
    test_defs = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(root / "landing")),
            "dbt": vision_dbt_resource(),
        },
        executor=dg.in_process_executor,
    )
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_days(test_defs, instance, FIRST, FIRST + timedelta(days=2), selection=WAREHOUSE).success
    yield {"defs": test_defs, "instance": instance, "database": database, "root": root}
    monkeypatch.undo()


def snapshot(database) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {table: connection.execute(f"select * from {table} order by all").fetchdf() for table in DAILY_TABLES}


def other_days(frames: dict[str, pd.DataFrame], day: date) -> dict[str, pd.DataFrame]:
    return {table: frame[pd.to_datetime(frame[DAILY_TABLES[table]]).dt.date != day].reset_index(drop=True)
            for table, frame in frames.items()}


def reland_orders(landing, day) -> pd.DataFrame:
    """The exporter re-sends the day's Books orders: two lines withdrawn, one quantity corrected."""
    folder = landing_day_dir(landing, ORDERS, day)
    path = sorted(folder.glob("part-*.csv"))[0]
    header, *rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    rows = rows[:-2]
    rows[0][header.index("quantity")] = str(int(rows[0][header.index("quantity")]) + 3)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue())
    (folder / "_SUCCESS").touch()
    return pd.DataFrame(rows, columns=header)


def test_a_relanded_day_replaces_that_day_everywhere_downstream(warehouse):
    database, defs_ = warehouse["database"], warehouse["defs"]
    before = snapshot(database)
    with duckdb.connect(str(database), read_only=True) as connection:
        old_units = connection.execute(
            "select sum(quantity) from raw.books_orders where cast(ordered_at as date) = ?", [RELANDED]
        ).fetchone()[0]
    corrected = reland_orders(warehouse["root"] / "landing", RELANDED)

    # Raw, then everything downstream: the staging views between raw and the daily facts are what order
    # them in one run (without them, Dagster sees no dependency and may build the facts first).
    assert materialize_days(defs_, warehouse["instance"], RELANDED, RELANDED, selection=WAREHOUSE).success
    after = snapshot(database)
    with duckdb.connect(str(database), read_only=True) as connection:
        raw_rows, raw_units = connection.execute(
            "select count(*), sum(quantity) from raw.books_orders where cast(ordered_at as date) = ?", [RELANDED]
        ).fetchone()
        sales_lines = connection.execute(
            "select count(*) from marts.fct_sales where sale_date = ? and sale_key like 'order_line:books:%'",
            [RELANDED],
        ).fetchone()[0]
    assert raw_rows == len(corrected) == sales_lines
    assert raw_units == corrected["quantity"].astype(int).sum() == old_units - _withdrawn_units(before, after)
    for table, frame in after.items():
        key = "sale_key" if table == "marts.fct_sales" else None
        assert not frame.duplicated(subset=key).any(), f"{table} has duplicates"
    demand = {name: frame[(pd.to_datetime(frame["demand_date"]).dt.date == RELANDED)
                          & (frame["business_line"] == "books")]["units_sold"].sum()
              for name, frame in (("before", before["demand.fct_daily_demand"]),
                                  ("after", after["demand.fct_daily_demand"]))}
    assert demand["after"] - demand["before"] == raw_units - old_units
    for table, frame in other_days(after, RELANDED).items():
        pd.testing.assert_frame_equal(frame, other_days(before, RELANDED)[table], obj=table)


def _withdrawn_units(before, after) -> int:
    sales = {name: frame[(frame["sale_date"].astype(str).str[:10] == RELANDED.isoformat())
                         & frame["sale_key"].str.startswith("order_line:books:")]
             for name, frame in (("before", before["marts.fct_sales"]), ("after", after["marts.fct_sales"]))}
    return int(sales["before"]["quantity"].sum() - sales["after"]["quantity"].sum())


def test_dbt_killed_while_building_a_day_reruns_to_the_same_tables(warehouse, tmp_path):
    database = warehouse["database"]
    finished = snapshot(database)
    window = json.dumps({"min_date": RELANDED.isoformat(), "max_date": (RELANDED + timedelta(days=1)).isoformat()})
    command = [dbt_executable(), "build", "--select", "tag:daily", "--vars", window, "--target", "duckdb",
               "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    environment = {**os.environ, "VISION_DUCKDB_PATH": str(database)}
    output = tmp_path / "dbt.out"
    with output.open("wb") as sink:
        dbt = subprocess.Popen(command, env=environment, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while dbt.poll() is None and time.monotonic() < deadline and output.read_text().count(" OK created") < 1:
        time.sleep(0.05)
    os.killpg(dbt.pid, signal.SIGKILL)
    dbt.wait()
    assert dbt.returncode == -signal.SIGKILL, output.read_text()[-2000:]
    assert " OK created" in output.read_text()  # killed after one model was built and before the last

    snapshot(database)  # the file opens
    rerun = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    for table, frame in snapshot(database).items():
        pd.testing.assert_frame_equal(frame, finished[table], obj=table)
