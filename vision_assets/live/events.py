"""The live lane's events: what the apps publish, one JSON object per stream entry, and how each is checked.

Every event is one row of a business line's engagement, orders or billing export, published the moment it
happens instead of the next morning. An entry of the stream ``vision:events:<line>`` has one field,
``event``, holding a JSON object::

    {"event_id": "FLE261103-00000002",          # the row's key (order_id:line_number for an order line)
     "event_time": "2026-11-03T01:12:41+01:00", # when it happened, ISO 8601 (an offset is converted to UTC)
     "line": "flicks",                          # books, flicks, music or mart: the stream's line
     "table": "engagement",                     # engagement, orders or billing
     "payload": {"view_id": "FLE261103-00000002", "account_id": "FL-0000001", ...}}

``payload`` holds the columns of the line's landing contract for that table (``vision_assets/landing/
contracts.py``), as text or JSON numbers, and is checked by the same rules a landed file's rows are
(:func:`vision_assets.landing.loader.check_rows`), so an event the live lane counts is one the daily load
would load. An entry that is not JSON, names an unknown line or table, lacks its id or time, disagrees with
its payload or breaks the contract is a **dead letter**: kept with its reason, counted, never retried.
"""

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vision_assets.landing.contracts import BUSINESS_LINES, SOURCE_TABLES_BY_NAME, SourceTable
from vision_assets.landing.loader import check_rows
from vision_assets.landing.values import convert, trim

STREAM_PREFIX = "vision:events:"
DEAD_LETTER_STREAM = "vision:events:dead_letter"
EVENT_FIELD = "event"
CONSUMER_GROUP = "vision-live"

# The export tables that are streamed: the ones recording things happening. Customers, catalogs,
# memberships and reviews arrive with the daily export only.
STREAMED_TABLES = ("engagement", "orders", "billing")


def stream_name(line: str) -> str:
    return f"{STREAM_PREFIX}{line}"


STREAMS: dict[str, str] = {line: stream_name(line) for line in BUSINESS_LINES}


@dataclass(frozen=True)
class EventShape:
    """Which columns of a streamed export table say who, what and how much.

    This restates the arguments each line's staging model passes to its family macro (``account_column``,
    ``product_column``, ``minutes_column`` or ``seconds_column``): the live lane counts an event the way the
    daily lane stages its row. ``test_event_shapes_follow_the_staging_models`` checks the two agree, and
    the reconciliation check compares the results every day.
    """

    contract: SourceTable
    account_column: str
    product_column: str | None = None
    minutes_column: str | None = None
    seconds_column: str | None = None

    @property
    def line(self) -> str:
        return self.contract.line

    @property
    def table(self) -> str:
        return self.contract.table


_ACCOUNT = {"books": "customer_id", "flicks": "account_id", "music": "listener_id", "mart": "shopper_id"}
_PRODUCT = {"books": "book_id", "flicks": "title_id", "music": "track_id", "mart": "product_id"}
_TIME_SPENT = {
    "books": {"minutes_column": "minutes"},
    "flicks": {"minutes_column": "minutes_watched"},
    "music": {"seconds_column": "seconds_played"},
    "mart": {"seconds_column": "duration_seconds"},
}


def _shapes() -> dict[tuple[str, str], EventShape]:
    shapes = {}
    for line in BUSINESS_LINES:
        for table in STREAMED_TABLES:
            contract = SOURCE_TABLES_BY_NAME.get(f"{line}_{table}")
            if contract is None:
                continue
            if table == "engagement":
                shape = EventShape(contract, _ACCOUNT[line], _PRODUCT[line], **_TIME_SPENT[line])
            elif table == "orders":
                shape = EventShape(contract, _ACCOUNT[line], _PRODUCT[line])
            else:
                shape = EventShape(contract, _ACCOUNT[line])
            shapes[(line, table)] = shape
    return shapes


EVENT_SHAPES: dict[tuple[str, str], EventShape] = _shapes()
_COLUMN_SETS = {key: set(shape.contract.column_names) for key, shape in EVENT_SHAPES.items()}

# The columns of a checked batch, as the live store stages it (vision_assets/live/store.py).
STAGED_COLUMNS = (
    "event_key", "business_line", "source_table", "event_id", "event_type", "event_time", "account_id",
    "product_id", "order_id", "time_spent", "time_spent_in_seconds", "quantity", "unit_price",
    "discount_amount", "amount", "currency", "stream_entry_id", "published_at",
)


def event_id_of(contract: SourceTable, row: dict) -> str:
    """The event id of an export row: its key's values, joined by ``:`` (``O123:2`` for an order line)."""
    return ":".join(str(row[column]).strip() for column in contract.key)


def events_of_export(contract: SourceTable, frame: pd.DataFrame) -> list[dict]:
    """The events an app publishes for the rows of one export table (the simulator's streaming mode)."""
    if (contract.line, contract.table) not in EVENT_SHAPES:
        raise ValueError(f"{contract.name} is not streamed (streamed tables: {', '.join(STREAMED_TABLES)})")
    events = []
    for row in frame.to_dict("records"):
        payload = {name: (None if _is_missing(value) else value) for name, value in row.items()}
        events.append({
            "event_id": event_id_of(contract, payload),
            "event_time": payload[contract.event_time],
            "line": contract.line,
            "table": contract.table,
            "payload": payload,
        })
    return events


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def encode(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class Envelope(msgspec.Struct):
    """The event schema as msgspec decodes and validates it: one C-speed pass per entry, and a message
    naming the field when a type is wrong or a field missing ("Expected `str`, got `int` - at `$.event_id`")."""

    event_id: str
    event_time: str
    line: str
    table: str
    payload: dict[str, str | int | float | None]


_DECODER = msgspec.json.Decoder(Envelope)
_STREAM_LINES = {name: line for line, name in STREAMS.items()}


@dataclass
class DeadLetter:
    stream: str
    entry_id: str
    reason: str
    event: str


@dataclass
class CheckedBatch:
    """One micro-batch read from the streams: the good events staged for the store, and the dead letters."""

    events: pd.DataFrame
    dead_letters: list[DeadLetter]
    entries: int


def published_at(entry_id: str) -> datetime:
    """When the broker accepted an entry: a stream entry id starts with the milliseconds of its XADD."""
    return datetime.fromtimestamp(int(entry_id.split("-", 1)[0]) / 1000, UTC).replace(tzinfo=None)


def check_entries(entries: list[tuple[str, str, dict]]) -> CheckedBatch:
    """Check entries ``(stream, entry id, fields)`` read from the streams and stage the good ones."""
    dead: list[DeadLetter] = []
    grouped: dict[tuple[str, str], list[tuple[str, str, bytes | str, Envelope]]] = {}
    for stream, entry_id, fields in entries:
        raw = fields.get(_EVENT_FIELD_BYTES, fields.get(EVENT_FIELD))
        event, reason = _envelope(stream, raw)
        if reason:
            dead.append(DeadLetter(stream, entry_id, reason, _text(raw) or ""))
            continue
        grouped.setdefault((event.line, event.table), []).append((stream, entry_id, raw, event))
    frames = []
    for (line, table), group in grouped.items():
        frame, rejected = _checked_group(EVENT_SHAPES[(line, table)], group)
        frames.append(frame)
        dead += rejected
    # One frame from the groups' columns: pandas' concat inspects every null of an object column, one by one.
    events = (
        _typed_staged(pd.DataFrame({
            column: np.concatenate([frame[column].to_numpy() for frame in frames]) for column in STAGED_COLUMNS
        }))
        if frames else _empty_staged()
    )
    return CheckedBatch(events=events, dead_letters=dead, entries=len(entries))


_EVENT_FIELD_BYTES = EVENT_FIELD.encode()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _envelope(stream: str, raw: bytes | str | None) -> tuple[Envelope | None, str]:
    if raw is None:
        return None, f"the entry has no '{EVENT_FIELD}' field"
    try:
        event = _DECODER.decode(raw)
    except msgspec.ValidationError as error:
        return None, f"not an event: {error}"
    except msgspec.DecodeError as error:
        return None, f"not JSON: {error}"
    line, table = event.line, event.table
    if line not in BUSINESS_LINES:
        return None, f"unknown business line {line!r} (one of {', '.join(BUSINESS_LINES)})"
    if _STREAM_LINES.get(stream) != line:
        return None, f"an event of line {line!r} on the stream {stream}"
    if (line, table) not in EVENT_SHAPES:
        known = ", ".join(t for (l, t) in EVENT_SHAPES if l == line)
        return None, f"unknown table {table!r} of line {line!r} (streamed: {known})"
    if not event.event_id.strip():
        return None, "missing event_id"
    if not event.event_time.strip():
        return None, "missing event_time"
    columns = _COLUMN_SETS[(line, table)]
    if event.payload.keys() != columns:
        contract = EVENT_SHAPES[(line, table)].contract
        missing = [name for name in contract.column_names if name not in event.payload]
        extra = sorted(set(event.payload) - columns)
        return None, "payload columns differ from the contract of " + contract.name + (
            f": missing {missing}" if missing else "") + (f"; unexpected {extra}" if extra else "")
    return event, ""


def _checked_group(shape: EventShape, group: list[tuple[str, str, str, dict]]) -> tuple[pd.DataFrame, list[DeadLetter]]:
    """Check one line's events of one table together, column by column, as the loader checks a file."""
    contract = shape.contract
    payloads = [event.payload for *_, event in group]
    text = pa.table({name: _text_column([payload[name] for payload in payloads]) for name in contract.column_names})
    typed, reasons = check_rows(text, contract, f"{group[0][0]} ({contract.name} events)")
    reasons = reasons.to_numpy(dtype=object)
    good = pd.isna(reasons)
    # The envelope must say what the payload says: its id is the row's key, its time the row's event time.
    envelope_ids = pa.array([event.event_id for *_, event in group], pa.string())
    key_ids = pc.binary_join_element_wise(*(trim(text.column(name)) for name in contract.key), ":")
    id_differs = ~pc.fill_null(pc.equal(trim(envelope_ids), key_ids), False).to_numpy(zero_copy_only=False)
    envelope_times = convert(pa.array([event.event_time for *_, event in group], pa.string()), "timestamp").values
    time_differs = ~(envelope_times.to_numpy() == typed[contract.event_time].to_numpy())
    reasons = np.where(
        good & id_differs,
        [f"event_id {event.event_id!r} is not the payload's key ({', '.join(contract.key)})" for *_, event in group],
        reasons,
    ) if (good & id_differs).any() else reasons
    reasons = np.where(
        good & ~id_differs & time_differs,
        [f"event_time {event.event_time!r} is not the payload's {contract.event_time}" for *_, event in group],
        reasons,
    ) if (good & ~id_differs & time_differs).any() else reasons
    keep = good & ~id_differs & ~time_differs
    dead = [
        DeadLetter(stream, entry_id, str(reasons[position]), _text(raw) or "")
        for position, (stream, entry_id, raw, _) in enumerate(group) if not keep[position]
    ]
    kept = typed[keep].reset_index(drop=True)
    ids = [event.event_id.strip() for (*_, event), kept_row in zip(group, keep) if kept_row]
    entry_ids = [entry_id for (_, entry_id, _, _), kept_row in zip(group, keep) if kept_row]
    time_spent = shape.minutes_column or shape.seconds_column
    frame = pd.DataFrame({
        "event_key": [f"{shape.line}:{event_id}" for event_id in ids],
        "business_line": shape.line,
        "source_table": shape.table,
        "event_id": ids,
        "event_type": kept.get("event_type"),
        "event_time": kept[contract.event_time].astype("datetime64[us]"),
        "account_id": kept[shape.account_column],
        "product_id": kept[shape.product_column] if shape.product_column else None,
        "order_id": kept.get("order_id"),
        "time_spent": kept[time_spent].astype("float64") if time_spent else np.nan,
        "time_spent_in_seconds": shape.seconds_column is not None,
        "quantity": kept["quantity"].astype("float64") if "quantity" in kept else np.nan,
        "unit_price": kept["unit_price"].astype("float64") if "unit_price" in kept else np.nan,
        "discount_amount": kept["discount_amount"].astype("float64") if "discount_amount" in kept else np.nan,
        "amount": kept["amount"].astype("float64") if "amount" in kept else np.nan,
        "currency": kept.get("currency"),
        "stream_entry_id": entry_ids,
        "published_at": pd.to_datetime(
            np.array([int(entry_id.split("-", 1)[0]) for entry_id in entry_ids], dtype=np.int64), unit="ms"
        ).astype("datetime64[us]"),
    }, columns=list(STAGED_COLUMNS))
    return _typed_staged(frame), dead


def _text_column(values: list) -> pa.Array:
    """A payload column as text: as sent when every value is text or null (nearly always), else each value's text."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([_as_text(value) for value in values], pa.string())


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed_staged(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("event_type", "product_id", "order_id", "currency"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ("time_spent", "quantity", "unit_price", "discount_amount", "amount"):
        frame[column] = frame[column].astype("float64")
    frame["time_spent_in_seconds"] = frame["time_spent_in_seconds"].astype(bool)
    return frame


def _empty_staged() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series([], dtype=object) for column in STAGED_COLUMNS})
    frame["event_time"] = frame["event_time"].astype("datetime64[us]")
    frame["published_at"] = frame["published_at"].astype("datetime64[us]")
    return _typed_staged(frame)
