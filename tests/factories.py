"""factory_boy factories for every model the tests build, and the few helpers that build several rows at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from tracker.models import (
    Deadline,
    Enrollment,
    Exercise,
    Feed,
    FeedPost,
    FeedSubscription,
    Item,
    Progress,
    Question,
    ReadingQueueEntry,
    Skill,
    SkillAssessment,
    StudyProfile,
    Submission,
    Track,
    User,
)
from tracker.services.reminders import reminder_schedule


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def profile(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            StudyProfile.objects.get_or_create(user=self, defaults=kwargs)

    @factory.post_generation
    def email_verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        """The address counts as verified (as for every account made before verification existed) unless
        the test passes `email_verified=False`."""
        if create and self.email and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    slug = factory.Sequence(lambda n: f"track-{n}")
    kind = Track.Kind.COURSE
    title = factory.Sequence(lambda n: f"课程 {n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    track = factory.SubFactory(TrackFactory)
    key = factory.Sequence(lambda n: f"item-{n}")
    position = factory.Sequence(lambda n: n)
    kind = Item.Kind.SECTION
    title = factory.Sequence(lambda n: f"第{n}节")
    title_en = factory.Sequence(lambda n: f"Section {n}")
    estimated_minutes = 45


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory)
    priority = 1
    start_date = dt.date(2026, 1, 1)


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progress

    user = factory.SubFactory(UserFactory)
    item = factory.SubFactory(ItemFactory)
    status = Progress.Status.DONE
    done_at = factory.LazyFunction(timezone.now)


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deadline

    title = factory.Sequence(lambda n: f"Deadline {n}")
    kind = Deadline.Kind.PERSONAL
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    key = factory.Sequence(lambda n: f"skill-{n}")
    tier = Skill.Tier.T2
    title = factory.Sequence(lambda n: f"技能 {n}")
    title_en = factory.Sequence(lambda n: f"Skill {n}")


class SkillAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillAssessment

    user = factory.SubFactory(UserFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class ReadingQueueEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingQueueEntry

    user = factory.SubFactory(UserFactory)
    item = factory.SubFactory(ItemFactory)


class ExerciseFactory(factory.django.DjangoModelFactory):
    """A database row only: grading needs a real bundle (tests use fixtures/exercises/ through exercises_sync)."""

    class Meta:
        model = Exercise
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    title = factory.Sequence(lambda n: f"Exercise {n}")
    difficulty = "easy"
    statement_md = "Add two arrays."
    starter = "def solve(a, b):\n    raise NotImplementedError\n"
    entry_point = "solve"
    signature = "def solve(a, b)"
    time_limit_s = 1.0
    memory_limit_mb = 128
    visible_cases = 3
    hidden_cases = 7
    max_score = 10.0


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    user = factory.SubFactory(UserFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    code = "def solve(a, b):\n    return a + b\n"


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    url = factory.Sequence(lambda n: f"https://blog{n}.example.org/feed")
    title = factory.Sequence(lambda n: f"Blog {n}")
    next_fetch_at = factory.LazyFunction(timezone.now)


class FeedSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedSubscription

    user = factory.SubFactory(UserFactory)
    feed = factory.SubFactory(FeedFactory)


class FeedPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedPost

    feed = factory.SubFactory(FeedFactory)
    guid_hash = factory.Sequence(lambda n: f"{n:064x}")
    title = factory.Sequence(lambda n: f"Post {n}")
    url = factory.Sequence(lambda n: f"https://blog.example.org/p/{n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    """A curated concept question (pass `owner` for a learner's own: then leave `slug` empty)."""

    class Meta:
        model = Question

    slug = factory.Sequence(lambda n: f"cuda-question-{n}")
    topic = "cuda"
    difficulty = "medium"
    directions = "deployment-sdk,operator-optimisation"
    question = factory.Sequence(lambda n: f"What does CUDA feature {n} do?")
    answer = "- It does one thing.\n- It does it fast."
    sources = factory.LazyFunction(
        lambda: [{"title": "CUDA C++ Programming Guide", "author": "NVIDIA", "url": "https://docs.nvidia.com/cuda/"}]
    )
    checked_on = dt.date(2026, 12, 2)


def make_track(n_leaves: int, title_en: str, **track: Any) -> tuple[Track, list[Item]]:
    """A track with one chapter holding `n_leaves` leaf items, in order."""
    made = TrackFactory(title_en=title_en, **track)
    chapter = ItemFactory(track=made, kind="chapter", position=0, estimated_minutes=0)
    leaves = [ItemFactory(track=made, parent=chapter, position=i + 1) for i in range(n_leaves)]
    return made, leaves


def make_learner(*, now: dt.datetime, zone: str = "UTC", hour: int = 7, **profile: Any) -> User:
    """A learner with reminders on, scheduled from `now` as sign-up would."""
    user = UserFactory(
        profile__time_zone=zone, profile__reminder_hour=hour, **{f"profile__{k}": v for k, v in profile.items()}
    )
    reminder_schedule(profile=StudyProfile.objects.get(user=user), now=now)
    return user


def timing_figures(**overrides: object) -> dict[str, object]:
    """A timing in the shape the grader reports (tracker/models/timing.py): measured, 5× the baseline."""
    speedup = overrides.get("speedup", 5.0)
    base: dict[str, object] = {
        "status": "measured",
        "speedup": speedup,
        "min_speedup": 4.0,
        "passed": True,
        "band_score": 0.75,
        "rounds": 24,
        "cv": 0.021,
        "submission_ms": {"p10": 1.9, "p50": 2.0, "p90": 2.2},
        "baseline_ms": {"p10": 9.8, "p50": 10.0, "p90": 10.5},
        "ratio": {"p10": 4.6, "p50": 5.0, "p90": 5.3},
        "roofline": {
            "bytes": 3_145_728,
            "flops": 268_435_456,
            "achieved_gbps": 1.57,
            "achieved_gflops": 134.2,
            "peak_gbps": 19.5,
            "peak_gflops": 410.0,
            "share": 0.327,
        },
        "held_for_review": False,
        "message": "",
    }
    base.update(overrides)
    return base


class TimedSubmissionFactory(SubmissionFactory):
    """A graded, accepted submission of a timed exercise, with its timing and speed-up (`speedup=`)."""

    class Params:
        ratio = 5.0

    exercise = factory.SubFactory(ExerciseFactory, timed=True)
    status = "done"
    verdict = "AC"
    score = 10.0
    max_score = 10.0
    device_kind = "cpu"
    device_name = "x86_64 (4 cores)"
    timing = factory.LazyAttribute(lambda s: timing_figures(speedup=s.ratio))
    speedup = factory.LazyAttribute(lambda s: s.ratio)
