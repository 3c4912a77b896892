"""The simulator writes what the four businesses would export: deterministic, contract-true and realistic."""

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from vision_assets.landing.contracts import SOURCE_TABLES, SOURCE_TABLES_BY_NAME
from vision_assets.landing.layout import SUCCESS_MARKER, landing_day_dir
from vision_assets.landing.loader import load_landing_days
from vision_assets.simulate import simulate

START = date(2026, 11, 20)  # spans Black Friday (2026-11-27)
DAYS = 14


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sim")
    simulate(root / "landing", root / "truth", start=START, days=DAYS, scale=0.5, seed=3)
    return root


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _load(root: Path, name: str, days: int = DAYS) -> pd.DataFrame:
    table = SOURCE_TABLES_BY_NAME[name]
    loaded = load_landing_days(root / "landing", table, [START + timedelta(d) for d in range(days)], datetime(2027, 1, 1))
    return loaded.frame


def test_the_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        simulate(tmp_path / name / "landing", tmp_path / name / "truth", start=START, days=3, scale=0.1, seed=seed)
    first, again, other = (_digest(tmp_path / name) for name in "abc")
    assert first == again
    landed = [path for path in first if path.startswith("landing/")]
    assert len(landed) == 3 * 2 * len(SOURCE_TABLES)  # a data file and a marker per table-day
    assert first != other


def test_a_prefix_of_days_is_the_same_whatever_the_length_of_the_run(tmp_path):
    simulate(tmp_path / "short" / "landing", tmp_path / "short" / "truth", start=START, days=2, scale=0.1, seed=1)
    simulate(tmp_path / "long" / "landing", tmp_path / "long" / "truth", start=START, days=4, scale=0.1, seed=1)
    short, long = _digest(tmp_path / "short" / "landing"), _digest(tmp_path / "long" / "landing")
    assert short.items() <= long.items()


def test_every_table_day_is_complete_and_passes_its_contract(landed):
    for table in SOURCE_TABLES:
        for offset in range(DAYS):
            folder = landing_day_dir(landed / "landing", table, START + timedelta(offset))
            assert (folder / SUCCESS_MARKER).is_file(), folder
            assert not list(folder.parent.glob(".*")), "no temporary folder is left behind"
        frame = _load(landed, table.name)
        assert len(frame) > 0, table.name


def test_popularity_is_skewed_a_few_hits_and_a_long_tail(landed):
    listens = _load(landed, "music_engagement")
    plays = listens["track_id"].value_counts()
    top_share = plays.head(max(1, len(plays) // 100)).sum() / plays.sum()
    assert top_share > 0.10, f"the top 1% of tracks should take well over 1% of plays, got {top_share:.1%}"
    assert (plays == 1).sum() > len(plays) * 0.1, "a long tail of rarely played tracks"


def test_weekly_rhythm_and_black_friday_show_in_the_orders(landed):
    orders = _load(landed, "mart_orders")
    per_day = orders.groupby(orders["ordered_at"].dt.date)["order_id"].nunique()
    black_friday = date(2026, 11, 27)
    ordinary = per_day.drop(index=[black_friday, black_friday + timedelta(3)]).median()
    assert per_day[black_friday] > 1.8 * ordinary


def test_people_hold_accounts_in_several_businesses_under_varied_names_and_emails(landed):
    truth = pd.read_csv(landed / "truth" / "identity.csv")
    lines_per_person = truth.groupby("person_id")["line"].nunique()
    assert (lines_per_person >= 2).mean() > 0.5
    assert (lines_per_person == 4).sum() > 0
    variants = truth["email_variant"].str.split("+").explode().value_counts()
    for variant in ("exact", "case", "gmail_dots", "plus_tag", "googlemail", "typo", "different_address", "missing"):
        assert variants.get(variant, 0) > 0, variant
    name_variants = truth["name_variant"].str.split("+").explode().value_counts()
    for variant in ("exact", "nickname", "typo", "last_first"):
        assert name_variants.get(variant, 0) > 0, variant

    customers = pd.concat(
        [_load(landed, f"{line}_customers").iloc[:, [0, 1, 2]].set_axis(["account_id", "name", "email"], axis=1)
         .assign(line=line) for line in ("books", "flicks", "music", "mart")]
    ).drop_duplicates(["line", "account_id"], keep="last")
    merged = customers.merge(truth, on=["line", "account_id"])
    assert len(merged) == len(customers)
    by_person = merged.groupby("person_id")
    assert (by_person["email"].nunique() > 1).sum() > 0, "one person's accounts carry differently written emails"
    assert (by_person["name"].nunique() > 1).sum() > 0, "and differently written names"


def test_refunds_memberships_and_churn_are_present(landed):
    billing = _load(landed, "mart_billing")
    assert {"invoice", "payment", "failed_payment", "refund"} <= set(billing["event_type"])
    refunds = billing[billing["event_type"] == "refund"]
    assert refunds["order_id"].notna().any(), "order refunds reference their order"
    memberships = _load(landed, "flicks_memberships")
    assert {"active", "cancelled", "lapsed"} <= set(memberships["status"])
    ended = memberships[memberships["status"] != "active"]
    assert ended["ended_at"].notna().all()


def test_scale_grows_rows_roughly_linearly(tmp_path):
    rows = {}
    for scale in (0.25, 1.0):
        report = simulate(tmp_path / str(scale), tmp_path / f"truth{scale}", start=START, days=2, scale=scale, seed=4)
        event_tables = [name for name in report.rows_written if not name.endswith(("_catalog", "_customers"))]
        rows[scale] = sum(report.rows_written[name] for name in event_tables)
    assert 3.0 < rows[1.0] / rows[0.25] < 5.0


def test_skip_complete_days_keeps_what_landed_and_writes_what_is_missing(tmp_path):
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    simulate(landing, truth, start=START, days=2, scale=0.1, seed=1)
    before = _digest(landing)
    report = simulate(landing, truth, start=START, days=3, scale=0.1, seed=1, skip_complete_days=True)
    assert report.days_skipped == [START, START + timedelta(1)]
    assert report.days_written == [START + timedelta(2)]
    assert before.items() <= _digest(landing).items()
