"""ICS calendar feeds: a learner's private feed (plan entries as all-day events, their deadlines with
alarms) behind a secret token in the URL, and the curated public deadlines as a feed of their own.

The token is the only key to a private feed, so it is long (256 bits), compared by the database's
unique index, and can be rotated (the old URL stops working) or revoked (no feed at all) from Settings
and the API. UIDs are stable (derived from what an event is, not from row ids that re-planning
replaces), so a calendar app updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Alarm, Calendar, Event

from tracker.emails import deadline_title
from tracker.links import site_host
from tracker.models import Deadline, PlanEntry, StudyProfile, User
from tracker.selectors.reminders import calendar_deadlines, calendar_plan_entries
from tracker.services.users import study_profile_ensure

PRODID = "-//Brainqueue//Study plan//EN"


# --- Tokens ---------------------------------------------------------------------------------------------


def calendar_token_rotate(*, user: User) -> str:
    """Gives the learner a new private calendar token (the old URL stops working); returns it."""
    profile = study_profile_ensure(user=user)
    for _ in range(3):
        token = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                StudyProfile.objects.filter(pk=profile.pk).update(calendar_token=token, updated_at=timezone.now())
        except IntegrityError:  # pragma: no cover - 256 random bits do not collide
            continue
        return token
    raise RuntimeError("could not make a unique calendar token")  # pragma: no cover


def calendar_token_revoke(*, user: User) -> None:
    """Removes the learner's private calendar feed: its URL answers 404 from now on."""
    StudyProfile.objects.filter(user=user).update(calendar_token="", updated_at=timezone.now())


def calendar_feed_url(*, user: User, profile: StudyProfile | None = None) -> str | None:
    """The absolute URL of the learner's private feed, or None when they have none (see rotate).
    Pass the already loaded `profile` to spare the query."""
    if profile is not None:
        token = profile.calendar_token
    else:
        token = StudyProfile.objects.filter(user=user).values_list("calendar_token", flat=True).first() or ""
    if not token:
        return None
    return str(settings.SITE_URL) + reverse("public:calendar", args=[token])


def calendar_public_url() -> str:
    return str(settings.SITE_URL) + reverse("public:calendar-public")


# --- Rendering ------------------------------------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Calendar apps poll a feed; this asks them to look about every six hours.
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", dt.timedelta(hours=6))
    return calendar


def _deadline_event(deadline: Deadline, *, language: str, alarm_days: Iterable[int], stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"deadline-{deadline.pk}@{site_host()}")
    event.add("dtstamp", stamp)
    event.add("summary", deadline_title(deadline, language))
    # A deadline is a moment; a 30-minute event shows in every app's day view.
    event.add("dtstart", deadline.due_at.astimezone(dt.UTC))
    event.add("dtend", deadline.due_at.astimezone(dt.UTC) + dt.timedelta(minutes=30))
    event.add("last-modified", deadline.updated_at.astimezone(dt.UTC))
    event.add("categories", [deadline.get_kind_display()])
    if deadline.url:
        event.add("url", deadline.url)
    if deadline.track is not None:
        event.add("description", deadline.track.display_title())
    for days in sorted(set(alarm_days) or {1}, reverse=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", deadline_title(deadline, language))
        alarm.add("trigger", -dt.timedelta(days=days))
        event.add_component(alarm)
    return event


def _plan_event(entry: PlanEntry, *, user_id: int, stamp: dt.datetime) -> Event:
    event = Event()
    # (learner, item, date, kind) is unique (plan_entry_user_item_day_unique) and survives re-planning.
    event.add("uid", f"plan-{user_id}-{entry.item_id}-{entry.kind}-{entry.date:%Y%m%d}@{site_host()}")
    event.add("dtstamp", stamp)
    title = entry.item.display_title()
    if entry.kind == PlanEntry.Kind.REVIEW:
        title = translation.gettext("Review: %(title)s") % {"title": title}
    if entry.status == PlanEntry.Status.DONE:
        title = f"✓ {title}"
    event.add("summary", title)
    event.add("dtstart", entry.date)
    event.add("dtend", (entry.end_date or entry.date) + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # study items do not make the learner "busy"
    event.add("categories", [entry.item.track.display_title()])
    event.add("description", f"{entry.item.track.display_title()}\n{settings.SITE_URL}{reverse('frontend:home')}")
    if entry.item.url:
        event.add("url", entry.item.url)
    return event


def learner_calendar_ics(*, profile: StudyProfile, now: dt.datetime | None = None) -> bytes:
    """The learner's private feed. Two queries: plan entries with items and tracks, their deadlines."""
    now = now or timezone.now()
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    today = now.astimezone(ZoneInfo(profile.time_zone)).date()
    with translation.override(profile.language):
        calendar = _calendar(translation.gettext("Brainqueue study plan"))
        since = today - dt.timedelta(days=settings.REMINDERS_CALENDAR_PAST_DAYS)
        for entry in calendar_plan_entries(user=profile.user, since=since):
            calendar.add_component(_plan_event(entry, user_id=profile.user_id, stamp=stamp))
        for deadline in calendar_deadlines(user=profile.user):
            calendar.add_component(
                _deadline_event(
                    deadline, language=profile.language, alarm_days=profile.deadline_reminder_days or [], stamp=stamp
                )
            )
        return bytes(calendar.to_ical())


def public_calendar_ics(*, language: str = "en", now: dt.datetime | None = None) -> bytes:
    """The curated public deadlines (conferences, courses, exams). One query."""
    stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    with translation.override(language):
        calendar = _calendar(translation.gettext("Brainqueue public deadlines"))
        for deadline in calendar_deadlines(user=None):
            calendar.add_component(_deadline_event(deadline, language=language, alarm_days=[7, 1], stamp=stamp))
        return bytes(calendar.to_ical())
