"""The database itself refuses duplicates and impossible states, whatever code writes to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ItemFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    SkillAssessmentFactory,
    TrackFactory,
    UserFactory,
)
from tracker.models import (
    Deadline,
    Enrollment,
    Item,
    Progress,
    ReadingQueueEntry,
    StudyProfile,
    Track,
    Vacation,
)

pytestmark = pytest.mark.django_db


def rejected(make) -> bool:
    """True when the database raises IntegrityError for the write."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_a_learner_enrols_in_a_track_only_once():
    enrollment = EnrollmentFactory()
    assert rejected(lambda: EnrollmentFactory(user=enrollment.user, track=enrollment.track))
    assert not rejected(lambda: EnrollmentFactory(user=enrollment.user))


def test_a_learner_has_one_progress_row_per_item():
    progress = ProgressFactory()
    assert rejected(lambda: ProgressFactory(user=progress.user, item=progress.item))


def test_curated_track_slugs_are_unique_but_learners_may_reuse_them():
    TrackFactory(slug="cuda")
    assert rejected(lambda: TrackFactory(slug="cuda"))
    learner = UserFactory()
    TrackFactory(slug="cuda", owner=learner)
    assert rejected(lambda: TrackFactory(slug="cuda", owner=learner))
    assert not rejected(lambda: TrackFactory(slug="cuda", owner=UserFactory()))


def test_item_keys_are_unique_within_a_track():
    item = ItemFactory(key="1.1")
    assert rejected(lambda: ItemFactory(track=item.track, key="1.1"))
    assert not rejected(lambda: ItemFactory(key="1.1"))


def test_unknown_kinds_and_statuses_are_refused():
    track = TrackFactory()
    assert rejected(lambda: Track.objects.filter(pk=track.pk).update(kind="podcast"))
    item = ItemFactory()
    assert rejected(lambda: Item.objects.filter(pk=item.pk).update(kind="video"))
    progress = ProgressFactory()
    assert rejected(lambda: Progress.objects.filter(pk=progress.pk).update(status="finished"))
    enrollment = EnrollmentFactory()
    assert rejected(lambda: Enrollment.objects.filter(pk=enrollment.pk).update(status="done"))


def test_a_done_item_must_say_when_it_was_done():
    assert rejected(lambda: ProgressFactory(status=Progress.Status.DONE, done_at=None))
    assert rejected(lambda: ProgressFactory(status=Progress.Status.REVIEW, done_at=None))
    assert not rejected(lambda: ProgressFactory(status=Progress.Status.DOING, done_at=None))


def test_progress_cannot_finish_before_it_started():
    now = timezone.now()
    assert rejected(lambda: ProgressFactory(started_at=now, done_at=now - dt.timedelta(minutes=1)))


def test_only_problems_have_a_difficulty():
    assert rejected(lambda: ItemFactory(kind=Item.Kind.SECTION, difficulty="easy"))
    assert not rejected(lambda: ItemFactory(kind=Item.Kind.PROBLEM, difficulty="easy"))


def test_an_item_is_not_its_own_parent():
    item = ItemFactory()
    assert rejected(lambda: Item.objects.filter(pk=item.pk).update(parent=item))


def test_enrollment_target_is_not_before_start_and_pace_is_positive():
    start = dt.date(2026, 3, 1)
    assert rejected(lambda: EnrollmentFactory(start_date=start, target_date=start - dt.timedelta(days=1)))
    assert rejected(lambda: EnrollmentFactory(pace_per_day=0))
    assert rejected(lambda: EnrollmentFactory(priority=0))


def test_study_profile_limits_are_enforced():
    user = UserFactory()
    profile = StudyProfile.objects.get(user=user)
    assert rejected(lambda: StudyProfile.objects.filter(pk=profile.pk).update(parallel_limit=0))
    assert rejected(lambda: StudyProfile.objects.filter(pk=profile.pk).update(daily_minutes=5000))
    assert rejected(lambda: StudyProfile.objects.filter(pk=profile.pk).update(reminder_hour=24))
    assert rejected(lambda: StudyProfile.objects.create(user=user))


def test_vacation_ends_after_it_starts():
    user = UserFactory()
    assert rejected(
        lambda: Vacation.objects.create(user=user, start_date=dt.date(2026, 5, 2), end_date=dt.date(2026, 5, 1))
    )


def test_reading_entries_are_unique_per_item_and_need_an_item_or_a_url():
    entry = ReadingQueueEntryFactory()
    assert rejected(lambda: ReadingQueueEntryFactory(user=entry.user, item=entry.item))
    assert rejected(lambda: ReadingQueueEntry.objects.create(user=entry.user, item=None, url=""))
    assert not rejected(lambda: ReadingQueueEntry.objects.create(user=entry.user, url="https://oldpan.me/"))
    assert rejected(lambda: ReadingQueueEntry.objects.filter(pk=entry.pk).update(status="read", read_at=None))


def test_public_deadline_keys_are_unique():
    DeadlineFactory(key="cvpr-2022")
    assert rejected(lambda: DeadlineFactory(key="cvpr-2022"))
    assert not rejected(lambda: DeadlineFactory(key="cvpr-2022", owner=UserFactory()))
    assert rejected(lambda: Deadline.objects.filter(key="cvpr-2022", owner=None).update(kind="party"))


def test_a_skill_is_assessed_once_per_learner_within_levels():
    assessment = SkillAssessmentFactory()
    assert rejected(lambda: SkillAssessmentFactory(user=assessment.user, skill=assessment.skill))
    assert rejected(lambda: SkillAssessmentFactory(level=5))


def test_two_accounts_cannot_share_an_email_in_any_case():
    UserFactory(email="Ada@Example.org")
    assert rejected(lambda: UserFactory(email="ada@example.org"))
