"""The live tables, and how a micro-batch becomes visible in them exactly once.

One transaction per micro-batch: the batch's new events are inserted into ``live.events`` (an event whose
key is already there is a redelivery or a second publication, and is counted, not inserted), the minutes
those events fall in are recomputed in ``live.metrics_per_minute`` from ``live.events``, the batch's dead
letters are recorded in ``live.dead_letters`` (once per stream entry), and the batch itself in
``live.ingest_batches``. Only after the commit does the consumer acknowledge the entries to the broker, so
a consumer killed at any point leaves either nothing or the whole batch, and a redelivered entry finds its
event already there.

The SQL is the subset DuckDB and Snowflake share; the connection (where the tables live, how a frame is
staged) comes from the chosen warehouse backend (:func:`vision_assets.warehouse.live_connection`).

How an event counts follows the staging models: minutes engaged as ``stage_engagement`` computes them (to
four decimals, seconds divided by 60), an order line's net amount as ``stage_order_lines`` (quantity times
unit price less discount, to the cent), a billing event's as ``stage_billing_events`` (payments count,
refunds count negative), each converted to USD per row with the ``currency_rates`` seed and rounded to the
cent (the ``to_usd`` macro). The reconciliation check compares the results with the daily facts.
"""

import csv
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from vision_assets.live.events import CheckedBatch
from vision_assets.paths import DBT_PROJECT_DIR
from vision_assets.warehouse import LiveConnection, live_connection

CURRENCY_RATES_SEED = DBT_PROJECT_DIR / "seeds" / "currency_rates.csv"

TABLES = {
    "events": """
        create table if not exists live.events (
            event_key varchar not null primary key,
            business_line varchar not null,
            source_table varchar not null,
            event_id varchar not null,
            event_type varchar,
            event_time timestamp not null,
            event_minute timestamp not null,
            event_date date not null,
            account_key varchar not null,
            product_key varchar,
            order_key varchar,
            engaged_minutes decimal(18, 4) not null,
            net_amount decimal(18, 2) not null,
            currency varchar,
            net_amount_usd decimal(18, 2) not null,
            stream_entry_id varchar not null,
            published_at timestamp not null,
            batch_id varchar not null
        )""",
    "metrics_per_minute": """
        create table if not exists live.metrics_per_minute (
            event_minute timestamp not null,
            business_line varchar not null,
            events bigint not null,
            active_customers bigint not null,
            minutes_engaged decimal(18, 4) not null,
            orders bigint not null,
            net_revenue_usd decimal(18, 2) not null,
            updated_by_batch varchar not null
        )""",
    "dead_letters": """
        create table if not exists live.dead_letters (
            stream varchar not null,
            entry_id varchar not null,
            reason varchar not null,
            event varchar not null,
            batch_id varchar not null
        )""",
    "ingest_batches": """
        create table if not exists live.ingest_batches (
            batch_id varchar not null,
            consumer varchar not null,
            entries bigint not null,
            new_events bigint not null,
            repeated_events bigint not null,
            dead_letters bigint not null,
            first_published_at timestamp,
            last_published_at timestamp,
            committed_at timestamp not null,
            visible_at timestamp
        )""",
    "currency_rates": """
        create table if not exists live.currency_rates (
            currency varchar not null,
            units_per_usd decimal(18, 6) not null
        )""",
}

VIEWS = {
    # Today: the latest day the lane has seen an event of (simulated days run ahead of the clock).
    "today_so_far": """
        create or replace view live.today_so_far as
        with today as (select max(event_date) as event_date from live.events)
        select
            events.event_date,
            events.business_line,
            count(*) as events,
            count(distinct events.account_key) as active_customers,
            sum(events.engaged_minutes) as minutes_engaged,
            count(distinct case when events.source_table = 'orders' then events.order_key end) as orders,
            sum(events.net_amount_usd) as net_revenue_usd,
            max(events.event_time) as last_event_at
        from live.events as events
        inner join today on events.event_date = today.event_date
        group by events.event_date, events.business_line""",
    "trending_titles": """
        create or replace view live.trending_titles as
        with latest as (
            select business_line, max(event_time) as latest_event_at
            from live.events
            group by business_line
        ),
        last_hour as (
            select
                events.business_line,
                events.product_key,
                count(*) as events,
                count(distinct events.account_key) as customers,
                sum(events.engaged_minutes) as minutes_engaged
            from live.events as events
            inner join latest on events.business_line = latest.business_line
            where events.source_table = 'engagement'
                and events.event_time > latest.latest_event_at - interval '1 hour'
            group by events.business_line, events.product_key
        ),
        ranked as (
            select
                *,
                row_number() over (
                    partition by business_line order by events desc, minutes_engaged desc, product_key
                ) as trend_rank
            from last_hour
        )
        select * from ranked where trend_rank <= 10""",
}


def _to_usd(amount: str) -> str:
    """The ``to_usd`` macro of vision_dbt/macros/money.sql."""
    return f"cast(round(cast({amount} as decimal(18, 2)) / rates.units_per_usd, 2) as decimal(18, 2))"


_SIGN = "case lower(trim(batch.event_type)) when 'payment' then 1 when 'refund' then -1 else 0 end"

_INSERT_NEW_EVENTS = f"""
insert into live.events
with distinct_batch as (
    select *
    from live_batch
    qualify row_number() over (partition by event_key order by stream_entry_id) = 1
)
select
    batch.event_key,
    batch.business_line,
    batch.source_table,
    batch.event_id,
    case when batch.source_table = 'orders' then 'order' else lower(trim(batch.event_type)) end,
    batch.event_time,
    date_trunc('minute', batch.event_time),
    cast(batch.event_time as date),
    batch.business_line || ':' || trim(batch.account_id),
    case when batch.product_id is not null then batch.business_line || ':' || trim(batch.product_id) end,
    case when batch.order_id is not null then batch.business_line || ':' || trim(batch.order_id) end,
    case
        when batch.source_table <> 'engagement' then cast(0 as decimal(18, 4))
        when batch.time_spent_in_seconds
            then cast(cast(batch.time_spent as decimal(18, 4)) / 60 as decimal(18, 4))
        else cast(batch.time_spent as decimal(18, 4))
    end,
    case batch.source_table
        when 'orders' then cast(
            cast(batch.quantity as integer) * cast(batch.unit_price as decimal(18, 2))
            - cast(batch.discount_amount as decimal(18, 2)) as decimal(18, 2))
        when 'billing' then cast({_SIGN} * cast(batch.amount as decimal(18, 2)) as decimal(18, 2))
        else cast(0 as decimal(18, 2))
    end,
    upper(trim(batch.currency)),
    case batch.source_table
        when 'orders' then {_to_usd('cast(batch.quantity as integer) * cast(batch.unit_price as decimal(18, 2))')}
            - {_to_usd('batch.discount_amount')}
        when 'billing' then cast({_SIGN} * {_to_usd('batch.amount')} as decimal(18, 2))
        else cast(0 as decimal(18, 2))
    end,
    batch.stream_entry_id,
    batch.published_at,
    ?
from distinct_batch as batch
left join live.currency_rates as rates
    on upper(trim(batch.currency)) = rates.currency
where not exists (
    -- A repeat has the key, hence the time, of its first copy: only the batch's days are looked at, so the
    -- cost of a batch does not grow with the history the table holds.
    select 1 from live.events as known
    where known.event_date between ? and ? and known.event_key = batch.event_key
)
"""

# The minutes a batch touched (its repeats' too: recounting those changes nothing), as a subquery: a
# temporary table would be DDL, and DDL inside a Snowflake transaction commits it.
_TOUCHED = "(select distinct business_line, date_trunc('minute', event_time) as event_minute from live_batch)"

_FORGET_TOUCHED_MINUTES = f"""
delete from live.metrics_per_minute
where exists (
    select 1 from {_TOUCHED} as touched
    where touched.business_line = metrics_per_minute.business_line
        and touched.event_minute = metrics_per_minute.event_minute
)
"""

_RECOMPUTE_MINUTES = f"""
insert into live.metrics_per_minute
select
    events.event_minute,
    events.business_line,
    count(*),
    count(distinct events.account_key),
    sum(events.engaged_minutes),
    count(distinct case when events.source_table = 'orders' then events.order_key end),
    sum(events.net_amount_usd),
    ?
from live.events as events
inner join {_TOUCHED} as touched
    on events.business_line = touched.business_line and events.event_minute = touched.event_minute
where events.event_date between ? and ?
group by events.event_minute, events.business_line
"""


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    entries: int
    new_events: int
    repeated_events: int
    dead_letters: int
    visible_at: datetime
    latest_event_day: date | None = None
    """The latest day of the events the lane holds after this batch."""


def ensure_live_tables(connection: LiveConnection) -> None:
    """Create the live schema's tables and views (idempotent), and load the currency rates the seed holds."""
    connection.execute("create schema if not exists live")
    for statement in TABLES.values():
        connection.execute(statement)
    for statement in VIEWS.values():
        connection.execute(statement)
    with CURRENCY_RATES_SEED.open(newline="") as seed:
        rates = [(row["currency"], row["units_per_usd"]) for row in csv.DictReader(seed)]
    connection.begin()
    connection.execute("delete from live.currency_rates")
    for currency, units in rates:
        connection.execute("insert into live.currency_rates values (?, ?)", [currency, units])
    connection.commit()


def write_batch(connection: LiveConnection, batch: CheckedBatch, consumer: str) -> BatchResult:
    """Make one micro-batch visible, all or nothing (see the module's docstring)."""
    batch_id = uuid.uuid4().hex
    events = batch.events
    dead = pd.DataFrame(
        [(letter.stream, letter.entry_id, letter.reason, letter.event) for letter in batch.dead_letters],
        columns=["stream", "entry_id", "reason", "event"],
        dtype=object,
    )
    if not events.empty:
        connection.stage("live_batch", events)
    if not dead.empty:
        connection.stage("live_dead_batch", dead)
    connection.begin()
    try:
        new_events = 0
        if not events.empty:
            before = _count(connection, "select count(*) from live.events")
            days = [events["event_time"].min().date(), events["event_time"].max().date()]
            connection.execute(_INSERT_NEW_EVENTS, [batch_id, *days])
            new_events = _count(connection, "select count(*) from live.events") - before
            if new_events:
                connection.execute(_FORGET_TOUCHED_MINUTES)
                connection.execute(_RECOMPUTE_MINUTES, [batch_id, *days])
        new_dead = 0
        if not dead.empty:
            before = _count(connection, "select count(*) from live.dead_letters")
            connection.execute(
                "insert into live.dead_letters select distinct batch.stream, batch.entry_id, batch.reason, "
                "batch.event, ? from live_dead_batch as batch where not exists (select 1 from live.dead_letters "
                "as known where known.stream = batch.stream and known.entry_id = batch.entry_id)",
                [batch_id],
            )
            new_dead = _count(connection, "select count(*) from live.dead_letters") - before
        committed_at = datetime.now(UTC).replace(tzinfo=None)
        published = events["published_at"] if not events.empty else pd.Series([], dtype="datetime64[us]")
        connection.execute(
            "insert into live.ingest_batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [
                batch_id, consumer, batch.entries, new_events, len(events) - new_events, new_dead,
                None if published.empty else published.min().to_pydatetime(),
                None if published.empty else published.max().to_pydatetime(),
                committed_at,
            ],
        )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    visible_at = datetime.now(UTC).replace(tzinfo=None)
    connection.execute("update live.ingest_batches set visible_at = ? where batch_id = ?", [visible_at, batch_id])
    latest = connection.query("select max(event_date) from live.events").iloc[0, 0]
    latest_day = None if pd.isna(latest) else pd.Timestamp(latest).date()
    return BatchResult(batch_id, batch.entries, new_events, len(events) - new_events, new_dead, visible_at, latest_day)


def _count(connection: LiveConnection, sql: str) -> int:
    return int(connection.query(sql).iloc[0, 0])


def read_live(sql: str, parameters: list | None = None) -> pd.DataFrame:
    """Run one query on the live tables and close the connection (the embedded file is free again after)."""
    connection = live_connection(read_only=True)
    try:
        return connection.query(sql, parameters)
    finally:
        connection.close()
