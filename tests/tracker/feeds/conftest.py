"""The local feed server and settings that let the fetcher reach it (only in tests that ask)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.tracker.feeds.server import FeedServer
from tracker.feeds.fetch import FetchConfig


@pytest.fixture(scope="session")
def _feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def feed_server(_feed_server: FeedServer) -> Iterator[FeedServer]:
    """The running server with no routes; whatever a test adds is gone after it."""
    _feed_server.reset()
    yield _feed_server
    _feed_server.reset()


@pytest.fixture
def fast_feeds(settings: Any) -> Any:
    """Short timeouts and a small body cap keep the suite quick; private addresses stay refused."""
    settings.FEEDS_CONNECT_TIMEOUT = 1.0
    settings.FEEDS_TOTAL_TIMEOUT = 2.0
    settings.FEEDS_FETCH_CONCURRENCY = 4
    settings.FEEDS_ALLOWED_PRIVATE_HOSTS = []
    return settings


@pytest.fixture
def local_feeds(fast_feeds: Any) -> Any:
    """Allows the local server's host, as a developer's FEEDS_ALLOWED_PRIVATE_HOSTS would."""
    fast_feeds.FEEDS_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost"]
    return fast_feeds


@pytest.fixture
def local_config() -> FetchConfig:
    """A FetchConfig for the pure fetcher that may reach the local server."""
    return FetchConfig(
        user_agent="Brainqueue-test",
        connect_timeout=1.0,
        total_timeout=2.0,
        allowed_private_hosts=("127.0.0.1", "localhost"),
    )
