"""When reminders go out: the learner's local hour, across daylight-saving changes and in many zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from tests.factories import make_learner
from tests.tracker.reminders.conftest import Queue
from tracker.models import ReminderDelivery, StudyProfile, Vacation
from tracker.services.reminders import next_reminder_time, reminder_schedule
from tracker.services.users import study_profile_update, user_sign_up

UTC = dt.UTC


def at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("zone", "hour", "after", "expected"),
    [
        # New York springs forward on 2026-03-08 at 02:00: 07:00 is 12:00Z the day before, 11:00Z after.
        ("America/New_York", 7, dt.datetime(2026, 3, 7, 13, tzinfo=UTC), dt.datetime(2026, 3, 8, 11, tzinfo=UTC)),
        ("America/New_York", 7, dt.datetime(2026, 3, 7, 0, tzinfo=UTC), dt.datetime(2026, 3, 7, 12, tzinfo=UTC)),
        # 02:00 does not exist that night: the reminder comes at 03:00 EDT, the first hour after the gap.
        ("America/New_York", 2, dt.datetime(2026, 3, 7, 8, tzinfo=UTC), dt.datetime(2026, 3, 8, 7, tzinfo=UTC)),
        # It falls back on 2026-11-01: 01:00 happens twice; the first one (EDT) is the reminder.
        ("America/New_York", 1, dt.datetime(2026, 10, 31, 6, tzinfo=UTC), dt.datetime(2026, 11, 1, 5, tzinfo=UTC)),
        ("America/New_York", 7, dt.datetime(2026, 10, 31, 12, tzinfo=UTC), dt.datetime(2026, 11, 1, 12, tzinfo=UTC)),
        # Berlin: 2026-03-29 02:00 → 03:00 CEST; 2026-10-25 03:00 → 02:00 CET.
        ("Europe/Berlin", 2, dt.datetime(2026, 3, 28, 2, tzinfo=UTC), dt.datetime(2026, 3, 29, 1, tzinfo=UTC)),
        ("Europe/Berlin", 8, dt.datetime(2026, 3, 28, 8, tzinfo=UTC), dt.datetime(2026, 3, 29, 6, tzinfo=UTC)),
        ("Europe/Berlin", 2, dt.datetime(2026, 10, 24, 1, tzinfo=UTC), dt.datetime(2026, 10, 25, 0, tzinfo=UTC)),
        ("Europe/Berlin", 8, dt.datetime(2026, 10, 24, 7, tzinfo=UTC), dt.datetime(2026, 10, 25, 7, tzinfo=UTC)),
        # Shanghai has no daylight saving: 07:00 is always 23:00Z the day before.
        ("Asia/Shanghai", 7, dt.datetime(2026, 3, 8, 0, tzinfo=UTC), dt.datetime(2026, 3, 8, 23, tzinfo=UTC)),
        ("Asia/Shanghai", 7, dt.datetime(2026, 10, 24, 22, 59, tzinfo=UTC), dt.datetime(2026, 10, 24, 23, tzinfo=UTC)),
        # Strictly after: at the hour itself, the next one is a day later.
        ("UTC", 7, dt.datetime(2026, 3, 8, 7, tzinfo=UTC), dt.datetime(2026, 3, 9, 7, tzinfo=UTC)),
    ],
)
def test_next_reminder_keeps_the_local_hour_across_daylight_saving(zone, hour, after, expected):
    assert next_reminder_time(time_zone=zone, hour=hour, after=after) == expected


# Two days from 15:00Z, an hour at which none of the learners below is due, around each change.
WINDOWS = {
    "new-york-spring": dt.datetime(2026, 3, 7, 15, tzinfo=UTC),
    "berlin-spring": dt.datetime(2026, 3, 28, 15, tzinfo=UTC),
    "berlin-autumn": dt.datetime(2026, 10, 24, 15, tzinfo=UTC),
    "new-york-autumn": dt.datetime(2026, 10, 31, 15, tzinfo=UTC),
}


def _ticks(start: dt.datetime, days: int, every: dt.timedelta = dt.timedelta(minutes=5)):
    now = start
    while now < start + dt.timedelta(days=days):
        yield now
        now += every


@pytest.mark.django_db
@pytest.mark.parametrize("start", WINDOWS.values(), ids=WINDOWS.keys())
def test_each_learner_gets_one_email_a_day_at_the_local_hour_through_a_dst_change(queue: Queue, start):
    days = 2
    learners = {
        ("America/New_York", 2): None,  # the hour that is skipped in spring
        ("America/New_York", 1): None,  # the hour that happens twice in autumn
        ("America/New_York", 7): None,
        ("Europe/Berlin", 2): None,
        ("Europe/Berlin", 8): None,
        ("Asia/Shanghai", 7): None,
    }
    for zone, hour in learners:
        learners[zone, hour] = make_learner(now=start, zone=zone, hour=hour)
    with time_machine.travel(start, tick=False) as traveller:
        for now in _ticks(start, days):
            traveller.move_to(now)
            queue.tick()
    for (zone, hour), user in learners.items():
        sent = list(ReminderDelivery.objects.filter(user=user, kind="daily").order_by("local_date"))
        assert len(sent) == days, (zone, hour, [s.local_date for s in sent])
        assert [s.local_date for s in sent] == [sent[0].local_date + dt.timedelta(days=n) for n in range(days)]
        for delivery in sent:
            assert delivery.status == "sent" and delivery.message_id
            local = delivery.sent_at.astimezone(ZoneInfo(zone))
            assert local.date() == delivery.local_date
            # On the hour (within one tick); an hour that does not exist is sent in the next one.
            expected = dt.datetime.combine(delivery.local_date, dt.time(hour), tzinfo=ZoneInfo(zone)).astimezone(UTC)
            assert dt.timedelta(0) <= delivery.sent_at - expected < dt.timedelta(minutes=5)
    assert len(mail.outbox) == days * len(learners)


@pytest.mark.django_db
def test_learners_in_many_zones_due_in_the_same_tick_each_get_their_email(queue: Queue):
    tick = dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    before = tick - dt.timedelta(hours=1)
    zones = {
        "America/New_York": 8,  # EDT since this morning: 08:00
        "Europe/Berlin": 13,
        "Asia/Shanghai": 20,
        "Asia/Kolkata": 17,  # 17:30 local; its 17:00 came half an hour ago
        "Asia/Kathmandu": 17,  # 17:45
        "Pacific/Chatham": 1,  # 01:45 on 9 March
        "UTC": 12,
        "America/Los_Angeles": 5,
    }
    users = {zone: make_learner(now=before, zone=zone, hour=hour) for zone, hour in zones.items()}
    assert queue.tick(tick) == len(zones)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users.values())
    chatham = ReminderDelivery.objects.get(user=users["Pacific/Chatham"])
    assert chatham.local_date == dt.date(2026, 3, 9)
    # Every next reminder moved on to the next local day.
    for zone, user in users.items():
        profile = StudyProfile.objects.get(user=user)
        assert profile.next_reminder_at is not None and profile.next_reminder_at > tick
        assert profile.next_reminder_at.astimezone(ZoneInfo(zone)).hour == zones[zone]


@pytest.mark.django_db
def test_rest_days_and_vacations_get_no_daily_email(queue: Queue):
    start = dt.datetime(2026, 3, 1, 0, tzinfo=UTC)  # a Sunday
    user = make_learner(now=start, hour=7, rest_weekdays=[0])  # Mondays off
    Vacation.objects.create(user=user, start_date=dt.date(2026, 3, 4), end_date=dt.date(2026, 3, 5))
    for day in range(1, 8):
        queue.tick(dt.datetime(2026, 3, day, 7, 1, tzinfo=UTC))
    dates = sorted(ReminderDelivery.objects.filter(user=user).values_list("local_date", flat=True))
    assert [d.day for d in dates] == [1, 3, 6, 7]


@pytest.mark.django_db
def test_sign_up_and_profile_changes_recompute_the_next_reminder():
    with time_machine.travel(dt.datetime(2026, 3, 7, 20, tzinfo=UTC), tick=False):
        user = user_sign_up(username="ny", email="ny@example.org", password="x" * 12, time_zone="America/New_York")
        profile = StudyProfile.objects.get(user=user)
        assert profile.next_reminder_at == at("America/New_York", 2026, 3, 8, 7)  # after the change: 11:00Z
        profile = study_profile_update(user=user, reminder_hour=21)
        assert profile.next_reminder_at == at("America/New_York", 2026, 3, 7, 21)
        profile = study_profile_update(user=user, time_zone="Asia/Shanghai")
        assert profile.next_reminder_at == at("Asia/Shanghai", 2026, 3, 8, 21)
        profile = study_profile_update(user=user, reminders_enabled=False)
        assert profile.next_reminder_at is None
        profile = study_profile_update(user=user, reminders_enabled=True)
        assert StudyProfile.objects.get(user=user).next_reminder_at == at("Asia/Shanghai", 2026, 3, 8, 21)


@pytest.mark.django_db
def test_a_change_made_just_after_the_hour_keeps_the_reminder_due(queue: Queue):
    start = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)
    user = make_learner(now=start, hour=7)
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, 2, tzinfo=UTC), tick=False):
        study_profile_update(user=user, language="zh-hans")  # before the 07:05 tick dispatched it
    assert queue.tick(dt.datetime(2026, 3, 2, 7, 5, tzinfo=UTC)) == 1


@pytest.mark.django_db
def test_profiles_without_a_reminder_time_are_scheduled_by_the_dispatcher(queue: Queue):
    start = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)
    user = make_learner(now=start, hour=7)
    StudyProfile.objects.filter(user=user).update(next_reminder_at=None)  # made by the admin, say
    queue.tick(start)
    assert StudyProfile.objects.get(user=user).next_reminder_at == dt.datetime(2026, 3, 2, 7, tzinfo=UTC)


@pytest.mark.django_db
def test_a_reminder_whose_hour_passed_long_ago_is_skipped_not_sent_late(queue: Queue):
    user = make_learner(now=dt.datetime(2026, 3, 2, 6, tzinfo=UTC), hour=7)
    assert queue.tick(dt.datetime(2026, 3, 2, 20, tzinfo=UTC)) == 0  # the beat was down all day
    assert not mail.outbox
    assert StudyProfile.objects.get(user=user).next_reminder_at == dt.datetime(2026, 3, 3, 7, tzinfo=UTC)


def test_reminder_schedule_without_saving_only_sets_the_field():
    profile = StudyProfile(time_zone="Europe/Berlin", reminder_hour=8)
    reminder_schedule(profile=profile, now=dt.datetime(2026, 3, 28, 8, tzinfo=UTC), save=False)
    assert profile.next_reminder_at == dt.datetime(2026, 3, 29, 6, tzinfo=UTC)
