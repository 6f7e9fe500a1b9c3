"""schemathesis against the live schema, through the WSGI app: no 5xx, and no response that breaks the
schema (status codes, content types, headers, bodies). Bounded: a few examples per operation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    FeedFactory,
    FeedPostFactory,
    FeedSubscriptionFactory,
    ItemFactory,
    SkillFactory,
    TrackFactory,
    UserFactory,
)
from tracker.feeds.discover import Discovery
from tracker.models import Deadline, Enrollment, Feed, FeedPost, FeedSubscription, Item, Skill, Track, User
from tracker.services.tokens import api_token_create

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": 8},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Business rules (a wrong password, a file that is not a plan, a vacation over a year) are not
        # expressible in JSON Schema, so a schema-valid request may rightly get a 400 problem.
        # An empty filter value (`?status=`) means "no filter", django-filter's convention, though the
        # schema's enum lists only real values.
        "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
    }
)


# Loading the schema needs no database: drf-spectacular builds it from the URL conf.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The real WSGI handler closes the database connection after each request, which would end the
    test's transaction on PostgreSQL; Django's own test client holds this signal off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_feed_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subscribing discovers a feed over HTTP: here every address has none, and nothing leaves the machine."""
    monkeypatch.setattr(
        "tracker.services.feeds.discover",
        lambda client, url, config, now=None: Discovery("", None, None, error="no network in tests"),
    )


@pytest.fixture
def token(db: None) -> str:
    """A learner with a little of everything, so generated ids sometimes hit real rows."""
    user: User = UserFactory(username="fuzz")
    track = TrackFactory(pk=1)
    ItemFactory(track=track, pk=1)
    EnrollmentFactory(user=user, track=track, pk=1)
    DeadlineFactory(owner=user, pk=1)
    SkillFactory(pk=1)
    feed = FeedFactory(pk=1, is_curated=True, curated_slug="oldpan")
    FeedSubscriptionFactory(user=user, feed=feed, pk=1)
    FeedPostFactory(feed=feed, pk=1)
    # Rows made with explicit ids leave PostgreSQL's sequences behind: without this, a fuzzed POST that
    # creates a row would be given id 1 again and fail on the primary key.
    made = [Track, Item, Enrollment, Deadline, Skill, Feed, FeedSubscription, FeedPost]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), made):
            cursor.execute(sql)
    return api_token_create(user=user, device_name="fuzzer")[1]


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,  # the same cases on every run: CI stays reproducible
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_errors_and_keeps_to_its_schema(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
