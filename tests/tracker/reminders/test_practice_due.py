"""The daily e-mail lists the problem re-solves due that day (tracker/selectors/practice.py), in the learner's
language, at no extra query per e-mail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from tests.factories import make_learner
from tests.problems_support import load_sample
from tests.tracker.reminders.conftest import Queue
from tracker.models import ProblemProgress, StudyProfile
from tracker.services.problems import problem_attempt_create

BEFORE = dt.datetime(2026, 3, 2, 6, tzinfo=dt.UTC)
TICK = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "title"), [("en", "Practice due", "3Sum"), ("zh-hans", "待练习", "三数之和")]
)
def test_re_solves_due_today_are_in_the_daily_email(queue: Queue, settings, language, heading, title):
    settings.SITE_URL = "https://brainqueue.example"
    user = make_learner(now=BEFORE, hour=7, language=language)
    problems = load_sample()
    for slug in ("3sum", "two-sum"):
        problem_attempt_create(
            user=user, problem=problems[slug], outcome="not_solved", now=BEFORE - dt.timedelta(days=9)
        )
    ProblemProgress.objects.filter(user=user, problem=problems["3sum"]).update(due=TICK + dt.timedelta(hours=2))
    ProblemProgress.objects.filter(user=user, problem=problems["two-sum"]).update(due=TICK + dt.timedelta(days=2))
    StudyProfile.objects.filter(user=user).update(plan_built_on=BEFORE.date())
    assert queue.tick(TICK) == 1
    (message,) = mail.outbox
    for part in (message.body, message.alternatives[0].content):
        assert heading in part and title in part
        assert "https://brainqueue.example/interview/problems/3sum/" in part
        assert "two-sum" not in part  # due in two days, not today
    assert "25" in message.body  # its minutes (medium: 25)
