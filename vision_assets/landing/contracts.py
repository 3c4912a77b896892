"""The landing contracts: what each business line's daily export must look like.

Every source table that lands in the landing zone is declared here once: its columns with their types,
the columns that identify a row (its key), and the event-time column that places each row in a daily
partition. The simulator writes to these contracts, the raw loader checks every file against them, and the
raw assets take their descriptions and column schemas from them, so the three can never drift apart.

Column names are the ones each business exports, on purpose: the four systems were built by different
teams and name the same thing differently (``customer_id``, ``account_id``, ``listener_id``,
``shopper_id``). The dbt staging layer renames them to one vocabulary; the raw layer keeps what landed.
"""

import re
from dataclasses import dataclass
from datetime import date

from vision_assets.landing.rules import (
    Between,
    ColumnRule,
    ExactlyOneSet,
    InCodeList,
    Isbn13,
    Matches,
    OneOf,
    ProductBelow,
    RowRule,
    SetExactlyWhen,
    ZeroWhen,
    iso_country_codes,
    rated_currencies,
)

BUSINESS_LINES: tuple[str, ...] = ("books", "flicks", "music", "mart")

BUSINESS_LINE_NAMES: dict[str, str] = {
    "books": "Vision Books",
    "flicks": "Vision Flicks",
    "music": "Vision Music",
    "mart": "Vision Mart",
}

# The value types a landing column may have. vision_assets/landing/values.py says exactly which text each
# accepts; every timestamp in the warehouse is naive UTC (a value with an offset is converted).
COLUMN_TYPES = ("string", "integer", "decimal", "timestamp")

# Line, table and column names become folder names and SQL identifiers: lowercase words only, so none can
# climb out of the landing root or change the meaning of a statement.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

# The rules the columns' descriptions state, as the loader checks them.
IDENTIFIER = Matches(
    r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
    "an identifier: 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
)
COUNTRY_CODE = InCodeList(iso_country_codes, "an ISO 3166-1 alpha-2 country code (US, GB, ...)")
CURRENCY_CODE = InCodeList(
    rated_currencies, "an ISO 4217 currency code the warehouse has a rate for (seed currency_rates)"
)
NON_NEGATIVE = Between(minimum=0)
RATING = Between(minimum=1, maximum=5)
YEAR = Between(minimum=1000, maximum=2100)


def _check_identifier(name: str, what: str) -> None:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(
            f"{what} {name!r} must be lowercase letters, digits and underscores (a plain identifier)"
        )


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = False
    # A column the exporter started sending on this day. Files of earlier days may lack it (it loads as
    # empty), and the warehouse table gains it on its next load; it must be nullable for that reason.
    added_on: date | None = None
    # What a value must be beyond its type (vision_assets/landing/rules.py).
    rules: tuple[ColumnRule, ...] = ()
    # Free text (a review) may hold tabs and line breaks inside it; other text may not.
    free_text: bool = False

    def __post_init__(self) -> None:
        _check_identifier(self.name, "column")
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name!r} has unknown type {self.type!r}")
        if self.added_on is not None and not self.nullable:
            raise ValueError(f"column {self.name!r} was added on {self.added_on} and must be nullable")

    @property
    def documentation(self) -> str:
        """The description with the rules the loader checks, as the analyst reads it in the Dagster UI."""
        return " ".join([self.description, *(rule.statement for rule in self.rules)])


@dataclass(frozen=True)
class SourceTable:
    """One table that a business line exports once a day."""

    line: str
    table: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    event_time: str
    # Rules that tie columns of a row together (vision_assets/landing/rules.py).
    row_rules: tuple[RowRule, ...] = ()

    def __post_init__(self) -> None:
        _check_identifier(self.line, "business line")
        _check_identifier(self.table, "table")
        names = set(self.column_names)
        for rule in self.row_rules:
            if not set(rule.columns) <= names:
                raise ValueError(f"{self.name}: a row rule names columns not in the contract: {rule.columns}")

    @property
    def name(self) -> str:
        """The warehouse table name, e.g. ``books_orders``."""
        return f"{self.line}_{self.table}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _c(
    name: str, type_: str, description: str, *rules: ColumnRule, nullable: bool = False, free_text: bool = False
) -> Column:
    return Column(
        name=name, type=type_, description=description, nullable=nullable, rules=rules, free_text=free_text
    )


def _id(name: str, description: str, nullable: bool = False) -> Column:
    return _c(name, "string", description, IDENTIFIER, nullable=nullable)


_BILLING_EVENTS = ("invoice", "payment", "failed_payment", "refund")
_MEMBERSHIP_STATUSES = ("active", "cancelled", "lapsed")
_BOOK_FORMATS = ("hardcover", "paperback", "ebook", "audiobook")
_MEMBERSHIP_DESCRIPTION = (
    "One row per change to a {what}: a start, a renewal, a plan change, a cancellation or a lapse after "
    "failed payments. The first day of the export carries every membership active on that day. The latest "
    "row of a membership is its current state."
)
_BILLING_DESCRIPTION = (
    "Every billing event of {name}: membership invoices, successful payments, failed payment attempts and "
    "refunds. Amounts are positive in the currency of the customer's country; a refund's amount is the "
    "money returned."
)


def _customers(line: str, id_col: str, name_col: str, email_col: str, country_col: str, region_col: str,
               signup_col: str, what: str, extra: tuple[Column, ...] = ()) -> SourceTable:
    return SourceTable(
        line=line,
        table="customers",
        description=(
            f"{what} of {BUSINESS_LINE_NAMES[line]} as its own system exports them: one row per account "
            "created or changed that day; the first day of the export carries every existing account. "
            "Names and emails are as the customer typed them, so the same person can look different "
            "here and in the other businesses."
        ),
        columns=(
            _id(id_col, f"{BUSINESS_LINE_NAMES[line]} account identifier."),
            _c(name_col, "string", "Name as entered by the customer (free-form case and order)."),
            _c(email_col, "string", "Email as entered by the customer; empty when they signed up without one.",
               nullable=True),
            _c(country_col, "string", "ISO 3166-1 alpha-2 country code of the billing address.", COUNTRY_CODE),
            _c(region_col, "string", "State, province or region of the billing address; may be empty.",
               nullable=True),
            _c("city", "string", "City of the billing address; may be empty.", nullable=True),
            *extra,
            _c(signup_col, "timestamp", "When the account was created (UTC)."),
            _c("updated_at", "timestamp", "When this version of the account was exported (UTC); places the row in its day."),
        ),
        key=(id_col,),
        event_time="updated_at",
    )


def _memberships(line: str, id_col: str, customer_col: str, plans: tuple[str, ...], what: str) -> SourceTable:
    return SourceTable(
        line=line,
        table="memberships",
        description=_MEMBERSHIP_DESCRIPTION.format(what=what),
        columns=(
            _id(id_col, f"The {what} identifier."),
            _id(customer_col, "The account that holds it."),
            _c("plan", "string", "Plan name.", OneOf(plans)),
            _c("status", "string", "Status after this change: active, cancelled or lapsed.", OneOf(_MEMBERSHIP_STATUSES)),
            _c("started_at", "timestamp", f"When the {what} started (UTC)."),
            _c("ended_at", "timestamp", f"When the {what} ended (UTC); empty while it runs.", nullable=True),
            _c("changed_at", "timestamp", "When this change happened (UTC); places the row in its day."),
        ),
        key=(id_col, "changed_at"),
        event_time="changed_at",
        row_rules=(SetExactlyWhen("ended_at", "status", ("cancelled", "lapsed")),),
    )


def _billing(line: str, customer_col: str, membership_col: str, with_orders: bool) -> SourceTable:
    order_columns = (
        (_id("order_id", "The order a refund belongs to; empty for membership billing.", nullable=True),)
        if with_orders
        else ()
    )
    return SourceTable(
        line=line,
        table="billing",
        description=_BILLING_DESCRIPTION.format(name=BUSINESS_LINE_NAMES[line]),
        columns=(
            _id("billing_event_id", "Billing event identifier."),
            _id(customer_col, "The account billed."),
            _id(membership_col, "The membership billed; empty for an order refund.", nullable=True),
            *order_columns,
            _c("event_type", "string", "invoice, payment, failed_payment or refund.", OneOf(_BILLING_EVENTS)),
            _c(
                "amount",
                "decimal",
                "Amount in the currency below (positive; a refund's amount is what was returned).",
                NON_NEGATIVE,
            ),
            _c("currency", "string", "ISO 4217 currency code.", CURRENCY_CODE),
            _c("occurred_at", "timestamp", "When the event happened (UTC); places the row in its day."),
        ),
        key=("billing_event_id",),
        event_time="occurred_at",
        row_rules=(ExactlyOneSet((membership_col, "order_id")),) if with_orders else (),
    )


def _orders(line: str, customer_col: str, product_col: str) -> SourceTable:
    return SourceTable(
        line=line,
        table="orders",
        description=(
            f"Order lines of {BUSINESS_LINE_NAMES[line]}: one row per product in an order, with the price "
            "paid and any discount. Refunds arrive later in billing, not here."
        ),
        columns=(
            _id("order_id", "Order identifier."),
            _c("line_number", "integer", "Position of the line within its order, from 1.", Between(minimum=1)),
            _id(customer_col, "The account that ordered."),
            _id(product_col, "The product ordered."),
            _c("quantity", "integer", "Units ordered.", NON_NEGATIVE),
            _c("unit_price", "decimal", "Price of one unit before discount, in the currency below.", NON_NEGATIVE),
            _c("discount_amount", "decimal", "Discount on the whole line, in the currency below.", NON_NEGATIVE),
            _c("currency", "string", "ISO 4217 currency code.", CURRENCY_CODE),
            _c("ordered_at", "timestamp", "When the order was placed (UTC); places the row in its day."),
        ),
        key=("order_id", "line_number"),
        event_time="ordered_at",
        row_rules=(
            ProductBelow(("quantity", "unit_price"), 1e16, "a line's amount is a decimal(18, 2) in the warehouse"),
        ),
    )


def _reviews(line: str, id_col: str, customer_col: str, product_col: str, rating_col: str, time_col: str,
             what: str) -> SourceTable:
    return SourceTable(
        line=line,
        table="reviews",
        description=f"Ratings and reviews that customers of {BUSINESS_LINE_NAMES[line]} gave to {what}.",
        columns=(
            _id(id_col, "Review identifier."),
            _id(customer_col, "The account that wrote the review."),
            _id(product_col, f"The {what[:-1]} reviewed."),
            _c(rating_col, "integer", "Rating from 1 (worst) to 5 (best).", RATING),
            _c(
                "review_text",
                "string",
                "Free text of the review; empty when only a rating was given.",
                nullable=True,
                free_text=True,
            ),
            _c(time_col, "timestamp", "When the review was written (UTC); places the row in its day."),
        ),
        key=(id_col,),
        event_time=time_col,
    )


SOURCE_TABLES: tuple[SourceTable, ...] = (
    # ---------------------------------------------------------------- Vision Books
    _customers("books", "customer_id", "full_name", "email", "country", "region", "signup_at", "Customers"),
    SourceTable(
        line="books",
        table="catalog",
        description=(
            "The Vision Books catalog: one row per book added or changed that day (new titles, price "
            "changes); the first day carries the whole catalog."
        ),
        columns=(
            _id("book_id", "Book identifier."),
            _c("isbn", "string", "ISBN-13.", Isbn13()),
            _c("title", "string", "Title of the book."),
            _c("author", "string", "Author's name."),
            _c("genre", "string", "Genre, from the vocabulary shared with films and music where it applies."),
            _c("format", "string", "hardcover, paperback, ebook or audiobook.", OneOf(_BOOK_FORMATS)),
            _c("list_price", "decimal", "List price in USD.", NON_NEGATIVE),
            _c("currency", "string", "ISO 4217 currency of the list price.", CURRENCY_CODE),
            _c("published_year", "integer", "Year of publication.", YEAR),
            _c("updated_at", "timestamp", "When this version of the book was exported (UTC)."),
        ),
        key=("book_id",),
        event_time="updated_at",
    ),
    _orders("books", "customer_id", "book_id"),
    SourceTable(
        line="books",
        table="engagement",
        description="Reading activity in the Vision Books apps: reading sessions, samples read and wish-list adds.",
        columns=(
            _id("event_id", "Event identifier."),
            _id("customer_id", "The reader."),
            _id("book_id", "The book."),
            _c("event_type", "string", "read, sample or wishlist.", OneOf(("read", "sample", "wishlist"))),
            _c("minutes", "decimal", "Minutes spent reading (0 for a wish-list add).", NON_NEGATIVE),
            _c("occurred_at", "timestamp", "When the activity started (UTC); places the row in its day."),
        ),
        key=("event_id",),
        event_time="occurred_at",
        row_rules=(ZeroWhen("minutes", "event_type", ("wishlist",)),),
    ),
    _memberships("books", "membership_id", "customer_id", ("reader_monthly", "reader_annual"), "reading membership"),
    _billing("books", "customer_id", "membership_id", with_orders=True),
    _reviews("books", "review_id", "customer_id", "book_id", "rating", "reviewed_at", "books"),
    # ---------------------------------------------------------------- Vision Flicks
    _customers("flicks", "account_id", "display_name", "email_address", "country_code", "state_or_region",
               "created_at", "Accounts"),
    SourceTable(
        line="flicks",
        table="catalog",
        description=(
            "The Vision Flicks catalog of films and series: one row per title added or changed that day; "
            "the first day carries the whole catalog."
        ),
        columns=(
            _id("title_id", "Title identifier."),
            _c("title", "string", "Name of the film or series."),
            _c("title_type", "string", "movie or series.", OneOf(("movie", "series"))),
            _c("genre", "string", "Genre, from the vocabulary shared with books and music where it applies."),
            _c("studio", "string", "Producing studio."),
            _c("release_year", "integer", "Year of release.", YEAR),
            _c("runtime_minutes", "integer", "Running time of a film, or of an average episode.", NON_NEGATIVE),
            _c("updated_at", "timestamp", "When this version of the title was exported (UTC)."),
        ),
        key=("title_id",),
        event_time="updated_at",
    ),
    SourceTable(
        line="flicks",
        table="engagement",
        description="Viewing activity on Vision Flicks: streams with minutes watched, trailers and watch-list adds.",
        columns=(
            _id("view_id", "Viewing event identifier."),
            _id("account_id", "The viewer's account."),
            _id("title_id", "The title watched."),
            _c("event_type", "string", "stream, trailer or watchlist.", OneOf(("stream", "trailer", "watchlist"))),
            _c("minutes_watched", "decimal", "Minutes watched (0 for a watch-list add).", NON_NEGATIVE),
            _c("device", "string", "tv, mobile, tablet or web.", OneOf(("tv", "mobile", "tablet", "web"))),
            _c("started_at", "timestamp", "When viewing started; exported with the viewer's UTC offset, stored in UTC."),
        ),
        key=("view_id",),
        event_time="started_at",
        row_rules=(ZeroWhen("minutes_watched", "event_type", ("watchlist",)),),
    ),
    _memberships("flicks", "subscription_id", "account_id", ("basic", "standard", "premium"), "subscription"),
    _billing("flicks", "account_id", "subscription_id", with_orders=False),
    _reviews("flicks", "rating_id", "account_id", "title_id", "stars", "rated_at", "titles"),
    # ---------------------------------------------------------------- Vision Music
    _customers("music", "listener_id", "name", "email", "country", "region", "joined_at", "Listeners"),
    SourceTable(
        line="music",
        table="catalog",
        description=(
            "The Vision Music catalog: one row per track added or changed that day; the first day carries "
            "the whole catalog."
        ),
        columns=(
            _id("track_id", "Track identifier."),
            _c("track_name", "string", "Name of the track."),
            _c("artist", "string", "Performing artist."),
            _c("album", "string", "Album the track appears on."),
            _c("genre", "string", "Genre, from the vocabulary shared with books and films where it applies."),
            _c("duration_seconds", "integer", "Length of the track.", NON_NEGATIVE),
            _c("release_year", "integer", "Year of release.", YEAR),
            _c("updated_at", "timestamp", "When this version of the track was exported (UTC)."),
        ),
        key=("track_id",),
        event_time="updated_at",
    ),
    SourceTable(
        line="music",
        table="engagement",
        description="Listening activity on Vision Music: plays with seconds played, skips, likes and playlist adds.",
        columns=(
            _id("listen_id", "Listening event identifier."),
            _id("listener_id", "The listener."),
            _id("track_id", "The track."),
            _c(
                "event_type",
                "string",
                "listen, skip, like or playlist_add.",
                OneOf(("listen", "skip", "like", "playlist_add")),
            ),
            _c("seconds_played", "integer", "Seconds played (0 for a like or a playlist add).", NON_NEGATIVE),
            _c("listened_at", "timestamp", "When the play started (UTC); places the row in its day."),
        ),
        key=("listen_id",),
        event_time="listened_at",
        row_rules=(ZeroWhen("seconds_played", "event_type", ("like", "playlist_add")),),
    ),
    _memberships("music", "subscription_id", "listener_id", ("individual", "duo", "family"), "subscription"),
    _billing("music", "listener_id", "subscription_id", with_orders=False),
    _reviews("music", "review_id", "listener_id", "track_id", "rating", "reviewed_at", "tracks"),
    # ---------------------------------------------------------------- Vision Mart
    _customers("mart", "shopper_id", "full_name", "email", "country", "region", "registered_at", "Shoppers",
               extra=(_c("postal_code", "string", "Postal code of the billing address.", nullable=True),)),
    SourceTable(
        line="mart",
        table="catalog",
        description=(
            "The Vision Mart marketplace catalog: one row per product listed or changed that day (new "
            "listings, price changes); the first day carries the whole catalog."
        ),
        columns=(
            _id("product_id", "Product identifier."),
            _id("sku", "Seller's stock keeping unit."),
            _c("product_name", "string", "Name of the product."),
            _c("category", "string", "Top-level category."),
            _c("subcategory", "string", "Subcategory within the category."),
            _c("brand", "string", "Brand."),
            _c("list_price", "decimal", "List price in USD.", NON_NEGATIVE),
            _c("currency", "string", "ISO 4217 currency of the list price.", CURRENCY_CODE),
            _c("updated_at", "timestamp", "When this version of the product was exported (UTC)."),
        ),
        key=("product_id",),
        event_time="updated_at",
    ),
    _orders("mart", "shopper_id", "product_id"),
    SourceTable(
        line="mart",
        table="engagement",
        description="Shopping activity on Vision Mart: product page views, wish-list adds and add-to-cart events.",
        columns=(
            _id("event_id", "Event identifier."),
            _id("shopper_id", "The shopper."),
            _id("product_id", "The product."),
            _c("event_type", "string", "view, wishlist or add_to_cart.", OneOf(("view", "wishlist", "add_to_cart"))),
            _c(
                "duration_seconds",
                "integer",
                "Seconds on the product page (0 for a wish-list or cart add).",
                NON_NEGATIVE,
            ),
            _c("occurred_at", "timestamp", "When it happened (UTC); places the row in its day."),
        ),
        key=("event_id",),
        event_time="occurred_at",
        row_rules=(ZeroWhen("duration_seconds", "event_type", ("wishlist", "add_to_cart")),),
    ),
    _memberships("mart", "membership_id", "shopper_id", ("plus_monthly", "plus_annual"), "Mart Plus membership"),
    _billing("mart", "shopper_id", "membership_id", with_orders=True),
    _reviews("mart", "review_id", "shopper_id", "product_id", "rating", "reviewed_at", "products"),
)

SOURCE_TABLES_BY_NAME: dict[str, SourceTable] = {table.name: table for table in SOURCE_TABLES}


def tables_of(line: str) -> list[SourceTable]:
    """The source tables one business line exports, in a stable order."""
    return [table for table in SOURCE_TABLES if table.line == line]
