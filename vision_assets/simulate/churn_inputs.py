"""The churn model's three inputs built straight from a simulated landing zone, without dbt.

What `marts.fct_membership`, `marts.fct_engagement` and `marts.fct_billing` hold after a run, for the
columns the churn model reads, in a few seconds instead of a whole pipeline run: so the tests and
``benchmarks/churn.py`` can measure the model against the simulator's truth on months of history and on
many seeds. People are known exactly (the identity truth), where a run resolves them with the identity
model.
"""

from pathlib import Path

import pandas as pd

from vision_assets.landing.contracts import BUSINESS_LINES
from vision_assets.recommendations.churn import MEMBERSHIP_COLUMNS

LANDED_MEMBERSHIP_COLUMNS = ["id", "account", "plan", "status", "started", "ended", "changed"]


def _landed(landing: Path, line: str, table: str) -> pd.DataFrame:
    files = sorted((landing / line / table).glob("*/*.csv"))
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in files]
    return pd.concat(frames, ignore_index=True)


def _utc_dates(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, utc=True, format="ISO8601").dt.tz_localize(None).dt.normalize()


def simulated_marts(landing: Path, truth: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(memberships, engagement, billing)`` shaped as the churn model reads the marts."""
    people = pd.read_csv(truth / "identity.csv", dtype=str)
    person = dict(zip(people["line"] + ":" + people["account_id"], people["person_id"]))
    memberships, engagement, billing = [], [], []
    for line in BUSINESS_LINES:
        changes = _landed(landing, line, "memberships")
        changes.columns = LANDED_MEMBERSHIP_COLUMNS
        memberships.append(
            pd.DataFrame(
                {
                    "membership_key": line + ":" + changes["id"],
                    "business_line": line,
                    "account_key": line + ":" + changes["account"],
                    "plan": changes["plan"],
                    "status": changes["status"],
                    "started_date": _utc_dates(changes["started"]),
                    "changed_at": pd.to_datetime(changes["changed"]),
                }
            )
        )
        events = _landed(landing, line, "engagement")
        account_keys = line + ":" + events.iloc[:, 1]
        engagement.append(
            pd.DataFrame(
                {
                    "account_key": account_keys,
                    "customer_key": account_keys.map(person),
                    "business_line": line,
                    "activity_date": _utc_dates(events.iloc[:, -1]),
                }
            )
        )
        bills = _landed(landing, line, "billing")
        bills = bills[bills.iloc[:, 2] != ""]
        billing.append(
            pd.DataFrame(
                {
                    "membership_key": line + ":" + bills.iloc[:, 2],
                    "billing_date": _utc_dates(bills.iloc[:, -1]),
                    "event_type": bills.iloc[:, -4],
                }
            )
        )
    changes = pd.concat(memberships, ignore_index=True)
    return _membership_days(changes, person), pd.concat(engagement, ignore_index=True), pd.concat(
        billing, ignore_index=True
    )


def _membership_days(changes: pd.DataFrame, person: dict[str, str]) -> pd.DataFrame:
    """One row per membership and day it is active, and the day it ends: its last change of each day holds."""
    changes = changes.assign(change_date=changes["changed_at"].dt.normalize())
    states = (
        changes.sort_values(["membership_key", "changed_at"], kind="stable")
        .groupby(["membership_key", "change_date"], as_index=False)
        .last()
    )
    end_day = changes["change_date"].max() + pd.Timedelta(days=1)
    until = states.groupby("membership_key")["change_date"].shift(-1).fillna(end_day)
    active = states["status"] == "active"
    lengths = ((until - states["change_date"]).dt.days).where(active, 1)
    rows = states.loc[states.index.repeat(lengths)].copy()
    rows["status_date"] = rows["change_date"] + pd.to_timedelta(
        rows.groupby(level=0).cumcount().to_numpy(), unit="D"
    )
    rows["is_active"] = rows["status"] == "active"
    rows["ended_on_day"] = ~rows["is_active"]
    rows["membership_age_days"] = (rows["status_date"] - rows["started_date"]).dt.days
    rows["customer_key"] = rows["account_key"].map(person)
    return rows[MEMBERSHIP_COLUMNS].reset_index(drop=True)
