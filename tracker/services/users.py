"""Accounts and study profiles."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from tracker.models import StudyProfile, User

CURATORS_GROUP = "Curators"


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, time_zone: str = "UTC", language: str = "en") -> User:
    """Creates a learner with their study profile, both or neither."""
    user = User.objects.create_user(username=username, email=email, password=password)
    StudyProfile.objects.create(user=user, time_zone=time_zone, language=language)
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
