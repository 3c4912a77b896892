"""analytics.data_quality: every table-day's landing and load, as the raw steps recorded them."""

import os
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from vision_assets.definitions import defs
from vision_assets.landing.contracts import SOURCE_TABLES, SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import landing_day_dir
from vision_assets.landing.loader import LoadReport
from vision_assets.landing.quarantine import write_load_report
from vision_assets.quality import ledger
from vision_assets.quality.assets import ALL_LOADED_CHECK, ROWS_ADD_UP_CHECK, quality_assets
from vision_assets.raw.assets import raw_assets
from vision_assets.runs import materialize_days
from vision_assets.simulate import simulate
from vision_assets.trust.panel import render_html, render_text
from vision_assets.trust.report import build_report
from vision_assets_tests.loading import loading_definitions

DAY = date(2026, 10, 1)
REVIEWS = SOURCE_TABLES_BY_NAME["mart_reviews"]
ORDERS = SOURCE_TABLES_BY_NAME["mart_orders"]


def _land(root: Path, table, day: date = DAY, at: float | None = None) -> None:
    folder = landing_day_dir(root, table, day)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-00000.csv").write_text(",".join(table.column_names) + "\n")
    (folder / "_SUCCESS").touch()
    if at is not None:
        os.utime(folder / "_SUCCESS", (at, at))


def _report(table, status="loaded", loaded_at=datetime(2026, 10, 2, 6), **counts) -> LoadReport:
    return LoadReport(table=table.name, day=DAY.isoformat(), status=status, loaded_at=loaded_at.isoformat(), **counts)


def test_each_table_day_is_loaded_refused_landed_again_not_loaded_yet_or_not_landed(tmp_path):
    landing, reports = tmp_path / "landing", tmp_path / "reports"
    reviews, orders, billing, catalog, customers = (
        SOURCE_TABLES_BY_NAME[f"mart_{name}"] for name in ("reviews", "orders", "billing", "catalog", "customers")
    )
    before_the_load = datetime(2026, 10, 2, 5).timestamp()
    _land(landing, reviews, at=before_the_load)
    write_load_report(reports, reviews, _report(
        reviews, rows_landed=10, rows_loaded=7, rows_quarantined=3,
        rows_by_reason={"rating is not between 1 and 5": 3, "review_id is not an identifier": 1},
    ))
    _land(landing, orders, at=before_the_load)
    write_load_report(reports, orders, _report(orders, status="refused", refusal="part-00000.csv: the file is empty"))
    _land(landing, billing, at=time.time())  # corrected files after the load
    write_load_report(reports, billing, _report(billing, rows_landed=2, rows_loaded=2))
    _land(landing, catalog)

    frame = ledger.data_quality(landing, reports, [reviews, orders, billing, catalog, customers], [DAY])
    status = dict(zip(frame["source_table"], frame["status"]))
    assert status == {
        "reviews": ledger.LOADED,
        "orders": ledger.REFUSED,
        "billing": ledger.LANDED_AGAIN,
        "catalog": ledger.NOT_LOADED_YET,
        "customers": ledger.NOT_LANDED,
    }
    row = frame[frame["source_table"] == "reviews"].iloc[0]
    assert row["quarantine_reasons"] == "3 rows: rating is not between 1 and 5; 1 row: review_id is not an identifier"
    assert (row["rows_landed"], row["rows_loaded"], row["rows_quarantined"]) == (10, 7, 3)
    assert frame.loc[frame["source_table"] == "orders", "refusal"].item() == "part-00000.csv: the file is empty"
    assert ledger.accounting_errors(frame).empty
    assert sorted(ledger.not_loaded(frame)["source_table"]) == ["billing", "catalog", "customers", "orders"]
    assert ledger.latest_complete_day(frame) == {"mart": None}
    assert list(ledger.notable(frame)["source_table"]) == ["billing", "catalog", "customers", "orders", "reviews"]


def test_rows_that_do_not_add_up_are_found(tmp_path):
    write_load_report(tmp_path / "reports", REVIEWS, _report(REVIEWS, rows_landed=10, rows_loaded=8))
    _land(tmp_path / "landing", REVIEWS, at=datetime(2026, 10, 2, 5).timestamp())
    frame = ledger.data_quality(tmp_path / "landing", tmp_path / "reports", [REVIEWS], [DAY])
    assert list(ledger.accounting_errors(frame)["raw_table"]) == ["raw.mart_reviews"]


def test_the_latest_complete_day_of_a_line_is_the_last_day_every_table_loaded():
    frame = pd.DataFrame({
        "day": pd.to_datetime(["2026-10-01", "2026-10-01", "2026-10-02", "2026-10-02"]),
        "business_line": ["mart", "mart", "mart", "mart"],
        "status": [ledger.LOADED, ledger.LOADED, ledger.LOADED, ledger.NOT_LANDED],
    })
    assert ledger.latest_complete_day(frame) == {"mart": date(2026, 10, 1)}


@pytest.fixture(scope="module")
def two_days_with_a_bad_review_and_a_stopped_line(tmp_path_factory):
    """Two simulated days: a review rated 6 on the first, and no Mart export at all on the second."""
    root = tmp_path_factory.mktemp("quality")
    simulate(root / "landing", root / "truth", start=DAY, days=2, scale=0.1, seed=5)
    reviews = min(landing_day_dir(root / "landing", REVIEWS, DAY).glob("part-*.csv"))
    lines = reviews.read_text().splitlines(keepends=True)
    header = lines[0].strip().split(",")
    fields = lines[1].rstrip("\n").split(",")
    fields[header.index("rating")] = "6"
    lines[1] = ",".join(fields) + "\n"
    reviews.write_text("".join(lines))
    for table in SOURCE_TABLES:
        if table.line == "mart":
            landing_day_dir(root / "landing", table, DAY + timedelta(days=1)).joinpath("_SUCCESS").unlink()
    database = root / "warehouse.duckdb"
    defs = loading_definitions(root / "landing", database)
    instance = dg.DagsterInstance.ephemeral()
    first = materialize_days(defs, instance, DAY, DAY)
    others = dg.AssetSelection.assets(*[key for asset in raw_assets for key in asset.keys if "mart_" not in key.path[-1]])
    second = materialize_days(
        defs, instance, DAY + timedelta(days=1), DAY + timedelta(days=1),
        selection=others | dg.AssetSelection.assets(*quality_assets),
    )
    with duckdb.connect(str(database), read_only=True) as connection:
        table = connection.execute("select * from analytics.data_quality order by day, raw_table").fetchdf()
    yield {"first": first, "second": second, "table": table, "instance": instance}
    instance.dispose()


def test_the_ledger_counts_the_quarantined_review_and_shows_the_line_that_did_not_land(
    two_days_with_a_bad_review_and_a_stopped_line,
):
    built = two_days_with_a_bad_review_and_a_stopped_line
    assert built["first"].success and built["second"].success
    table = built["table"]
    assert len(table) == 2 * len(SOURCE_TABLES)
    reviews = table[(table["raw_table"] == "raw.mart_reviews") & (table["day"] == pd.Timestamp(DAY))].iloc[0]
    assert reviews["status"] == ledger.LOADED and reviews["rows_quarantined"] == 1
    assert reviews["quarantine_reasons"] == "1 row: rating is not between 1 and 5"
    assert reviews["rows_landed"] == reviews["rows_loaded"] + 1
    second = table[table["day"] == pd.Timestamp(DAY + timedelta(days=1))]
    assert set(second.loc[second["business_line"] == "mart", "status"]) == {ledger.NOT_LANDED}
    assert set(second.loc[second["business_line"] != "mart", "status"]) == {ledger.LOADED}


def test_the_checks_pass_on_a_full_day_and_warn_naming_the_tables_that_did_not_land(
    two_days_with_a_bad_review_and_a_stopped_line,
):
    built = two_days_with_a_bad_review_and_a_stopped_line
    first = {check.check_name: check for check in built["first"].get_asset_check_evaluations()}
    assert first[ALL_LOADED_CHECK].passed and first[ROWS_ADD_UP_CHECK].passed
    second = {check.check_name: check for check in built["second"].get_asset_check_evaluations()}
    assert not second[ALL_LOADED_CHECK].passed
    assert second[ALL_LOADED_CHECK].severity == dg.AssetCheckSeverity.WARN
    assert "Vision Mart orders 02 Oct 2026: not landed" in second[ALL_LOADED_CHECK].description
    assert second[ROWS_ADD_UP_CHECK].passed


def test_the_trust_panel_says_what_the_latest_load_held_back(two_days_with_a_bad_review_and_a_stopped_line):
    instance = two_days_with_a_bad_review_and_a_stopped_line["instance"]
    graph = defs.resolve_asset_graph()
    report = build_report(instance, graph, dg.AssetKey(["raw", "mart_reviews"]))
    expected = (
        "1 row of Vision Mart reviews quarantined in its latest load (2026-10-01): "
        "1 row: rating is not between 1 and 5"
    )
    assert report.held_back() == [expected]
    assert f"Held back: {expected}" in render_text(report, graph)
    assert "Held back at the door" in render_html(report, graph)
