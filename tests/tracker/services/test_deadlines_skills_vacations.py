"""A learner's own deadlines, skill self-assessment, vacations and leaving a track."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import DeadlineFactory, EnrollmentFactory, ItemFactory, SkillFactory, TrackFactory, UserFactory
from tracker.models import Enrollment, PlanEntry, Progress, SkillAssessment
from tracker.services.deadlines import DeadlineError, deadline_create, deadline_delete, deadline_update, local_due
from tracker.services.enrollments import enrollment_delete
from tracker.services.planning import plan_rebuild
from tracker.services.progress import progress_mark_done
from tracker.services.skills import SkillError, skill_assess
from tracker.services.vacations import VacationError, vacation_add

pytestmark = pytest.mark.django_db


def test_a_learner_adds_edits_and_deletes_their_own_deadline():
    user = UserFactory()
    due = local_due(dt.date(2026, 6, 1), "Asia/Shanghai")
    deadline = deadline_create(user=user, title="Thesis draft", due_at=due, time_zone="Asia/Shanghai")
    assert deadline.due_at == dt.datetime(2026, 6, 1, 15, 59, tzinfo=dt.UTC)
    deadline_update(deadline=deadline, title="Thesis, full draft")
    deadline.refresh_from_db()
    assert deadline.title == "Thesis, full draft"
    with pytest.raises(DeadlineError, match="time_zone"):
        deadline_update(deadline=deadline, time_zone="Nowhere/Land")
    deadline_delete(deadline=deadline)
    with pytest.raises(DeadlineError, match="curated"):
        deadline_delete(deadline=DeadlineFactory(key="cvpr"))


def test_skill_levels_are_set_and_bounded():
    user, skill = UserFactory(), SkillFactory()
    skill_assess(user=user, skill=skill, level=2)
    skill_assess(user=user, skill=skill, level=3)
    assert SkillAssessment.objects.get(user=user, skill=skill).level == 3
    with pytest.raises(SkillError, match="0 \\(none\\)"):
        skill_assess(user=user, skill=skill, level=7)


def test_a_vacation_clears_its_days_from_the_plan(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False)
    user = UserFactory()
    track = TrackFactory()
    for i in range(10):
        ItemFactory(track=track, position=i, estimated_minutes=30)
    EnrollmentFactory(user=user, track=track, start_date=dt.date(2026, 3, 2), pace_per_day=30)
    plan_rebuild(user=user)
    assert PlanEntry.objects.filter(user=user, date=dt.date(2026, 3, 4)).exists()
    vacation_add(user=user, start_date=dt.date(2026, 3, 4), end_date=dt.date(2026, 3, 5))
    assert not PlanEntry.objects.filter(user=user, date__in=[dt.date(2026, 3, 4), dt.date(2026, 3, 5)]).exists()
    with pytest.raises(VacationError, match="ends before it starts"):
        vacation_add(user=user, start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 8))


def test_leaving_a_track_drops_its_plan_but_keeps_progress(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False)
    user = UserFactory()
    track = TrackFactory()
    items = [ItemFactory(track=track, position=i) for i in range(3)]
    enrollment = EnrollmentFactory(user=user, track=track, start_date=dt.date(2026, 3, 2))
    plan_rebuild(user=user)
    progress_mark_done(user=user, item=items[0])
    enrollment_delete(enrollment=enrollment)
    assert not Enrollment.objects.filter(user=user).exists()
    assert not PlanEntry.objects.filter(user=user, status="planned").exists()
    assert Progress.objects.get(user=user, item=items[0]).status == "done"
    assert PlanEntry.objects.filter(user=user, status="done").count() == 1
