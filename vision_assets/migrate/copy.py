"""Copy every table of a warehouse to another, partition by partition, verified, resumable and idempotent.

Plain Python over two :mod:`~vision_assets.migrate.warehouses` ends, testable without Dagster. For each table
(in the order given, the asset graph's: raw first, analytics last) and each of its partitions (the days of
its partition column; the whole table when it has none):

1. the source's rows are read and fingerprinted (:mod:`~vision_assets.migrate.content`);
2. a partition the target's ledger already records with the same fingerprint is left alone, so a second run
   after a finished one changes nothing, and a run after a kill starts where the kill struck;
3. otherwise the target replaces the partition, reads it back, compares fingerprints and records it in its
   ledger in one transaction (:meth:`~vision_assets.migrate.warehouses.DuckDBWarehouse.replace`);
4. after the table, the row count of every partition is compared on both sides, so a partition the target
   holds and the source does not (a day deleted at the source) is reported too.

Any difference is reported by table and partition and makes the migration fail; the rest still goes on,
so one run reports every difference.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from vision_assets.migrate.content import Fingerprint, fingerprint
from vision_assets.migrate.warehouses import WHOLE_TABLE, LedgerEntry, Table, VerificationError


@dataclass(frozen=True)
class CopiedPartition:
    table: str
    partition: str
    """``YYYY-MM-DD``, or ``""`` for a table copied whole."""
    content: Fingerprint


@dataclass
class TableResult:
    table: str
    partitions: int = 0
    copied: list[CopiedPartition] = field(default_factory=list)
    rows: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class MigrationResult:
    source: str
    target: str
    tables: list[TableResult] = field(default_factory=list)
    views: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [problem for table in self.tables for problem in table.problems]

    @property
    def copied(self) -> list[CopiedPartition]:
        return [partition for table in self.tables for partition in table.copied]

    def summary(self) -> str:
        partitions = sum(table.partitions for table in self.tables)
        copied = len(self.copied)
        rows = sum(table.rows for table in self.tables)
        lines = [
            f"{self.source} -> {self.target}: {len(self.tables)} tables, {partitions:,} partitions, {rows:,} rows; "
            + f"{copied:,} partitions copied and verified, {partitions - copied:,} already there and unchanged."
        ]
        if self.views:
            lines.append(
                f"{len(self.views)} views not copied: dbt builds them on the target "
                f"(`dbt run --select config.materialized:view`): {', '.join(self.views)}."
            )
        if self.problems:
            lines.append(f"{len(self.problems)} differences; the migration FAILED:")
            lines += [f"  {problem}" for problem in self.problems]
        else:
            lines.append("Every table and partition matches the source: rows and content hash.")
        return "\n".join(lines)


def migrate_warehouse(
    source,
    target,
    partition_columns: Mapping[str, str] | None = None,
    order: Iterable[str] = (),
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> MigrationResult:
    """Copy every table of ``source`` to ``target`` (see the module docstring).

    ``partition_columns`` maps ``schema.table`` to the column whose day is a partition (the assets'
    ``partition_expr``); other tables are copied whole. ``order`` lists ``schema.table`` names to copy first,
    in that order. ``progress(table, partitions)`` may return a function called once per partition done.
    """
    partition_columns = {name.lower(): column for name, column in (partition_columns or {}).items()}
    rank = {name.lower(): position for position, name in enumerate(order)}
    tables, views = source.tables()
    tables = sorted(
        (table.with_partition_column(partition_columns.get(table.qualified.lower())) for table in tables),
        key=lambda table: (rank.get(table.qualified.lower(), len(rank)), table.qualified),
    )
    ledger = target.ledger()
    result = MigrationResult(source=source.name, target=target.name, views=views)
    for table in tables:
        result.tables.append(_copy_table(source, target, table, ledger, progress))
    return result


def _copy_table(source, target, table: Table, ledger: Mapping, progress) -> TableResult:
    outcome = TableResult(table=table.qualified)
    try:
        target.prepare(table)
    except ValueError as error:
        outcome.problems.append(str(error))
        return outcome
    counts = source.partitions(table)
    outcome.partitions = len(counts)
    failed: set[str] = set()  # reported once, by the verification
    done = progress(table.qualified, len(counts)) if progress else None
    for partition, count in counts.items():
        rows = source.read(table, partition)
        content = fingerprint(rows.to_pandas())
        outcome.rows += content.rows
        if content.rows != count:
            outcome.problems.append(
                f"{table.qualified} {_label(partition)}: the source changed while it was read "
                f"({count} rows counted, {content.rows} read); not copied"
            )
            failed.add(partition)
        elif ledger.get((table.qualified, partition)) != LedgerEntry(content.rows, content.content_hash):
            try:
                target.replace(table, partition, rows, content, source.name)
                outcome.copied.append(CopiedPartition(table.qualified, partition, content))
            except VerificationError as error:
                outcome.problems.append(str(error))
                failed.add(partition)
        if done:
            done()
    held = target.partitions(table)
    for partition in sorted((set(counts) | set(held)) - failed):
        if counts.get(partition, 0) != held.get(partition, 0):
            outcome.problems.append(
                f"{table.qualified} {_label(partition)}: the source has {counts.get(partition, 0)} rows, "
                f"the target {held.get(partition, 0)}"
            )
    return outcome


def _label(partition: str) -> str:
    return "(whole table)" if partition == WHOLE_TABLE else f"partition {partition}"
