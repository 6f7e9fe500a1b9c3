"""GET /api/v1/today/: an ETag named from the learner's state, a 304 without building the body, a cached
body that a write, a new day or a passing deadline never lets go stale (tracker/today_cache.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.factories import DeadlineFactory, EnrollmentFactory, UserFactory, make_track
from tracker.models import Item, ReviewCard, StudyProfile, User
from tracker.services.learner_state import curated_content_bump, learner_state_bump
from tracker.services.planning import plan_rebuild

pytestmark = pytest.mark.django_db

# Monday 2026-03-02, 09:00 in Shanghai.
MORNING = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
URL = "/api/v1/today/"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def learner(clock: time_machine.Coordinates) -> User:
    user: User = UserFactory(username="ada", profile__time_zone="Asia/Shanghai")
    track, _ = make_track(6, "CUDA")
    EnrollmentFactory(user=user, track=track, start_date=dt.date(2026, 3, 1), pace_per_day=90)
    plan_rebuild(user=user)
    return user


@pytest.fixture
def api(learner: User) -> APIClient:
    client = client_for(learner)
    client.get(URL)  # the token's first use writes last_used_at: not what these tests count
    return client


def entry_ids(response: object) -> list[int]:
    return [e["item"]["id"] for day in response.json()["tracks"] for e in day["entries"]]  # type: ignore[attr-defined]


def test_a_refresh_with_the_etag_is_answered_from_the_profile_alone(
    api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    first = api.get(URL)
    # token; the profile with both versions
    with django_assert_num_queries(2):  # type: ignore[operator]
        again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "private, no-cache"
    assert api.get(URL, HTTP_IF_NONE_MATCH=f'"x", W/{first["ETag"]}').status_code == 304


def test_a_built_today_is_cached_and_served_as_it_was(
    api: APIClient,
    django_assert_num_queries: pytest.FixtureDef[object],
    django_capture_on_commit_callbacks: pytest.FixtureDef[object],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        built = api.get(URL)
    # token; the profile with both versions; the body comes from the cache
    with django_assert_num_queries(2):  # type: ignore[operator]
        cached = api.get(URL)
    assert cached.status_code == 200 and cached.json() == built.json() and cached["ETag"] == built["ETag"]
    assert entry_ids(cached)


def test_a_write_changes_the_etag_and_the_cached_body(
    api: APIClient, learner: User, django_capture_on_commit_callbacks: pytest.FixtureDef[object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = api.get(URL)
    item = entry_ids(first)[0]
    assert api.post(f"/api/v1/progress/{item}/done/", {}, format="json").status_code == 200

    after = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    statuses = {e["item"]["id"]: e["progress_status"] for day in after.json()["tracks"] for e in day["entries"]}
    assert statuses[item] == "done"


def test_a_curated_change_changes_every_learners_etag(api: APIClient) -> None:
    first = api.get(URL)
    curated_content_bump()
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_another_learners_etag_or_another_language_does_not_match(api: APIClient, learner: User) -> None:
    other = UserFactory(username="bob", profile__time_zone="Asia/Shanghai")
    StudyProfile.objects.filter(user=other).update(plan_built_on=dt.date(2026, 3, 2))
    theirs = client_for(other).get(URL)
    assert api.get(URL, HTTP_IF_NONE_MATCH=theirs["ETag"]).status_code == 200
    mine = api.get(URL)
    assert api.get(URL, HTTP_IF_NONE_MATCH=mine["ETag"], HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


def test_a_made_up_or_expired_tag_is_not_a_match(api: APIClient) -> None:
    tag = api.get(URL)["ETag"]
    digest, until = tag.strip('"').rsplit(".", 1)
    later = f'"{digest}.{int(until) + 3600}"'
    assert api.get(URL, HTTP_IF_NONE_MATCH=later).status_code == 200
    assert api.get(URL, HTTP_IF_NONE_MATCH='"nonsense"').status_code == 200


def test_the_etag_changes_at_local_midnight_and_the_new_day_is_planned(
    api: APIClient, learner: User, clock: time_machine.Coordinates
) -> None:
    morning = api.get(URL)
    clock.move_to(dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC))  # 23:59 in Shanghai
    assert api.get(URL, HTTP_IF_NONE_MATCH=morning["ETag"]).status_code == 304
    clock.move_to(dt.datetime(2026, 3, 2, 16, 0, 1, tzinfo=dt.UTC))  # 00:00:01 on Tuesday
    tuesday = api.get(URL, HTTP_IF_NONE_MATCH=morning["ETag"])
    assert tuesday.status_code == 200 and tuesday.json()["date"] == "2026-03-03"
    assert StudyProfile.objects.get(user=learner).plan_built_on == dt.date(2026, 3, 3)
    assert entry_ids(tuesday)


def test_a_deadline_that_passes_leaves_today_and_the_etag_changes(
    api: APIClient, learner: User, clock: time_machine.Coordinates
) -> None:
    DeadlineFactory(owner=learner, title="Quiz", due_at=MORNING + dt.timedelta(hours=3))
    learner_state_bump(user_id=learner.pk)  # the factory wrote without a service
    before = api.get(URL)
    assert [d["title"] for d in before.json()["deadlines"]] == ["Quiz"]
    clock.move_to(MORNING + dt.timedelta(hours=2, minutes=59))
    assert api.get(URL, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    clock.move_to(MORNING + dt.timedelta(hours=3, seconds=1))
    after = api.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["deadlines"] == []


def test_a_deadline_coming_within_two_weeks_enters_today_and_the_etag_changes(
    api: APIClient, clock: time_machine.Coordinates
) -> None:
    DeadlineFactory(owner=None, title="MLSys", due_at=MORNING + dt.timedelta(days=14, hours=5))  # curated
    before = api.get(URL)
    assert before.json()["deadlines"] == []
    clock.move_to(MORNING + dt.timedelta(hours=4, minutes=59))
    assert api.get(URL, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    clock.move_to(MORNING + dt.timedelta(hours=5, seconds=1))
    after = api.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and [d["title"] for d in after.json()["deadlines"]] == ["MLSys"]


def test_a_review_due_later_today_is_listed_from_the_morning_so_its_due_time_changes_nothing(
    api: APIClient, learner: User, clock: time_machine.Coordinates
) -> None:
    item = Item.objects.filter(track__enrollments__user=learner, parent__isnull=False).last()
    ReviewCard.objects.create(user=learner, item=item, due=MORNING + dt.timedelta(hours=10))  # 19:00 local
    plan_rebuild(user=learner)
    morning = api.get(URL)
    assert [r["item"]["id"] for r in morning.json()["reviews_due"]] == [item.pk]  # type: ignore[union-attr]
    clock.move_to(MORNING + dt.timedelta(hours=11))  # 20:00 local: the review's time has come
    assert api.get(URL, HTTP_IF_NONE_MATCH=morning["ETag"]).status_code == 304
