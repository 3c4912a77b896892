"""When identity resolution reuses its trained model: named cases and a property over any history."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vision_assets.identity.retraining import (
    RETRAIN_AFTER,
    RETRAIN_WHEN_ACCOUNTS_CHANGE_BY,
    choose_model,
    stamped,
)

TRAINED_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SPLINK_MODEL = {"link_type": "dedupe_only", "comparisons": [], "probability_two_random_records_match": 0.001}


def _recorded(accounts: int = 10_000, code_version: str = "v1") -> dict:
    return stamped(SPLINK_MODEL, accounts, code_version, TRAINED_AT)


def test_a_model_trained_today_on_nearly_the_same_accounts_is_reused_as_recorded():
    recorded = _recorded()
    choice = choose_model(recorded, 10_200, "v1", TRAINED_AT + timedelta(days=1))
    assert choice.model == recorded
    assert choice.reason.startswith("reused") and "10,000 accounts" in choice.reason


def test_stamping_keeps_splinks_settings_and_adds_what_the_model_was_trained_on():
    recorded = _recorded()
    assert {key: recorded[key] for key in SPLINK_MODEL} == SPLINK_MODEL
    assert all(key.startswith("vision_") for key in set(recorded) - set(SPLINK_MODEL))


def test_the_model_is_trained_again_when_there_is_none_or_the_code_changed_or_a_run_asks():
    now = TRAINED_AT + timedelta(hours=1)
    assert choose_model(None, 10_000, "v1", now).model is None
    assert "no earlier model" in choose_model(SPLINK_MODEL, 10_000, "v1", now).reason, (
        "unstamped: trained by older code"
    )
    assert "code changed" in choose_model(_recorded(), 10_000, "v2", now).reason
    assert "asked" in choose_model(_recorded(), 10_000, "v1", now, retrain=True).reason


def test_the_model_is_trained_again_when_the_accounts_grew_or_shrank_past_the_limit_or_it_is_old():
    now = TRAINED_AT + timedelta(hours=1)
    grown = choose_model(_recorded(), 10_600, "v1", now)
    assert grown.model is None and "6.0% apart" in grown.reason
    assert choose_model(_recorded(), 9_400, "v1", now).model is None
    old = choose_model(_recorded(), 10_000, "v1", TRAINED_AT + RETRAIN_AFTER + timedelta(minutes=1))
    assert old.model is None and "over 7 days ago" in old.reason


@given(
    trained_on=st.integers(1, 1_000_000),
    change=st.floats(-0.5, 0.5),
    age=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
    same_code=st.booleans(),
)
def test_a_model_is_reused_exactly_while_the_accounts_age_and_code_allow(trained_on, change, age, same_code):
    accounts = max(0, round(trained_on * (1 + change)))
    choice = choose_model(_recorded(trained_on), accounts, "v1" if same_code else "v2", TRAINED_AT + age)
    within = abs(accounts - trained_on) / trained_on <= RETRAIN_WHEN_ACCOUNTS_CHANGE_BY
    assert (choice.model is not None) == (within and age <= RETRAIN_AFTER and same_code)
