"""A live consumer in its own process, for the tests that kill it: ``python -m ... <redis url> <name> <delay>``.

``delay`` seconds are spent inside each micro-batch's transaction, just before it commits, so a SIGKILL
sent while it runs lands mid-batch (and, just after, between the commit and the acknowledgement).
"""

import sys
import threading
import time

from vision_assets.live.broker import connect
from vision_assets.live.consumer import LiveConsumer
from vision_assets.warehouse import live_connection


def slow_commits(delay: float):
    def connect_slowly(read_only: bool = False):
        connection = live_connection(read_only=read_only)
        commit = connection.commit

        def commit_later():
            time.sleep(delay)
            commit()

        connection.commit = commit_later
        return connection

    return connect_slowly


if __name__ == "__main__":
    url, name, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    consumer = LiveConsumer(connect(url), name, batch_size=400, connect=slow_commits(delay), reclaim_idle_ms=500,
                            reclaim_every_s=0.5)
    consumer.run(threading.Event())
