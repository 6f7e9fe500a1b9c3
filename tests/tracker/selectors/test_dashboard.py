"""Reads of the web dashboard: catalogue filters, reading queue, skills, deadlines, progress overview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    DeadlineFactory,
    ItemFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    SkillAssessmentFactory,
    SkillFactory,
    TrackFactory,
    UserFactory,
)
from tracker.models import ReviewLog, Tag
from tracker.selectors import (
    catalogue_filtered,
    catalogue_tags,
    deadlines_page,
    progress_overview,
    reading_page,
    skills_matrix,
    study_stats,
)

pytestmark = pytest.mark.django_db


def test_the_catalogue_filters_by_tag_kind_and_text_and_lists_only_curated_tags():
    user = UserFactory()
    cuda = Tag.objects.create(slug="cuda")
    hidden = Tag.objects.create(slug="private-only")
    book = TrackFactory(kind="book", title_en="CUDA by example")
    book.tags.add(cuda)
    TrackFactory(kind="course", title_en="Deep learning")
    TrackFactory(owner=user).tags.add(hidden)
    assert [t.title_en for t in catalogue_filtered(user=user, tag="cuda")] == ["CUDA by example"]
    assert [t.title_en for t in catalogue_filtered(user=user, kind="course", query="deep")] == ["Deep learning"]
    assert list(catalogue_filtered(user=user, kind="book", query="nothing")) == []
    assert [t.slug for t in catalogue_tags()] == ["cuda"]


def test_the_reading_page_puts_what_is_being_read_first_and_keeps_read_ones_apart():
    user = UserFactory()
    first = ReadingQueueEntryFactory(user=user, position=1)
    second = ReadingQueueEntryFactory(user=user, position=2, status="reading")
    done = ReadingQueueEntryFactory(user=user, position=3, status="read", read_at=timezone.now(), summary="ok")
    ReadingQueueEntryFactory(user=UserFactory(), position=1)
    to_read, read = reading_page(user=user)
    assert to_read == [second, first] and read == [done]


def test_skills_carry_the_learners_level_and_only_tracks_they_may_open():
    user = UserFactory()
    skill = SkillFactory(tier="T3")
    public, private = TrackFactory(), TrackFactory(owner=UserFactory())
    skill.tracks.add(public, private)
    SkillAssessmentFactory(user=user, skill=skill, level=3)
    SkillAssessmentFactory(skill=skill, level=1)  # someone else's
    (row,) = skills_matrix(user=user)
    assert row.my_level == 3 and row.visible_tracks == [public]


def test_deadlines_are_public_and_own_ahead_and_own_passed_within_30_days():
    user = UserFactory()
    now = timezone.now()
    mine = DeadlineFactory(owner=user, due_at=now + dt.timedelta(days=2))
    public = DeadlineFactory(owner=None, key="conf", due_at=now + dt.timedelta(days=9))
    DeadlineFactory(owner=UserFactory(), due_at=now + dt.timedelta(days=1))
    passed = DeadlineFactory(owner=user, due_at=now - dt.timedelta(days=3))
    DeadlineFactory(owner=user, due_at=now - dt.timedelta(days=40))
    assert deadlines_page(user=user, now=now) == ([mine, public], [passed])


def test_progress_overview_agrees_with_study_stats_and_counts_days_per_track():
    user = UserFactory()
    profile = user.study_profile
    profile.time_zone = "Asia/Shanghai"
    track = TrackFactory()
    items = [ItemFactory(track=track) for _ in range(3)]
    # 23:30 and 00:30 in Shanghai: two local days.
    ProgressFactory(user=user, item=items[0], done_at=dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=items[1], done_at=dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=items[2], done_at=dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC))
    ReviewLog.objects.create(user=user, item=items[0], rating=3, reviewed_at=dt.datetime(2026, 3, 3, 1, tzinfo=dt.UTC))
    today = dt.date(2026, 3, 3)
    stats, per_track = progress_overview(user=user, profile=profile, today=today)
    expected = study_stats(user=user, profile=profile, today=today)
    assert (stats.current_streak, stats.longest_streak, stats.days) == (
        expected.current_streak,
        expected.longest_streak,
        expected.days,
    )
    assert per_track == {track.pk: [(dt.date(2026, 3, 2), 1), (dt.date(2026, 3, 3), 2)]}
