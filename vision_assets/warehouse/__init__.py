"""Which warehouse Vision writes to: one description per backend, chosen once by ``VISION_WAREHOUSE``.

``duckdb`` (the default) is the embedded warehouse, a file under ``data/warehouse/``; ``snowflake`` is
production. A :class:`WarehouseBackend` says everything the rest of Vision needs to know about one: its IO
manager (tables written and read by the assets), its dbt target, the concurrency pool its writing steps
share, its executor, and the environment variables holding its connection settings. Code outside this
package asks the chosen backend for those, never which warehouse it is.

Layout: :mod:`.errors` (transient or final), :mod:`.schema` (identifiers and declared column schemas),
:mod:`.duckdb` and :mod:`.snowflake` (one IO manager each). The Snowflake module is imported only when it is
the chosen backend: its connector takes seconds to import.
"""

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import dagster as dg

from vision_assets.warehouse.duckdb import (
    DUCKDB_WRITER_POOL,
    DuckDBLiveConnection,
    VisionDuckDBPandasIOManager,
    duckdb_io_manager,
)
from vision_assets.warehouse.errors import (
    WAREHOUSE_RETRY_POLICY,
    FailFastIOManager,
    LiveLaneNotStarted,
    fail_fast_unless_transient,
    final_unless_transient,
    is_transient,
)
from vision_assets.warehouse.schema import checked_identifier, declared_columns, plan_schema_change

__all__ = [
    "BACKENDS",
    "WAREHOUSE_RETRY_POLICY",
    "FailFastIOManager",
    "LiveConnection",
    "LiveLaneNotStarted",
    "VisionDuckDBPandasIOManager",
    "WarehouseBackend",
    "backend_for_dbt_target",
    "checked_identifier",
    "current_warehouse",
    "declared_columns",
    "fail_fast_unless_transient",
    "final_unless_transient",
    "is_transient",
    "live_connection",
    "plan_schema_change",
    "snowflake_io_manager",
    "warehouse_executor",
    "warehouse_io_manager",
    "warehouse_pool",
]


@dataclass(frozen=True)
class WarehouseBackend:
    """Everything about one warehouse that the assets, dbt and the executor depend on."""

    name: str
    """Shown as the kind of every table asset, e.g. ``duckdb``."""
    description: str
    io_manager: Callable[[], dg.ConfigurableIOManagerFactory]
    dbt_target: str
    """The target of ``vision_dbt/profiles.yml`` that builds the same tables."""
    pool: str | None
    """The concurrency pool every step opening the warehouse takes a slot of, if the backend needs one."""
    executor: dg.ExecutorDefinition
    settings: tuple[str, ...]
    """The environment variables its connection settings are read from (credentials included)."""
    table_metadata_from_dbt_log: bool
    """Whether dbt logs each table's row count and columns itself (no in-process dbt adapter is built while
    dbt holds the warehouse), or Dagster fetches them through dbt's adapter after the build."""
    live_connection: Callable[..., "LiveConnection"]
    """Opens the live lane's tables (``live_connection(read_only=False)``): where they live, how a batch is
    staged and committed (:mod:`vision_assets.live.store`)."""


class LiveConnection(Protocol):
    """What the live store needs of a warehouse connection; each backend module has one."""

    def execute(self, sql: str, parameters: list | None = None) -> None: ...
    def query(self, sql: str, parameters: list | None = None): ...
    def stage(self, name: str, frame) -> None: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


def _snowflake_live_connection(read_only: bool = False) -> LiveConnection:
    from vision_assets.warehouse.snowflake import SnowflakeLiveConnection

    return SnowflakeLiveConnection(read_only=read_only)


def _snowflake_io_manager() -> dg.ConfigurableIOManagerFactory:
    from vision_assets.warehouse.snowflake import snowflake_io_manager as configured

    return configured()


BACKENDS = {
    "duckdb": WarehouseBackend(
        name="duckdb",
        description="the embedded DuckDB file under VISION_DATA_DIR (one writing process at a time)",
        io_manager=duckdb_io_manager,
        dbt_target="duckdb",
        pool=DUCKDB_WRITER_POOL,
        # Its writing steps cannot run side by side anyway: in-process saves a process start per step.
        executor=dg.in_process_executor,
        settings=("VISION_DATA_DIR", "VISION_DUCKDB_PATH", "VISION_LIVE_DUCKDB_PATH"),
        table_metadata_from_dbt_log=True,
        live_connection=DuckDBLiveConnection,
    ),
    "snowflake": WarehouseBackend(
        name="snowflake",
        description="Snowflake, the account named by the SNOWFLAKE_* variables",
        io_manager=_snowflake_io_manager,
        dbt_target="snowflake",
        pool=None,
        executor=dg.multiprocess_executor,
        settings=(
            "SNOWFLAKE_ACCOUNT",
            "SNOWFLAKE_USER",
            "SNOWFLAKE_PASSWORD",
            "SNOWFLAKE_PRIVATE_KEY_PATH",
            "SNOWFLAKE_PRIVATE_KEY_PASSWORD",
            "SNOWFLAKE_DATABASE",
            "SNOWFLAKE_WAREHOUSE",
            "SNOWFLAKE_ROLE",
            "SNOWFLAKE_HOST",
            "SNOWFLAKE_PORT",
            "SNOWFLAKE_PROTOCOL",
        ),
        table_metadata_from_dbt_log=False,
        live_connection=_snowflake_live_connection,
    ),
}


@functools.cache
def current_warehouse() -> WarehouseBackend:
    """The backend ``VISION_WAREHOUSE`` names (``duckdb`` when unset), read once per process."""
    name = os.environ.get("VISION_WAREHOUSE", "duckdb").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"VISION_WAREHOUSE={name!r} is not one of {', '.join(BACKENDS)}")
    return BACKENDS[name]


def backend_for_dbt_target(target: str) -> WarehouseBackend:
    """The backend a dbt target of ``vision_dbt/profiles.yml`` builds."""
    (backend,) = [backend for backend in BACKENDS.values() if backend.dbt_target == target]
    return backend


def warehouse_io_manager() -> dg.ConfigurableIOManagerFactory:
    """The chosen backend's IO manager: every table asset is written and read through it."""
    return current_warehouse().io_manager()


def warehouse_pool() -> str | None:
    """The concurrency pool of steps that open the chosen warehouse (None when it needs none)."""
    return current_warehouse().pool


def warehouse_executor() -> dg.ExecutorDefinition:
    return current_warehouse().executor


def live_connection(read_only: bool = False) -> LiveConnection:
    """A connection to the live lane's tables on the chosen warehouse."""
    return current_warehouse().live_connection(read_only=read_only)


def snowflake_io_manager() -> dg.ConfigurableIOManagerFactory:
    """Snowflake's IO manager whichever backend is chosen (the tests point it at fakesnow)."""
    return _snowflake_io_manager()
