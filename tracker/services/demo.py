"""The demo accounts that `make run` creates: a learner with the plan of seed 004, a curator, an admin."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from tracker.curation.files import deadline_spec
from tracker.models import Deadline, Enrollment, Item, Progress, ReadingQueueEntry, StudyProfile, Track, User
from tracker.services.accounts import email_address_verified_set
from tracker.services.learner_state import learner_state_bump
from tracker.services.users import curator_grant


@dataclass(frozen=True)
class NewAccount:
    role: str
    username: str
    password: str


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def demo_accounts_ensure(*, demo: dict[str, Any] | None) -> list[NewAccount]:
    """Creates what is missing of the demo accounts and returns only the new ones with their passwords.

    Their addresses count as verified. Existing accounts are left exactly as they are (their passwords and
    the learner's progress), so running it again duplicates and overwrites nothing.
    """
    created: list[NewAccount] = []
    if not User.objects.filter(username="admin").exists():
        password = _new_password()
        admin = User.objects.create_superuser(username="admin", email="admin@brainqueue.localhost", password=password)
        email_address_verified_set(user=admin)
        created.append(NewAccount("superuser", "admin", password))
    if not User.objects.filter(username="curator").exists():
        password = _new_password()
        curator = User.objects.create_user(username="curator", email="curator@brainqueue.localhost", password=password)
        curator_grant(user=curator)
        email_address_verified_set(user=curator)
        created.append(NewAccount("curator", "curator", password))
    if demo is not None and not User.objects.filter(username=demo["username"]).exists():
        password = _new_password()
        learner = User.objects.create_user(
            username=demo["username"], email=f"{demo['username']}@brainqueue.localhost", password=password
        )
        email_address_verified_set(user=learner)  # so the demo's daily e-mail shows in `make run`'s console
        _fill_demo_learner(learner, demo)
        learner_state_bump(user_id=learner.pk)
        created.append(NewAccount("learner", learner.username, password))
    return created


def demo_date_offset(demo: dict[str, Any], today: dt.date) -> dt.timedelta:
    """How far to move the source plan's dates so that its last study day is yesterday.

    The plan of the source document is from 2021; moved as a whole, a new user's demo has a live
    streak, a filled heatmap and upcoming deadlines, with every interval of the original kept.
    """
    dates = [
        dt.date.fromisoformat(done["on"])
        for enrollment in demo["enrollments"]
        for done in enrollment.get("done", [])
        if isinstance(done, dict) and "on" in done
    ]
    if not dates:
        return dt.timedelta(0)
    return (today - dt.timedelta(days=1)) - max(dates)


def _fill_demo_learner(learner: User, demo: dict[str, Any]) -> None:
    spec = demo["profile"]
    profile = StudyProfile.objects.create(
        user=learner,
        time_zone=spec.get("timezone", "UTC"),
        parallel_limit=spec.get("parallel_limit", 5),
        daily_minutes=spec.get("daily_minutes", 120),
        rest_weekdays=spec.get("rest_weekdays", []),
        reminder_hour=spec.get("reminder_hour", 7),
        language=spec.get("language", "en"),
    )
    zone = ZoneInfo(profile.time_zone)
    shift = demo_date_offset(demo, timezone.now().astimezone(zone).date())

    def day(value: str) -> dt.date:
        return dt.date.fromisoformat(value) + shift

    tracks = {t.slug: t for t in Track.objects.filter(owner__isnull=True)}
    for priority, raw in enumerate(demo["enrollments"], start=1):
        track = tracks[raw["track"]]
        pace = raw.get("pace", {"unit": "minutes", "per_day": 60})
        Enrollment.objects.create(
            user=learner,
            track=track,
            priority=priority,
            status=raw.get("status", Enrollment.Status.ACTIVE),
            pace_unit=pace["unit"],
            pace_per_day=pace["per_day"],
            start_date=day(raw["start"]),
            target_date=day(raw["target"]) if "target" in raw else None,
        )
        items = {i.key: i for i in Item.objects.filter(track=track)}
        children: dict[int, list[Item]] = {}
        for item in items.values():
            if item.parent_id is not None:
                children.setdefault(item.parent_id, []).append(item)
        start = day(raw["start"])
        progress: dict[int, Progress] = {}
        for done in raw.get("done", []):
            key, on = (done, start) if isinstance(done, str) else (done["item"], day(done.get("on", raw["start"])))
            # An evening study session on the day the source plan ticked the item off.
            done_at = dt.datetime.combine(on, dt.time(20, 0), tzinfo=zone)
            # A ticked day of the source plan (a group) means every problem under it was done that day.
            for item in _with_descendants(items[key], children):
                progress.setdefault(
                    item.pk,
                    Progress(
                        user=learner,
                        item=item,
                        status=Progress.Status.DONE,
                        started_at=done_at - dt.timedelta(minutes=item.estimated_minutes),
                        done_at=done_at,
                        time_spent_minutes=item.estimated_minutes,
                    ),
                )
        Progress.objects.bulk_create(progress.values())
    slugs = set(tracks)
    for index, raw in enumerate(demo.get("deadlines", [])):
        spec_ = deadline_spec("demo.yaml", f"deadlines[{index}]", raw, slugs)
        Deadline.objects.create(
            owner=learner,
            title=spec_.title,
            title_en=spec_.title_en,
            kind=spec_.kind,
            due_at=spec_.due_at + shift,
            time_zone=spec_.time_zone,
            url=spec_.url,
            track=tracks[spec_.track] if spec_.track else None,
        )
    for position, ref in enumerate(demo.get("reading", []), start=1):
        slug, key = ref.split(":", 1)
        ReadingQueueEntry.objects.create(
            user=learner, item=Item.objects.get(track=tracks[slug], key=key), position=position
        )


def _with_descendants(item: Item, children: dict[int, list[Item]]) -> list[Item]:
    """The item and everything under it, in no particular order."""
    found, stack = [], [item]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current.pk, []))
    return found
