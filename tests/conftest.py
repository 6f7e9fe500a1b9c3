"""Shared test set-up: which real services are here, and how a test asks for one.

In CI (CI=true) the suite runs on the machine's PostgreSQL and Redis, and a missing service fails
the run. Elsewhere, a test that needs one skips and says why.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI") == "true"
SQLITE_PASS = os.environ.get("BRAINQUEUE_SQLITE_PASS") == "1"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not SQLITE_PASS:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError("CI=true needs DATABASE_URL to point at PostgreSQL (see .ci/run).")
        if not _reachable(os.environ.get("DATABASE_URL", ""), 5432):
            raise pytest.UsageError("CI=true but PostgreSQL at DATABASE_URL does not answer.")
        if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
            raise pytest.UsageError("CI=true but Redis at REDIS_URL does not answer.")


def _need(what: str, ok: bool, how: str) -> None:
    if ok:
        return
    if IN_CI and not SQLITE_PASS:
        pytest.fail(f"{what} is required in CI but not available: {how}")
    pytest.skip(f"needs {what}: {how}")


@pytest.fixture
def postgres() -> None:
    """Skips (or fails in CI) unless the tests run on PostgreSQL."""
    _need(
        "PostgreSQL",
        "postgresql" in settings.DATABASES["default"]["ENGINE"],
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/brainqueue",
    )


@pytest.fixture
def redis_url() -> str:
    """The Redis URL of the test run; skips (or fails in CI) without a reachable Redis."""
    url = settings.REDIS_URL
    _need("Redis", bool(url) and _reachable(url, 6379), "set REDIS_URL=redis://127.0.0.1:6379/15")
    return url


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty default cache: no failed sign-ins or sign-ups counted (allauth's limits
    live there), and no Today kept by an earlier test (user ids and versions repeat from one test's database
    to the next, so it would otherwise match)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def exercise_bundle_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Published bundle versions unpack into a folder of the test run, never the checkout's var/."""
    settings.EXERCISE_BUNDLE_CACHE = tmp_path_factory.mktemp("exercise-bundles")
