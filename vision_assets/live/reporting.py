"""Telling Dagster what the live consumer wrote: runless materializations and check results.

The live tables are external assets: no run materializes them. Every ``every_s`` seconds (not every
micro-batch: the event log is for people, two batches a second would drown it) the consumer reports a
materialization of each stream it read and each live table it changed, with the counts since the last
report, and the results of the live checks (:data:`vision_assets.live.assets.LIVE_CHECKS`). Freshness in
the UI follows these reports.
"""

import logging
import time

import dagster as dg

from vision_assets.live.assets import LIVE_CHECKS, STREAM_KEYS, live_specs
from vision_assets.live.events import STREAMS
from vision_assets.live.names import LATEST_DAY_METADATA
from vision_assets.live.store import BatchResult

log = logging.getLogger(__name__)


class DagsterReporter:
    def __init__(self, instance: dg.DagsterInstance, every_s: float = 15.0):
        self.instance = instance
        self.every_s = every_s
        self._last = 0.0
        self._pending: list[BatchResult] = []

    def add(self, result: BatchResult) -> None:
        self._pending.append(result)
        if time.monotonic() - self._last >= self.every_s:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        if not self._pending:
            return
        batches, self._pending = self._pending, []
        new_events = sum(batch.new_events for batch in batches)
        metadata = {
            "micro_batches": len(batches),
            "entries_read": sum(batch.entries for batch in batches),
            "new_events": new_events,
            "repeated_events_ignored": sum(batch.repeated_events for batch in batches),
            "dead_letters": sum(batch.dead_letters for batch in batches),
            "latest_batch_visible_at": batches[-1].visible_at.isoformat(timespec="seconds"),
        }
        latest_day = max((batch.latest_event_day for batch in batches if batch.latest_event_day), default=None)
        if latest_day is not None:
            metadata[LATEST_DAY_METADATA] = latest_day.isoformat()
        try:
            for line, key in STREAM_KEYS.items():
                self.instance.report_runless_asset_event(
                    dg.AssetMaterialization(asset_key=key, metadata={"stream": STREAMS[line], "read_by": "vision-live"})
                )
            for spec in live_specs:
                self.instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=spec.key, metadata=metadata))
            for (asset, name), evaluate in LIVE_CHECKS.items():
                passed, check_metadata = evaluate()
                self.instance.report_runless_asset_event(
                    dg.AssetCheckEvaluation(
                        asset_key=asset, check_name=name, passed=passed,
                        metadata={key: dg.MetadataValue.float(value) if isinstance(value, float) else value
                                  for key, value in check_metadata.items()},
                    )
                )
        except Exception as error:  # noqa: BLE001 - reporting must never stop the lane
            log.warning("could not report the live lane to Dagster: %s", error)
