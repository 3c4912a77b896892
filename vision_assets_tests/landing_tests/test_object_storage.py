"""The landing zone in an S3 bucket, against a real S3-compatible server (moto's server mode, its own process):
the simulator, the sensors, the loader, the quarantine and the load records work as on a folder, the
``_SUCCESS`` marker is the commit point, and wrong credentials or a vanished bucket fail naming the bucket
with nothing loaded."""

import io
import itertools
from datetime import date, timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest
import s3fs

from vision_assets.automation.sensors import build_landing_sensor
from vision_assets.landing import loader
from vision_assets.landing.contracts import SOURCE_TABLES, SOURCE_TABLES_BY_NAME, tables_of
from vision_assets.landing.layout import SUCCESS_MARKER, is_day_complete, landed_days, landing_day_dir
from vision_assets.landing.loader import LandingError, load_landing_days
from vision_assets.landing.quarantine import (
    read_load_report,
    read_quarantine,
    write_load_report,
    write_quarantine,
)
from vision_assets.landing.storage import LandingStoreError, bucket_of, landing_path
from vision_assets.raw.assets import build_raw_line_asset
from vision_assets.resources import LandingZone
from vision_assets.simulate import export, simulate
from vision_assets.simulate.export import write_table_day
from vision_assets.warehouse import VisionDuckDBPandasIOManager
from vision_assets_tests.landing_tests.s3_server import S3Server, s3_server

FIRST_DAY = date(2026, 3, 1)
SECOND_DAY = FIRST_DAY + timedelta(days=1)
_buckets = itertools.count()


@pytest.fixture(scope="module")
def server() -> S3Server:
    with s3_server() as running:
        yield running


def use_credentials(monkeypatch, server: S3Server, secret_access_key: str | None = None) -> None:
    """Point s3fs at the server as a deployment does, through the environment. s3fs keeps one filesystem
    per set of arguments for the life of a process; a test that changes the credentials starts afresh."""
    for name, value in server.environment(secret_access_key).items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def bucket(server, monkeypatch) -> str:
    """A new bucket of the test's own, with the process using the server's right credentials."""
    use_credentials(monkeypatch, server)
    name = f"exports-{next(_buckets)}"
    server.create_bucket(name)
    return name


@pytest.fixture(scope="module")
def local_twin(tmp_path_factory):
    """The same two simulated days in a local folder, to compare with what is read from the bucket."""
    root = tmp_path_factory.mktemp("local")
    simulate(root / "landing", root / "truth", start=FIRST_DAY, days=2, scale=0.05, seed=3)
    return root / "landing"


@pytest.fixture(scope="module")
def landed(server, tmp_path_factory) -> str:
    """Two days simulated into a bucket once for the tests that only read them: the landing root's URL."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_credentials(monkeypatch, server)
        server.create_bucket("landed")
        root = "s3://landed/landing"
        simulate(root, tmp_path_factory.mktemp("truth"), start=FIRST_DAY, days=2, scale=0.05, seed=3)
    return root


@pytest.fixture
def credentials(server, monkeypatch) -> None:
    use_credentials(monkeypatch, server)


def land_copy(server: S3Server, landed: str, bucket: str) -> str:
    """The landed days copied into the test's own bucket (server-side), for a test that changes them."""
    client, source = server.client(), landing_path(landed)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket_of(source)):
        for item in page.get("Contents", []):
            client.copy_object(
                Bucket=bucket, Key=item["Key"], CopySource={"Bucket": bucket_of(source), "Key": item["Key"]}
            )
    return landed.replace(f"s3://{bucket_of(source)}/", f"s3://{bucket}/")


@pytest.mark.usefixtures("credentials")
def test_days_simulated_into_a_bucket_land_and_load_as_from_a_folder(landed, local_twin):
    root = landed

    assert (
        landed_days(root, list(SOURCE_TABLES)).keys() == landed_days(local_twin, list(SOURCE_TABLES)).keys()
    )
    loaded_at = pd.Timestamp("2026-03-03 06:00").to_pydatetime()
    for table in SOURCE_TABLES:
        from_bucket = load_landing_days(root, table, [FIRST_DAY, SECOND_DAY], loaded_at)
        from_folder = load_landing_days(local_twin, table, [FIRST_DAY, SECOND_DAY], loaded_at)
        pd.testing.assert_frame_equal(from_bucket.frame, from_folder.frame, obj=table.name)
        assert from_bucket.reports == from_folder.reports, table.name


def test_a_day_whose_marker_is_missing_stays_invisible_however_many_parts_arrived(bucket):
    root = landing_path(f"s3://{bucket}/landing")
    orders = SOURCE_TABLES_BY_NAME["books_orders"]
    folder = landing_day_dir(root, orders, FIRST_DAY)
    header = ",".join(orders.column_names) + "\n"
    for part in range(3):
        (folder / f"part-{part:05d}.csv").write_bytes(header.encode())

    assert not is_day_complete(root, orders, FIRST_DAY)
    assert landed_days(root, [orders]) == {}
    with pytest.raises(LandingError, match=f"{folder} has no {SUCCESS_MARKER} marker"):
        load_landing_days(root, orders, [FIRST_DAY], pd.Timestamp("2026-03-02").to_pydatetime())

    (folder / SUCCESS_MARKER).write_bytes(b"")
    # The listing is not cached: the next look sees the marker that just arrived.
    assert list(landed_days(root, [orders])) == [FIRST_DAY]


def test_a_relanded_day_replaces_its_parts_and_is_invisible_until_its_new_marker(bucket, monkeypatch):
    root = landing_path(f"s3://{bucket}/landing")
    orders = SOURCE_TABLES_BY_NAME["books_orders"]
    folder = landing_day_dir(root, orders, FIRST_DAY)
    for stale in ("part-00000.csv", "part-00001.csv", "part-00002.csv"):
        (folder / stale).write_bytes(b"stale\n")
    (folder / SUCCESS_MARKER).write_bytes(b"")
    seen_while_writing = []
    real_write_parts = export._write_parts

    def write_parts_and_look(where, frame):
        seen_while_writing.append(is_day_complete(root, orders, FIRST_DAY))
        real_write_parts(where, frame)

    monkeypatch.setattr(export, "_write_parts", write_parts_and_look)
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in orders.column_names})
    write_table_day(root, orders, FIRST_DAY, frame)

    assert seen_while_writing == [False]
    assert sorted(path.name for path in folder.iterdir()) == [SUCCESS_MARKER, "part-00000.csv"]
    assert (folder / "part-00000.csv").read_bytes() == (",".join(orders.column_names) + "\n").encode()


def test_quarantined_rows_and_load_records_are_kept_in_the_bucket_beside_the_landing(server, landed, bucket):
    zone = LandingZone(root=land_copy(server, landed, bucket))
    customers = SOURCE_TABLES_BY_NAME["music_customers"]
    part = landing_day_dir(zone.root_path, customers, FIRST_DAY) / "part-00000.csv"
    text = part.read_bytes()
    landed = pd.read_csv(io.BytesIO(text), dtype=str, keep_default_na=False)
    landed.loc[0, "country"] = "ZZ"  # not an ISO 3166-1 code: the row breaks its contract
    part.write_bytes(landed.to_csv(index=False, lineterminator="\n").encode())
    loaded_at = pd.Timestamp("2026-03-03 06:00").to_pydatetime()

    loaded = load_landing_days(zone.root_path, customers, [FIRST_DAY], loaded_at)
    files = write_quarantine(zone.quarantine_path, customers, [FIRST_DAY], loaded.quarantined)
    (report,) = loaded.reports
    write_load_report(zone.reports_path, customers, report)

    assert files == [f"s3://{bucket}/quarantine/music/customers/{FIRST_DAY}/quarantined.csv"]
    quarantined = read_quarantine(zone.quarantine_path, customers, FIRST_DAY)
    assert quarantined["country"].tolist() == ["ZZ"]
    assert quarantined["_data_row"].tolist() == ["1"]
    assert read_load_report(zone.reports_path, customers, FIRST_DAY) == report
    assert report.rows_landed == report.rows_loaded + 1

    part.write_bytes(text)  # the exporter sends the day again, corrected
    clean = load_landing_days(zone.root_path, customers, [FIRST_DAY], loaded_at)
    assert write_quarantine(zone.quarantine_path, customers, [FIRST_DAY], clean.quarantined) == []
    assert read_quarantine(zone.quarantine_path, customers, FIRST_DAY).empty


@pytest.mark.usefixtures("credentials")
def test_the_landing_sensor_requests_the_days_finished_in_the_bucket(landed):
    root = landed
    with dg.instance_for_test() as instance:
        result = sensor_tick("mart", instance, root)
    assert [request.partition_key for request in result.run_requests] == [
        FIRST_DAY.isoformat(),
        SECOND_DAY.isoformat(),
    ]


def sensor_tick(line: str, instance, root: str):
    context = dg.build_sensor_context(instance=instance, resources={"landing_zone": LandingZone(root=root)})
    return build_landing_sensor(line)(context)


def materialize_day(line: str, root: str, database, day: date):
    return dg.materialize(
        [build_raw_line_asset(line, tables_of(line))],
        partition_key=day.isoformat(),
        resources={
            "io_manager": VisionDuckDBPandasIOManager(database=str(database)),
            "landing_zone": LandingZone(root=root),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def raw_tables(database) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }


@pytest.mark.usefixtures("credentials")
def test_a_raw_asset_loads_its_day_from_the_bucket_into_the_warehouse(landed, tmp_path, local_twin):
    root = landed
    database = tmp_path / "warehouse.duckdb"

    assert materialize_day("flicks", root, database, FIRST_DAY).success

    assert raw_tables(database) == {table.name for table in tables_of("flicks")}
    for table in tables_of("flicks"):
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
        expected = load_landing_days(
            local_twin, table, [FIRST_DAY], pd.Timestamp("2026-03-03").to_pydatetime()
        )
        assert rows == len(expected.frame), table.name
        assert read_load_report("s3://landed/load_reports", table, FIRST_DAY).rows_loaded == rows


def test_wrong_credentials_fail_naming_the_bucket_and_load_nothing(server, landed, tmp_path, monkeypatch):
    root, bucket = landed, "landed"
    use_credentials(monkeypatch, server, secret_access_key="not-the-secret")
    database = tmp_path / "warehouse.duckdb"

    with pytest.raises(
        LandingStoreError, match=rf"access to s3://{bucket}/landing \(bucket {bucket}\) was refused"
    ):
        landed_days(root, list(SOURCE_TABLES))
    with dg.instance_for_test() as instance, pytest.raises(Exception, match=f"bucket {bucket}"):
        sensor_tick("books", instance, root)
    result = materialize_day("books", root, database, FIRST_DAY)

    assert not result.success
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert f"bucket {bucket}" in message and "check the store's credentials" in message, message
    assert "not-the-secret" not in message
    assert not database.exists() or raw_tables(database) == set()


def test_a_bucket_that_disappears_mid_load_fails_naming_it_and_loads_nothing_partial(
    server, landed, bucket, tmp_path, monkeypatch, local_twin
):
    """The books line's step reads its tables' files one by one; the bucket is deleted once the first file
    has been read. The step fails naming the bucket. The table whose files were read before the bucket went
    holds its whole day; every other table holds nothing."""
    root = land_copy(server, landed, bucket)
    real_read_csv = loader._read_csv
    files_read = []

    def read_then_lose_the_bucket(path, data, table, day):
        files_read.append(path)
        if len(files_read) == 1:
            server.delete_bucket(bucket)
        return real_read_csv(path, data, table, day)

    monkeypatch.setattr(loader, "_read_csv", read_then_lose_the_bucket)
    database = tmp_path / "warehouse.duckdb"
    result = materialize_day("books", root, database, FIRST_DAY)

    assert not result.success
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert f"the bucket {bucket} of s3://{bucket}/landing does not exist" in message, message
    (first,) = files_read
    read_whole = SOURCE_TABLES_BY_NAME["_".join(first.relative_to(landing_path(root)).parts[:2])]
    assert raw_tables(database) <= {read_whole.name}
    if raw_tables(database):
        expected = load_landing_days(
            local_twin, read_whole, [FIRST_DAY], pd.Timestamp("2026-03-03").to_pydatetime()
        )
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute(f"select count(*) from raw.{read_whole.name}").fetchone()[0]
        assert rows == len(expected.frame)


def test_a_landing_location_is_a_folder_or_an_object_store_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert landing_path("landing") == tmp_path / "landing"
    assert landing_path(f"file://{tmp_path}/landing") == tmp_path / "landing"
    for url in ("s3://exports/landing", "gs://exports/landing", "az://exports/landing"):
        assert str(landing_path(url)) == url
        assert landing_path(url).protocol == url.split(":")[0]
    with pytest.raises(ValueError, match=r"ftp:// is not supported"):
        landing_path("ftp://exports/landing")
