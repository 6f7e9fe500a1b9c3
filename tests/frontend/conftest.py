"""Shared set-up of the dashboard tests: a signed-in learner, a learner with a year of data, and the
Chinese catalogue compiled from locale/ (as `make test` does) when gettext is here."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    SkillFactory,
    UserFactory,
    make_track,
)
from tracker.models import Progress, ReviewCard, ReviewLog, StudyProfile, Tag, Vacation
from tracker.services.planning import plan_rebuild

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages() -> bool:
    """Compiles the .po when its .mo is missing or older; False when msgfmt is not installed."""
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    if not po.exists():
        return False
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return True
    if shutil.which("msgfmt") is None:
        return False
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
    return True


@pytest.fixture
def learner_client(client: Client):
    learner = UserFactory(username="dee")
    client.force_login(learner)
    return learner, client


@pytest.fixture
def busy_learner(learner_client):
    """A learner with a lot of everything: 6 tracks (5 enrolled, one paused), 40 items each, a year of
    finished items and reviews, a reading queue, deadlines, skills, vacations and a plan."""
    learner, client = learner_client
    now = timezone.now()
    tag = Tag.objects.create(slug="cuda")
    skills = [SkillFactory(tier=tier) for tier in ("T3", "T3", "T2", "T1", "T0")]
    tracks = []
    for n in range(6):
        track, leaves = make_track(40, f"Track {n}")
        track.tags.add(tag)
        tracks.append((track, leaves))
        for skill in skills[n % 3 :: 2]:
            skill.tracks.add(track)
    for n, (track, leaves) in enumerate(tracks[:5]):
        EnrollmentFactory(
            user=learner,
            track=track,
            priority=n + 1,
            status="paused" if n == 4 else "active",
            start_date=(now - dt.timedelta(days=200)).date(),
            target_date=(now + dt.timedelta(days=20 + 30 * n)).date(),
        )
        for i, item in enumerate(leaves[:25]):
            ProgressFactory(
                user=learner, item=item, done_at=now - dt.timedelta(days=3 + i * 7 + n), note=f"**note** {i}"
            )
    for _track, leaves in tracks[:2]:
        for item in leaves[:5]:
            ReviewCard.objects.create(user=learner, item=item, due=now - dt.timedelta(hours=1))
            ReviewLog.objects.create(user=learner, item=item, rating=3, reviewed_at=now - dt.timedelta(days=2))
            Progress.objects.filter(user=learner, item=item).update(status="review")
    for item in tracks[0][1][30:38]:
        ReadingQueueEntryFactory(user=learner, item=item)
    for n in range(4):
        DeadlineFactory(
            owner=learner, title=f"Exam {n}", due_at=now + dt.timedelta(days=3 + 10 * n), track=tracks[n][0]
        )
    DeadlineFactory(owner=None, title="MLSys", key="mlsys", due_at=now + dt.timedelta(days=40))
    Vacation.objects.create(
        user=learner, start_date=(now + dt.timedelta(days=60)).date(), end_date=(now + dt.timedelta(days=65)).date()
    )
    StudyProfile.objects.filter(user=learner).update(daily_minutes=300)
    plan_rebuild(user=learner)
    return learner, client, tracks
