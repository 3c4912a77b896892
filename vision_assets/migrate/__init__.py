"""Moving the warehouse: every table copied, verified, resumable and recorded (``vision migrate``).

:func:`migrate_warehouse` is the pure entry point, over two ends opened by :func:`open_warehouse`
(a DuckDB file or the Snowflake account); :mod:`.cli` adds the asset graph's order and partitions and the
record in the Dagster instance. See docs/warehouses.md, "Moving the warehouse".
"""

from vision_assets.migrate.content import Fingerprint, fingerprint
from vision_assets.migrate.copy import MigrationResult, migrate_warehouse
from vision_assets.migrate.warehouses import open_warehouse

__all__ = ["Fingerprint", "MigrationResult", "fingerprint", "migrate_warehouse", "open_warehouse"]
