"""The Today page: an ETag from the learner's state, the session's CSRF secret and the language; a 304
without building the page; cached data that still renders this request's CSRF token and messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from frontend.views.today import countdown_changes
from tests.factories import DeadlineFactory, EnrollmentFactory, UserFactory, make_track
from tracker.models import User
from tracker.services.learner_state import learner_state_bump
from tracker.services.planning import plan_rebuild

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOME = "/"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def page_learner(clock: time_machine.Coordinates) -> tuple[User, Client, list[object]]:
    user: User = UserFactory(username="eve")
    track, leaves = make_track(6, "CUDA book")
    EnrollmentFactory(user=user, track=track, start_date=dt.date(2026, 3, 1), pace_per_day=90)
    plan_rebuild(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(HOME)  # the first visit makes the CSRF cookie
    return user, client, leaves


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_reload_with_the_etag_is_answered_304_from_the_profile_alone(
    page_learner: tuple[User, Client, list[object]], django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _, client, _ = page_learner
    first = client.get(HOME)
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    # session, user, the profile with both versions
    with django_assert_num_queries(3):  # type: ignore[operator]
        again = client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_cached_data_renders_a_working_csrf_token_and_costs_three_queries(
    page_learner: tuple[User, Client, list[object]],
    django_assert_num_queries: pytest.FixtureDef[object],
    django_capture_on_commit_callbacks: pytest.FixtureDef[object],
) -> None:
    _, client, leaves = page_learner
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        built = client.get(HOME).content.decode()
    # session, user, the profile with both versions; the page's data from the cache
    with django_assert_num_queries(3):  # type: ignore[operator]
        cached = client.get(HOME).content.decode()
    assert cached.count('class="entry ') == built.count('class="entry ') > 0
    token = csrf_of(cached)
    done = client.post(reverse("frontend:item-action", args=[leaves[0].pk, "done"]), {"csrfmiddlewaretoken": token})
    assert done.status_code == 302


def test_a_page_with_a_message_is_rendered_with_it_and_gets_no_etag(
    page_learner: tuple[User, Client, list[object]], django_capture_on_commit_callbacks: pytest.FixtureDef[object]
) -> None:
    _, client, leaves = page_learner
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = client.get(HOME)
    token = csrf_of(first.content.decode())
    # A bad entry writes nothing (the data stays cached) and leaves a message for the next page.
    url = reverse("frontend:item-action", args=[leaves[0].pk, "time"])
    client.post(url, {"minutes": "lots", "csrfmiddlewaretoken": token, "next": HOME})

    shown = client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"])
    assert shown.status_code == 200 and "whole number" in shown.content.decode()
    assert "ETag" not in shown
    after = client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 304, "the message was shown once; the page is the same again"


def test_a_new_csrf_secret_or_language_does_not_match_the_old_page(
    page_learner: tuple[User, Client, list[object]],
) -> None:
    user, client, _ = page_learner
    first = client.get(HOME)
    assert client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    client.cookies["django_language"] = "zh-hans"
    assert client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    del client.cookies["django_language"]
    other = Client(enforce_csrf_checks=True)
    other.force_login(user)  # another browser: its own CSRF secret
    assert other.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_write_changes_the_pages_etag(page_learner: tuple[User, Client, list[object]]) -> None:
    user, client, _ = page_learner
    first = client.get(HOME)
    learner_state_bump(user_id=user.pk)
    assert client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_pages_countdown_keeps_its_etag_and_cached_part_only_while_it_reads_the_same(
    page_learner: tuple[User, Client, list[object]],
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: pytest.FixtureDef[object],
) -> None:
    user, client, _ = page_learner
    DeadlineFactory(owner=user, title="Exam", due_at=MORNING + dt.timedelta(days=3, hours=4, minutes=30))
    learner_state_bump(user_id=user.pk)  # the factory wrote without a service
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = client.get(HOME)
    assert "3 days, 4 hours" in first.content.decode().replace("\xa0", " ")
    clock.move_to(MORNING + dt.timedelta(minutes=29))
    assert client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    clock.move_to(MORNING + dt.timedelta(minutes=31))
    later = client.get(HOME, HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200 and "3 days, 3 hours" in later.content.decode().replace("\xa0", " ")


def test_a_countdown_changes_hourly_and_by_the_minute_in_its_last_day() -> None:
    due = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    assert countdown_changes(due, due - dt.timedelta(days=2, minutes=10)) == due - dt.timedelta(days=2)
    assert countdown_changes(due, due - dt.timedelta(hours=5, seconds=70)) == due - dt.timedelta(hours=5, minutes=1)
    assert countdown_changes(due, due) == due


def test_the_cached_part_of_the_page_carries_each_browsers_own_csrf_token(
    page_learner: tuple[User, Client, list[object]], django_capture_on_commit_callbacks: pytest.FixtureDef[object]
) -> None:
    user, client, leaves = page_learner
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.get(HOME)
    other = Client(enforce_csrf_checks=True)
    other.force_login(user)
    other.get(HOME)  # makes this browser's CSRF cookie
    page = other.get(HOME).content.decode()
    day = page.split('<div id="today"', 1)[1].split("<footer", 1)[0]
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', day))
    assert len(tokens) == 1, "every form of the cached part gets this request's token"
    done = other.post(
        reverse("frontend:item-action", args=[leaves[0].pk, "done"]), {"csrfmiddlewaretoken": tokens.pop()}
    )
    assert done.status_code == 302
