"""Accounts and study profiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, Unpack

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tracker.models import StudyProfile, User
from tracker.models.reminders import DEADLINE_KIND_FOR_DAYS
from tracker.services.learner_state import learner_state_bump
from tracker.services.planning import plan_rebuild
from tracker.services.reminders import reminder_schedule

CURATORS_GROUP = "Curators"


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, time_zone: str = "UTC", language: str = "en") -> User:
    """Creates a learner with their study profile, both or neither."""
    user = User.objects.create_user(username=username, email=email, password=password)
    reminder_schedule(profile=StudyProfile.objects.create(user=user, time_zone=time_zone, language=language))
    return user


def study_profile_ensure(*, user: User) -> StudyProfile:
    """The learner's profile, created with defaults for accounts made outside sign-up (createsuperuser)."""
    profile, _ = StudyProfile.objects.get_or_create(user=user)
    return profile


def curator_grant(*, user: User) -> None:
    """Lets a user into the admin to edit curated content, and nothing of learners'."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))


class StudyProfileFields(TypedDict, total=False):
    """The study settings `study_profile_update` changes, any of them."""

    time_zone: str
    parallel_limit: int
    daily_minutes: int
    rest_weekdays: list[int]
    reminder_hour: int
    reminders_enabled: bool
    language: str
    public_handle: str


PLAN_FIELDS = {"time_zone", "parallel_limit", "daily_minutes", "rest_weekdays"}
PROFILE_FIELDS = set(StudyProfileFields.__optional_keys__)


class ProfileError(Exception):
    """Settings that cannot be saved; the message names each bad field and why."""


@transaction.atomic
def study_profile_update(*, user: User, **changes: Unpack[StudyProfileFields]) -> StudyProfile:
    """Saves study settings; a change that shapes the plan (limit, budget, rest days, zone) re-plans.
    `public_handle` publishes the learner's leaderboard handle (empty: anonymous there); a handle another
    learner holds, in any case, is refused."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ProfileError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    profile = StudyProfile.objects.select_for_update().get_or_create(user=user)[0]
    for name, value in changes.items():
        setattr(profile, name, value)
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ProfileError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    reminder_schedule(profile=profile, save=False)  # zone, hour or switch may have changed
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        # full_clean checked the handle was free; another learner took it since.
        raise ProfileError("public_handle: This handle is taken: choose another.") from exc
    if PLAN_FIELDS & set(changes):
        plan_rebuild(user=user)
    learner_state_bump(user_id=user.pk)
    return profile


def reminders_unsubscribe(*, user: User) -> tuple[StudyProfile, bool]:
    """Turns the learner's reminders off (the Settings page turns them on again). Says whether they were
    on: a second click on the same link writes nothing."""
    profile = study_profile_ensure(user=user)
    if not profile.reminders_enabled:
        return profile, False
    return study_profile_update(user=user, reminders_enabled=False), True


def deadline_reminder_days_set(*, user: User, days: Sequence[int]) -> StudyProfile:
    """Chooses on which days before a deadline its reminders go out: any of 7 and 1 (none: no reminders)."""
    chosen = sorted({int(d) for d in days}, reverse=True)
    if any(d not in DEADLINE_KIND_FOR_DAYS for d in chosen):
        raise ProfileError("deadline_reminder_days: choose any of 7 and 1.")
    profile = study_profile_ensure(user=user)
    profile.deadline_reminder_days = chosen
    profile.save(update_fields=["deadline_reminder_days", "updated_at"])
    return profile
