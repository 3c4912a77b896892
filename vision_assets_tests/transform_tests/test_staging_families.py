"""No two business lines' staging models repeat each other: each table family's shape is one macro.

The staging models of the four lines (books, flicks, music, mart) stage the same table families (customers,
catalog, orders, engagement, memberships, billing, reviews) into one vocabulary; the shape of a family lives
once in `vision_dbt/macros/staging/<family>.sql`, and a line's model passes only what its export names
differently. A copied model drifts: a fix lands in one line and not the other three. This test fails when
two models of different lines share a run of `MIN_RUN` or more consecutive same-shape lines, naming both
files and their line numbers.

Two lines are the same shape when they are equal after this normalization:

* surrounding white space is stripped and the text lower-cased;
* every landed column that not every line's export of its table has (`customer_id`, `account_id`,
  `listener_id`, `shopper_id`; `book_id`, `track_id`; `rated_at`, `reviewed_at`; ...: read from the raw
  sources, `models/staging/__sources.yml`) becomes `<column>`: it is a line's own name for what staging
  renames into the shared vocabulary. This is coarser than a reader would be (a column only one line has,
  such as `studio` or `artist`, becomes `<column>` too), which can only make the test stricter;
* then every business-line word, also inside a name or string (`'books:'`, `books_reviews`), becomes
  `<line>`.

Blank lines, comment lines (`--`, and `{# ... #}` blocks) and lines that only configure the model
(`{{ config(...) }}`, `{{ incremental_staging_config(...) }}`) are skipped: they say nothing about the shape,
and a run may continue across them. The line numbers reported are the files' own.
"""

import itertools
import re
from collections import defaultdict
from pathlib import Path

import yaml

from vision_assets.paths import DBT_PROJECT_DIR

MIN_RUN = 6
BUSINESS_LINES = ("books", "flicks", "music", "mart")
STAGING = DBT_PROJECT_DIR / "models" / "staging"

_LINE_WORD = re.compile(r"(?<![a-z])(" + "|".join(BUSINESS_LINES) + r")(?![a-z])")
_CONFIG_ONLY = re.compile(r"^\{\{-?\s*\w*config\(.*\)\s*-?\}\}$")
_MODEL_LINE = re.compile(r"^stg_(" + "|".join(BUSINESS_LINES) + r")__")


def _line_specific_columns(sources_yml: Path) -> set[str]:
    """The landed columns that some line's export of a table has and another line's export of it lacks."""
    columns_by_table: dict[str, list[set[str]]] = defaultdict(list)
    for source in yaml.safe_load(sources_yml.read_text())["sources"]:
        for table in source["tables"]:
            _, _, family = table["name"].partition("_")
            columns_by_table[family].append({column["name"] for column in table["columns"]})
    specific: set[str] = set()
    for exports in columns_by_table.values():
        specific |= set.union(*exports) - set.intersection(*exports)
    return specific


def _normalizer(line_specific_columns: set[str]):
    columns = re.compile(
        r"(?<![a-z0-9_])(" + "|".join(sorted(map(re.escape, line_specific_columns), key=len, reverse=True))
        + r")(?![a-z0-9_])"
    )

    def normalize(line: str) -> str:
        return _LINE_WORD.sub("<line>", columns.sub("<column>", line.strip().lower()))

    return normalize


def shaped_lines(text: str, normalize) -> list[tuple[int, str]]:
    """(line number, normalized line) of every line that counts for the shape, in order."""
    kept, in_jinja_comment = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_jinja_comment:
            in_jinja_comment = "#}" not in stripped
            continue
        if stripped.startswith("{#"):
            in_jinja_comment = "#}" not in stripped
            continue
        if not stripped or stripped.startswith("--") or _CONFIG_ONLY.match(stripped):
            continue
        kept.append((number, normalize(stripped)))
    return kept


def shared_runs(first: list[tuple[int, str]], second: list[tuple[int, str]], min_run: int = MIN_RUN):
    """Every maximal run of at least ``min_run`` consecutive equal lines of the two files, as
    (length, (first's first line, first's last line), (second's first line, second's last line))."""
    runs = []
    previous = [0] * (len(second) + 1)
    for i, (_, left) in enumerate(first):
        current = [0] * (len(second) + 1)
        for j, (_, right) in enumerate(second):
            if left == right:
                current[j + 1] = previous[j] + 1
        for j in range(len(second)):
            length = current[j + 1]
            ends_here = i + 1 == len(first) or j + 1 == len(second) or first[i + 1][1] != second[j + 1][1]
            if length >= min_run and ends_here:
                first_lines = (first[i - length + 1][0], first[i][0])
                second_lines = (second[j - length + 1][0], second[j][0])
                runs.append((length, first_lines, second_lines))
        previous = current
    return sorted(runs, reverse=True)


def _business_line(path: Path) -> str:
    match = _MODEL_LINE.match(path.name)
    assert match, f"{path} is not named stg_<line>__<table>.sql"
    return match.group(1)


def repeated_runs(models: dict[str, str], line_specific_columns: set[str]) -> list[str]:
    """One message per pair of models of different lines that share a run, naming files and lines."""
    normalize = _normalizer(line_specific_columns)
    shaped = {name: shaped_lines(text, normalize) for name, text in models.items()}
    found = []
    for first, second in itertools.combinations(sorted(shaped), 2):
        if _business_line(Path(first)) == _business_line(Path(second)):
            continue
        for length, (first_start, first_end), (second_start, second_end) in shared_runs(
            shaped[first], shaped[second]
        ):
            found.append(
                f"{first}:{first_start}-{first_end} ~ {second}:{second_start}-{second_end} "
                f"({length} same-shape lines)"
            )
    return found


def test_no_two_business_lines_staging_models_share_six_same_shape_lines():
    models = {
        str(path.relative_to(DBT_PROJECT_DIR)): path.read_text() for path in sorted(STAGING.rglob("*.sql"))
    }
    assert {_business_line(Path(name)) for name in models} == set(BUSINESS_LINES)
    repeated = repeated_runs(models, _line_specific_columns(STAGING / "__sources.yml"))
    assert not repeated, (
        "staging models of different business lines repeat each other; move the shared shape into its "
        "family's macro (vision_dbt/macros/staging/) and pass what differs:\n" + "\n".join(repeated)
    )


def test_a_model_copied_to_another_line_and_renamed_is_caught():
    """The check above cannot pass by seeing nothing: a copy with the line and its column names changed,
    and a comment, a blank line and a config line inserted, is reported with both files' line numbers."""
    books = "\n".join([
        "-- Vision Books reviews.",
        "select",
        "    'books' as business_line,",
        "    'books:' || trim(review_id) as review_key,",
        "    'books:' || trim(customer_id) as account_key,",
        "    trim(customer_id) as account_id,",
        "    cast(rating as integer) as rating,",
        "    reviewed_at as occurred_at",
        "from {{ source('raw', 'books_reviews') }}",
    ])
    flicks = "\n".join([
        "{{ config(materialized='table') }}",
        "select",
        "    'flicks' as business_line,",
        "    'flicks:' || trim(rating_id) as review_key,",
        "",
        "    -- the account, as Vision Flicks names it",
        "    'flicks:' || trim(account_id) as account_key,",
        "    trim(account_id) as account_id,",
        "    cast(stars as integer) as rating,",
        "    rated_at as occurred_at",
        "from {{ source('raw', 'flicks_reviews') }}",
    ])
    columns = {
        "review_id", "rating_id", "customer_id", "account_id", "rating", "stars", "reviewed_at", "rated_at"
    }
    repeated = repeated_runs({"stg_books__reviews.sql": books, "stg_flicks__reviews.sql": flicks}, columns)
    assert repeated == ["stg_books__reviews.sql:2-9 ~ stg_flicks__reviews.sql:2-11 (8 same-shape lines)"]
    assert repeated_runs({"stg_books__reviews.sql": books, "stg_books__orders.sql": books}, columns) == []
