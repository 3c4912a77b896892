"""Incremental staging gives the same tables as a whole rebuild, whatever the landings did in between.

The staging event tables (engagement, billing, orders, reviews, membership changes) re-rank only the events
a load can have changed (`events_to_restage` in macros/staging.sql). This test lands real simulated days into the raw tables
the way the raw assets do (whole days replaced, one `_loaded_at` per load), then a sequence a year of
operations brings: new days, a copy of an event corrected onto a later day, a re-landed day that withdraws
rows, a re-landed day that withdraws the winning copy of an event landed twice, a re-landed day that withdraws
a membership's latest change (its previous change is its current state again), and a day re-landed empty.
After each load the tables are built incrementally; at the end they must equal a `--full-refresh` build of
the same raw tables, row for row.
"""

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES
from vision_assets.landing.loader import load_landing_days
from vision_assets.raw.assets import raw_column_schema
from vision_assets.simulate import simulate
from vision_assets_tests.transform_tests.dbt_cli import run_dbt

FIRST_DAY = date(2026, 3, 1)
DAYS = [FIRST_DAY + timedelta(days=offset) for offset in range(4)]
TABLES = {table.name: table for table in SOURCE_TABLES}
INCREMENTAL_STAGING = "config.incremental_strategy:restage_keys"


def _load(
    connection: duckdb.DuckDBPyConnection, landing: Path, name: str, day: date, loaded_at: datetime, edit=None
):
    """Replace one day of raw.<name> with its landed file, as the raw asset does; ``edit`` may change the rows."""
    table = TABLES[name]
    frame = load_landing_days(landing, table, [day], loaded_at).frame
    if edit is not None:
        frame = edit(frame)
    next_day = day + timedelta(days=1)
    connection.execute(
        f"delete from raw.{name} where {table.event_time} >= '{day}' and {table.event_time} < '{next_day}'"
    )
    connection.register("landed", frame)
    connection.execute(f"insert into raw.{name} by name select * from landed")
    connection.unregister("landed")


def _build(database: Path, target: Path, *extra: str) -> None:
    # With what the event tables are checked against: the staging customers, catalogs and memberships their
    # keys reference (`+`), and the seeds.
    result = run_dbt(
        ["build", "--target", "duckdb", "--select", f"+{INCREMENTAL_STAGING} country_codes", *extra],
        target,
        {"VISION_DUCKDB_PATH": str(database)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _tables(database: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'staging' "
                "and table_name like 'stg_%' and table_name not similar to '.*(customers|catalog)'"
            ).fetchall()
        ]
        return {
            name: connection.execute(f"select * from staging.{name} order by all").fetchdf() for name in names
        }


@pytest.mark.slow
def test_incremental_staging_equals_a_full_rebuild(tmp_path):
    landing = tmp_path / "landing"
    simulate(landing, tmp_path / "truth", start=FIRST_DAY, days=len(DAYS), scale=0.2, seed=5)
    database, target = tmp_path / "incremental.duckdb", tmp_path / "target"
    first_load = datetime(2026, 3, 4, 6)
    with duckdb.connect(str(database)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("create schema raw")
        for name, table in TABLES.items():
            columns = ", ".join(
                f'"{column.name}" {column.type}' for column in raw_column_schema(table).columns
            )
            connection.execute(f"create table raw.{name} ({columns})")
            for day in DAYS[:3]:
                _load(connection, landing, name, day, first_load)
    _build(database, target)

    # A day later: day 4 lands, and its orders file carries a copy of a day-1 order line with its timestamp
    # corrected onto day 4 (it wins: loaded later).
    second_load = first_load + timedelta(days=1)
    with duckdb.connect(str(database)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        moved = connection.execute(
            "select * exclude (_loaded_at) from raw.mart_orders order by ordered_at, order_id, line_number limit 1"
        ).fetchdf()
        moved["ordered_at"] = pd.Timestamp(DAYS[3]) + pd.Timedelta(hours=1)
        moved["quantity"] = moved["quantity"] + 1
        for name in TABLES:
            _load(
                connection,
                landing,
                name,
                DAYS[3],
                second_load,
                edit=(
                    lambda frame: pd.concat([frame, moved.assign(_loaded_at=second_load)], ignore_index=True)
                )
                if name == "mart_orders"
                else None,
            )
    _build(database, target)
    order_line = f"mart:{moved.order_id[0]}:{moved.line_number[0]}"
    assert _row(database, "stg_mart__orders", "order_line_key", order_line)["quantity"] == moved.quantity[0]

    # Then re-landings: day 2 of books engagement without its first five events; day 4 of mart orders
    # without the corrected copy (the day-1 copy must win again); day 4 of music memberships without the
    # latest change of a subscription changed before (its earlier change is current again); day 3 of music
    # reviews empty.
    third_load = second_load + timedelta(days=1)
    with duckdb.connect(str(database)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        withdrawn = (
            connection.execute(
                "select event_id from raw.books_engagement where cast(occurred_at as date) = ? order by event_id limit 5",
                [DAYS[1]],
            )
            .fetchdf()["event_id"]
            .tolist()
        )
        _load(
            connection,
            landing,
            "books_engagement",
            DAYS[1],
            third_load,
            edit=lambda frame: frame[~frame["event_id"].isin(withdrawn)],
        )
        _load(connection, landing, "mart_orders", DAYS[3], third_load)
        (subscription,) = connection.execute(
            "select subscription_id from raw.music_memberships group by subscription_id "
            "having max(cast(changed_at as date)) = ? and min(cast(changed_at as date)) < ? "
            "order by subscription_id limit 1",
            [DAYS[3], DAYS[3]],
        ).fetchone()
        _load(
            connection,
            landing,
            "music_memberships",
            DAYS[3],
            third_load,
            edit=lambda frame: frame[frame["subscription_id"] != subscription],
        )
        _load(connection, landing, "music_reviews", DAYS[2], third_load, edit=lambda frame: frame.iloc[0:0])
    _build(database, target)

    incremental = _tables(database)
    assert (
        _row(database, "stg_mart__orders", "order_line_key", order_line)["quantity"] == moved.quantity[0] - 1
    )
    engagement = incremental["stg_books__engagement"]
    assert not engagement["event_id"].isin(withdrawn).any(), "withdrawn events are still staged"
    changes = incremental["stg_music__memberships"].query("membership_id == @subscription")
    assert len(changes) > 0 and (pd.to_datetime(changes["occurred_at"]).dt.date < DAYS[3]).all()
    assert changes.sort_values("occurred_at")["is_current_state"].tolist() == [False] * (len(changes) - 1) + [True]
    reviews = incremental["stg_music__reviews"]
    assert not (pd.to_datetime(reviews["occurred_at"]).dt.date == DAYS[2]).any(), (
        "an empty re-landing left rows"
    )
    assert len(reviews) > 0

    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(database, rebuilt)
    _build(rebuilt, target, "--full-refresh")
    expected = _tables(rebuilt)
    assert sorted(incremental) == sorted(expected) and len(incremental) == 18
    for name, table in expected.items():
        assert len(table) > 0, name
        pd.testing.assert_frame_equal(incremental[name], table, check_dtype=True, obj=name)


def _row(database: Path, table: str, key: str, value: str) -> pd.Series:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(f"select * from staging.{table} where {key} = ?", [value]).fetchdf()
    assert len(rows) == 1, f"{table}: {len(rows)} rows for {key} {value}"
    return rows.iloc[0]
