"""ICS feeds: a learner's private one behind a secret token, the public deadlines; parsed back with icalendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from tests.factories import DeadlineFactory, EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import PlanEntry
from tracker.services.calendar_feed import calendar_feed_url, calendar_token_revoke, calendar_token_rotate

UTC = dt.UTC


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def planned(db):
    user = UserFactory(profile__language="en")
    track = TrackFactory(title_en="CUDA C")
    enrollment = EnrollmentFactory(user=user, track=track)
    today = dt.datetime.now(UTC).date()
    for n in range(3):
        PlanEntry.objects.create(
            user=user,
            item=ItemFactory(track=track, title_en=f"Chapter {n}"),
            enrollment=enrollment,
            date=today + dt.timedelta(days=n),
        )
    PlanEntry.objects.create(
        user=user,
        item=ItemFactory(track=track, title_en="Long project"),
        date=today,
        end_date=today + dt.timedelta(days=2),
        kind=PlanEntry.Kind.NEW,
    )
    due = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=10)
    DeadlineFactory(owner=user, title_en="Thesis draft", due_at=due, url="https://example.org/thesis")
    DeadlineFactory(owner=None, key="neurips", title_en="NeurIPS abstracts", due_at=due)
    DeadlineFactory(owner=UserFactory(), title_en="Someone else's")
    return user


@pytest.mark.django_db
def test_the_private_feed_has_plan_entries_as_all_day_events_and_deadlines_with_alarms(client: Client, planned):
    token = calendar_token_rotate(user=planned)
    assert len(token) >= 40
    url = calendar_feed_url(user=planned)
    assert url == f"http://127.0.0.1:8000/calendar/{token}.ics"
    response = client.get(path_of(url))
    calendar = parse(response)
    assert response["X-Robots-Tag"].startswith("noindex")
    assert str(calendar["X-WR-CALNAME"]) == "Brainqueue study plan"
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    found = {str(e["SUMMARY"]): e for e in events(calendar)}
    assert set(found) == {"Chapter 0", "Chapter 1", "Chapter 2", "Long project", "Thesis draft"}
    chapter = found["Chapter 1"]
    assert chapter.decoded("DTSTART") == dt.datetime.now(UTC).date() + dt.timedelta(days=1)  # VALUE=DATE
    assert chapter.decoded("DTEND") == dt.datetime.now(UTC).date() + dt.timedelta(days=2)
    assert b"DTSTART;VALUE=DATE:" in response.content
    assert found["Long project"].decoded("DTEND") == dt.datetime.now(UTC).date() + dt.timedelta(days=3)
    deadline = found["Thesis draft"]
    assert isinstance(deadline.decoded("DTSTART"), dt.datetime)
    triggers = sorted(a.decoded("TRIGGER") for a in deadline.walk("VALARM"))
    assert triggers == [dt.timedelta(days=-7), dt.timedelta(days=-1)]  # the learner's reminder days
    assert str(deadline["URL"]) == "https://example.org/thesis"
    # Every event has a UID and a DTSTAMP, and UIDs are unique.
    uids = [str(e["UID"]) for e in events(calendar)]
    assert len(set(uids)) == len(uids) and all(e.get("DTSTAMP") for e in events(calendar))


@pytest.mark.django_db
def test_uids_stay_the_same_when_the_plan_is_rebuilt(client: Client, planned):
    calendar_token_rotate(user=planned)
    url = path_of(calendar_feed_url(user=planned) or "")
    first = sorted(str(e["UID"]) for e in events(parse(client.get(url))))
    entries = list(PlanEntry.objects.filter(user=planned).values())
    PlanEntry.objects.filter(user=planned).delete()  # re-planning replaces the rows
    for row in entries:
        row.pop("id")
        PlanEntry.objects.create(**row)
    assert sorted(str(e["UID"]) for e in events(parse(client.get(url)))) == first


@pytest.mark.django_db
def test_rotating_or_revoking_the_token_closes_the_old_url(client: Client, planned):
    assert calendar_feed_url(user=planned) is None
    assert client.get("/calendar/nothing-here.ics").status_code == 404
    calendar_token_rotate(user=planned)
    old = path_of(calendar_feed_url(user=planned) or "")
    assert client.get(old).status_code == 200
    calendar_token_rotate(user=planned)
    new = path_of(calendar_feed_url(user=planned) or "")
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    calendar_token_revoke(user=planned)
    assert calendar_feed_url(user=planned) is None
    assert client.get(new).status_code == 404


@pytest.mark.django_db
def test_the_feed_costs_a_fixed_number_of_queries(client: Client, planned, django_assert_max_num_queries):
    calendar_token_rotate(user=planned)
    url = path_of(calendar_feed_url(user=planned) or "")
    # the profile by token (with its user), the plan entries with items and tracks, the deadlines.
    with django_assert_max_num_queries(3):
        parse(client.get(url))


@pytest.mark.django_db
def test_the_public_feed_has_the_curated_deadlines_only(client: Client, planned):
    response = client.get(reverse("public:calendar-public"))
    calendar = parse(response)
    assert [str(e["SUMMARY"]) for e in events(calendar)] == ["NeurIPS abstracts"]
    assert str(calendar["X-WR-CALNAME"]) == "Brainqueue public deadlines"
    assert events(calendar)[0].walk("VALARM")
    assert "public" in response["Cache-Control"]
