"""API test set-up: fresh throttle counters per test, learners with device tokens, an API client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from api.throttling import AnonThrottle, AuthThrottle, UserThrottle
from tests.factories import UserFactory
from tracker.models import User
from tracker.services.tokens import api_token_create


@pytest.fixture(autouse=True)
def fresh_throttle_counters(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocMemCache]:
    """Each test counts requests from zero, in memory: never a developer's or CI's Redis."""
    cache = LocMemCache(f"throttle-{id(monkeypatch)}", {})
    for throttle in (UserThrottle, AnonThrottle, AuthThrottle):
        monkeypatch.setattr(throttle, "cache", cache)
    yield cache
    cache.clear()


def client_for(user: User, device: str = "test phone") -> APIClient:
    _, secret = api_token_create(user=user, device_name=device)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def learner(db: None) -> User:
    user: User = UserFactory(username="ada")
    return user


@pytest.fixture
def other_learner(db: None) -> User:
    user: User = UserFactory(username="bob")
    return user


@pytest.fixture
def api(learner: User) -> APIClient:
    return client_for(learner)


@pytest.fixture
def other_api(other_learner: User) -> APIClient:
    return client_for(other_learner)
