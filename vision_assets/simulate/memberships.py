"""Memberships and subscriptions with their billing: starts, renewals, failed payments, lapses, cancellations.

Kept as numpy arrays (one entry per membership) because every active membership is looked at every day.
A monthly plan bills every 30 days and an annual one every 365 from its start. A renewal invoices and
then charges; 4% of charges fail and are retried three days later, and a retry that fails again lapses
the membership. Members cancel at a daily hazard that rises as their engagement falls (the signal churn
models learn from). A small share of charges is refunded the next day.
"""

from dataclasses import dataclass, field

import numpy as np

from vision_assets.simulate.reference import MEMBERSHIP_PLANS

ACTIVE, CANCELLED, LAPSED = 0, 1, 2
STATUS_NAMES = ("active", "cancelled", "lapsed")
BILLING_PERIOD_DAYS = {"monthly": 30, "annual": 365}
# Share of a business line's accounts that hold a membership when the export starts / when they sign up.
MEMBERSHIP_REACH = {"books": 0.20, "flicks": 0.75, "music": 0.55, "mart": 0.35}
DAILY_JOIN_RATE = 0.003
DAILY_PLAN_CHANGE_RATE = 0.0008
BASE_DAILY_CANCEL_RATE = 0.0025
PAYMENT_FAILURE_RATE = 0.04
RETRY_SUCCESS_RATE = 0.55
RETRY_AFTER_DAYS = 3
MEMBERSHIP_REFUND_RATE = 0.01


def cancel_hazard(engagement: np.ndarray) -> np.ndarray:
    """The chance that a member cancels today, given the day's engagement signal (~1 on average)."""
    return BASE_DAILY_CANCEL_RATE * 2.0 / (0.4 + np.clip(engagement, 0, 3))


@dataclass
class MembershipEvents:
    """What changed on one day: membership change rows and billing rows, as parallel arrays."""

    change_membership: list[np.ndarray] = field(default_factory=list)
    change_time: list[np.ndarray] = field(default_factory=list)
    billing_membership: list[np.ndarray] = field(default_factory=list)
    billing_type: list[np.ndarray] = field(default_factory=list)
    billing_time: list[np.ndarray] = field(default_factory=list)

    def change(self, memberships: np.ndarray, times: np.ndarray) -> None:
        self.change_membership.append(memberships)
        self.change_time.append(times)

    def bill(self, memberships: np.ndarray, event_type: str, times: np.ndarray) -> None:
        self.billing_membership.append(memberships)
        self.billing_type.append(np.full(len(memberships), event_type, dtype=object))
        self.billing_time.append(times)


class MembershipBook:
    """Every membership of one business line."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.plans = MEMBERSHIP_PLANS[line]
        self.plan_prices_usd = np.array([price for _, _, price in self.plans])
        self.plan_periods = np.array([BILLING_PERIOD_DAYS[period] for _, period, _ in self.plans])
        self.account = np.empty(0, dtype=np.int64)
        self.plan = np.empty(0, dtype=np.int64)
        self.status = np.empty(0, dtype=np.int8)
        self.started_at = np.empty(0, dtype=np.float64)
        self.ended_at = np.empty(0, dtype=np.float64)
        self.next_bill_day = np.empty(0, dtype=np.int64)
        self.retry_day = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.account)

    def active_accounts(self, account_count: int) -> np.ndarray:
        """A mask over accounts: does the account hold an active membership now?"""
        mask = np.zeros(account_count, dtype=bool)
        mask[self.account[self.status == ACTIVE]] = True
        return mask

    def open(self, accounts: np.ndarray, plans: np.ndarray, started_at: np.ndarray, first_bill_day: np.ndarray) -> np.ndarray:
        first = len(self)
        self.account = np.concatenate([self.account, accounts])
        self.plan = np.concatenate([self.plan, plans])
        self.status = np.concatenate([self.status, np.zeros(len(accounts), dtype=np.int8)])
        self.started_at = np.concatenate([self.started_at, started_at])
        self.ended_at = np.concatenate([self.ended_at, np.full(len(accounts), np.nan)])
        self.next_bill_day = np.concatenate([self.next_bill_day, first_bill_day])
        self.retry_day = np.concatenate([self.retry_day, np.full(len(accounts), -1)])
        return np.arange(first, len(self))

    def next_charge(self, memberships: np.ndarray, day_number: int) -> tuple[np.ndarray, ...]:
        """For active memberships as a day starts: the day of each one's next charge, the chance that the
        charge ends it and the day it would.

        The next charge is a pending retry, which lapses the membership on its day if it fails, or else the
        next renewal, which lapses it if it fails and so does its retry ``RETRY_AFTER_DAYS`` later. No
        member cancels on a charge's day nor while a failed one awaits its retry. No random numbers are drawn.
        """
        pending = self.retry_day[memberships] >= day_number
        charge_day = np.where(pending, self.retry_day[memberships], self.next_bill_day[memberships])
        retry_fails = 1.0 - RETRY_SUCCESS_RATE
        chance = np.where(pending, retry_fails, PAYMENT_FAILURE_RATE * retry_fails)
        lapse_day = np.where(pending, charge_day, charge_day + RETRY_AFTER_DAYS)
        return charge_day, chance, lapse_day

    def draw_plans(self, rng: np.random.Generator, count: int) -> np.ndarray:
        weights = np.linspace(1.6, 0.6, len(self.plans))
        return rng.choice(len(self.plans), size=count, p=weights / weights.sum())

    def step(
        self,
        rng: np.random.Generator,
        day_number: int,
        day_start: float,
        account_engagement: np.ndarray,
        joiners: np.ndarray,
    ) -> MembershipEvents:
        """Advance one day; ``account_engagement`` (per account, ~1 on average) drives cancellations."""
        events = MembershipEvents()

        def times(count: int) -> np.ndarray:
            return day_start + rng.integers(60, 86_340, size=count).astype(np.float64)

        # Retries of yesterday's failed charges.
        retrying = np.flatnonzero((self.retry_day == day_number) & (self.status == ACTIVE))
        if len(retrying):
            at = times(len(retrying))
            paid = rng.random(len(retrying)) < RETRY_SUCCESS_RATE
            events.bill(retrying[paid], "payment", at[paid])
            events.change(retrying[paid], at[paid] + 1)
            self.next_bill_day[retrying[paid]] += self.plan_periods[self.plan[retrying[paid]]]
            lapsing = retrying[~paid]
            events.bill(lapsing, "failed_payment", at[~paid])
            self.status[lapsing] = LAPSED
            self.ended_at[lapsing] = at[~paid] + 1
            events.change(lapsing, at[~paid] + 1)
            self.retry_day[retrying] = -1

        # Renewals due today.
        renewing = np.flatnonzero((self.next_bill_day == day_number) & (self.status == ACTIVE) & (self.retry_day < 0))
        if len(renewing):
            at = times(len(renewing))
            events.bill(renewing, "invoice", at)
            failed = rng.random(len(renewing)) < PAYMENT_FAILURE_RATE
            events.bill(renewing[~failed], "payment", at[~failed] + 1)
            events.change(renewing[~failed], at[~failed] + 2)
            self.next_bill_day[renewing[~failed]] += self.plan_periods[self.plan[renewing[~failed]]]
            events.bill(renewing[failed], "failed_payment", at[failed] + 1)
            self.retry_day[renewing[failed]] = day_number + RETRY_AFTER_DAYS

        touched = np.zeros(len(self), dtype=bool)
        touched[retrying] = True
        touched[renewing] = True

        # Cancellations: the less a member engages, the likelier they leave.
        candidates = np.flatnonzero((self.status == ACTIVE) & ~touched & (self.retry_day < 0))
        hazard = cancel_hazard(account_engagement[self.account[candidates]])
        leaving = candidates[rng.random(len(candidates)) < hazard]
        if len(leaving):
            at = times(len(leaving))
            self.status[leaving] = CANCELLED
            self.ended_at[leaving] = at
            events.change(leaving, at)
            touched[leaving] = True

        # Plan changes.
        staying = np.flatnonzero((self.status == ACTIVE) & ~touched & (self.retry_day < 0))
        switching = staying[rng.random(len(staying)) < DAILY_PLAN_CHANGE_RATE]
        if len(switching) and len(self.plans) > 1:
            self.plan[switching] = (self.plan[switching] + rng.integers(1, len(self.plans), len(switching))) % len(self.plans)
            events.change(switching, times(len(switching)))

        # New members: start, invoice and first charge at once.
        if len(joiners):
            at = times(len(joiners))
            opened = self.open(joiners, self.draw_plans(rng, len(joiners)), at, np.full(len(joiners), day_number))
            self.next_bill_day[opened] += self.plan_periods[self.plan[opened]]
            events.change(opened, at)
            events.bill(opened, "invoice", at + 1)
            events.bill(opened, "payment", at + 2)
        return events

    def choose_joiners(self, rng: np.random.Generator, account_count: int, new_accounts: np.ndarray) -> np.ndarray:
        """Accounts without a membership that join today: new sign-ups at the line's reach, others rarely."""
        holding = self.active_accounts(account_count)
        pool = np.flatnonzero(~holding)
        is_new = np.isin(pool, new_accounts)
        rate = np.where(is_new, MEMBERSHIP_REACH[self.line], DAILY_JOIN_RATE)
        return pool[rng.random(len(pool)) < rate]
