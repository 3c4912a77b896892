"""Corrected files for a past day replace that day in every daily table, without duplicates, and the
recommendations, analytics and dashboards rebuilt after them are those a clean landing of the corrected files
gives; and dbt killed in the middle of building that day re-runs to the same tables."""

import csv
import io
import json
import os
import signal
import subprocess
import shutil
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
DOWNSTREAM = dg.AssetSelection.groups("recommendations", "analytics", "dashboards")
DOWNSTREAM_TABLES = ["recommendations.popular_items", "recommendations.user_recommendations",
                     "recommendations.similar_items", "analytics.customer_segments", "analytics.churn_scores"]
DAILY_TABLES = {"marts.fct_sales": "sale_date", "marts.fct_engagement": "activity_date",
                "marts.fct_reviews": "review_date", "demand.fct_daily_demand": "demand_date"}
ORDERS = SOURCE_TABLES_BY_NAME["books_orders"]


def build_everything(root, landing) -> dict:
    """Every asset, the dashboards included, for the three days landed under ``landing``, into ``root``."""
    database = root / "vision.duckdb"
    test_defs = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=str(landing)),
            "dbt": vision_dbt_resource(),
        },
        executor=dg.in_process_executor,
    )
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("VISION_DUCKDB_PATH", str(database))
        monkeypatch.setenv("VISION_DATA_DIR", str(root))
        assert materialize_days(test_defs, instance, FIRST, FIRST + timedelta(days=2)).success
    return {"defs": test_defs, "instance": instance, "database": database, "root": root}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("relanded")
    simulate(root / "landing", root / "truth", start=FIRST, days=3, scale=0.2, seed=16)
    built = build_everything(root, root / "landing")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("VISION_DUCKDB_PATH", str(built["database"]))
    monkeypatch.setenv("VISION_DATA_DIR", str(root))
    yield built
    monkeypatch.undo()


@pytest.fixture(scope="module")
def relanded(warehouse) -> dict:
    """The day's Books orders re-sent corrected, then that day re-run with everything downstream of it.

    The staging tables between raw and the daily facts are what order them in one run (without them,
    Dagster sees no dependency and may build the facts first); recommendations, analytics and dashboards
    are rebuilt whole after the facts, in the same run.
    """
    database = warehouse["database"]
    before = snapshot(database)
    before_downstream = downstream_state(database, warehouse["instance"])
    with duckdb.connect(str(database), read_only=True) as connection:
        old_units = connection.execute(
            "select sum(quantity) from raw.books_orders where cast(ordered_at as date) = ?", [RELANDED]
        ).fetchone()[0]
    corrected = reland_orders(warehouse["root"] / "landing", RELANDED)
    everything_downstream = WAREHOUSE | DOWNSTREAM
    assert materialize_days(
        warehouse["defs"], warehouse["instance"], RELANDED, RELANDED, selection=everything_downstream
    ).success
    return {"before": before, "before_downstream": before_downstream, "old_units": old_units,
            "corrected": corrected}


def downstream_state(database, instance) -> dict:
    """The recommendation and analytics tables, and every total each dashboard shows."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = {table: connection.execute(f"select * from {table} order by all").fetchdf()
                  for table in DOWNSTREAM_TABLES}
    totals = {}
    for key in dg.AssetSelection.groups("dashboards").resolve(defs.resolve_asset_graph()):
        event = instance.get_latest_materialization_event(key)
        assert event is not None, f"{key.to_user_string()} was not materialized"
        metadata = event.asset_materialization.metadata
        totals[key.to_user_string()] = {name: value.value for name, value in metadata.items()
                                        if name.startswith("total/")}
    return {"tables": tables, "totals": totals}


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


def test_a_relanded_day_replaces_that_day_everywhere_downstream(warehouse, relanded):
    database = warehouse["database"]
    before, old_units, corrected = relanded["before"], relanded["old_units"], relanded["corrected"]
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


def test_after_a_relanded_day_recommendations_and_dashboards_match_a_clean_landing(
    warehouse, relanded, tmp_path_factory
):
    """Re-landing converges: what was rebuilt after the corrected day equals a fresh build from the corrected
    files, and the change is visible (the dashboards' totals moved)."""
    after = downstream_state(warehouse["database"], warehouse["instance"])
    clean_root = tmp_path_factory.mktemp("clean_landing")
    shutil.copytree(warehouse["root"] / "landing", clean_root / "landing")
    clean = build_everything(clean_root, clean_root / "landing")
    expected = downstream_state(clean["database"], clean["instance"])

    assert after["totals"] != relanded["before_downstream"]["totals"], "the corrected day changed no dashboard total"
    assert after["totals"] == expected["totals"]
    for table, frame in after["tables"].items():
        pd.testing.assert_frame_equal(frame, expected["tables"][table], obj=table)


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
