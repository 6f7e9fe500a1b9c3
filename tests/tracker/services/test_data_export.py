"""A learner's data export covers every model they own, and importing it restores the same state."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone, translation

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ExerciseFactory,
    ItemFactory,
    QuestionFactory,
    SkillFactory,
    TrackFactory,
    UserFactory,
    timing_figures,
)
from tracker.models import (
    Deadline,
    Feed,
    FeedPost,
    FeedSubscription,
    Item,
    MockPart,
    Pattern,
    PlanEntry,
    Problem,
    ProblemAttempt,
    ProblemProgress,
    Progress,
    ReadingQueueEntry,
    ReminderDelivery,
    ReviewCard,
    ReviewLog,
    SkillAssessment,
    StudyProfile,
    Submission,
    SubmissionCaseResult,
    Track,
    User,
    Vacation,
)
from tracker.services.accounts import AccountDeletionError, account_delete
from tracker.services.data_export import EXCLUDED, EXPORTED, user_data_export
from tracker.services.data_import import DataImportError, user_data_import
from tracker.services.mock_interviews import PartScore, mock_session_score, mock_session_start
from tracker.services.questions import question_create, question_review_rate

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)


def models_owned_by_a_user() -> set[str]:
    """Every model with a foreign key or one-to-one to the user, in any app."""
    user_model = apps.get_model("tracker", "User")
    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is user_model and not field.many_to_many
    }


def test_every_model_that_belongs_to_a_learner_is_exported_or_excluded_with_a_reason():
    owned = models_owned_by_a_user()
    forgotten = owned - set(EXPORTED) - set(EXCLUDED)
    assert not forgotten, (
        f"{sorted(forgotten)} belong to a user but are neither exported nor excluded: add them to "
        "tracker/services/data_export.py (and data_import.py), or to EXCLUDED with the reason"
    )
    assert not (set(EXPORTED) | set(EXCLUDED)) - owned, "EXPORTED or EXCLUDED names a model that no longer exists"
    assert all(len(reason) > 20 for reason in EXCLUDED.values())


@pytest.fixture
def curated() -> dict[str, Any]:
    track = TrackFactory(slug="cuda-book", title="CUDA C 编程", title_en="CUDA C")
    chapter = ItemFactory(track=track, key="ch1", kind=Item.Kind.CHAPTER, position=0)
    section = ItemFactory(track=track, key="ch1.1", parent=chapter, position=1)
    feed = Feed.objects.create(url="https://blog.example.org/feed.xml", title="A blog", next_fetch_at=NOW)
    post = FeedPost.objects.create(
        feed=feed, guid_hash="a" * 64, title="Kernel fusion", url="https://blog.example.org/1"
    )
    return {
        "track": track,
        "chapter": chapter,
        "section": section,
        "skill": SkillFactory(key="cuda"),
        "exercise": ExerciseFactory(slug="vector-add"),
        "feed": feed,
        "post": post,
        "public_deadline": DeadlineFactory(key="neurips", title="NeurIPS"),
        "question": QuestionFactory(slug="cuda-warp-divergence", directions="deployment-sdk"),
        "problem": Problem.objects.create(
            slug="two-sum",
            number="1",
            title="Two Sum",
            difficulty="easy",
            pattern=Pattern.objects.create(slug="arrays-hashing", title="Arrays & Hashing", is_primary=True),
        ),
    }


def learner_with_data_everywhere(curated: dict[str, Any], username: str = "ada") -> User:
    """A learner with rows in every model EXPORTED names, on curated and own content."""
    user = UserFactory(username=username, first_name="Ada", last_name="L", email=f"{username}@example.org")
    StudyProfile.objects.filter(user=user).update(
        time_zone="Asia/Shanghai", parallel_limit=3, daily_minutes=90, rest_weekdays=[6], reminder_hour=8,
        language="zh-hans", deadline_reminder_days=[1], plan_built_on=dt.date(2026, 3, 2),
    )  # fmt: skip
    own = TrackFactory(slug="my-plan", owner=user, title="我的计划", title_en="", notes="# kept lines", kind="project")
    own.tags.add(*[curated["track"].tags.model.objects.get_or_create(slug="onnx")[0]])
    week = ItemFactory(track=own, key="w1", kind=Item.Kind.TOPIC, position=0)
    task = ItemFactory(track=own, key="w1.t1", parent=week, position=1, url="https://onnx.ai/")
    task.tags.add(own.tags.get())
    curated_enrollment = EnrollmentFactory(
        user=user, track=curated["track"], priority=1, target_date=dt.date(2026, 6, 1)
    )
    EnrollmentFactory(user=user, track=own, priority=2, status="paused", pace_unit="items", pace_per_day=2)
    Progress.objects.create(user=user, item=curated["section"], status="done", started_at=NOW, done_at=NOW,
                            note="**fused** kernels", time_spent_minutes=40)  # fmt: skip
    Progress.objects.create(user=user, item=task, status="doing", started_at=NOW)
    PlanEntry.objects.create(user=user, item=curated["section"], enrollment=curated_enrollment,
                             date=dt.date(2026, 3, 1), status="done", minutes=40)  # fmt: skip
    PlanEntry.objects.create(user=user, item=task, date=dt.date(2026, 3, 3), origin="pinned", minutes=30)
    ReviewCard.objects.create(user=user, item=curated["section"], due=NOW + dt.timedelta(days=3), state=2,
                              stability=3.2, difficulty=5.1, last_review=NOW, reps=2)  # fmt: skip
    ReviewLog.objects.create(user=user, item=curated["section"], rating=3, reviewed_at=NOW, duration_seconds=20)
    entries = [
        ReadingQueueEntry.objects.create(
            user=user, item=curated["chapter"], position=0, status="read", read_at=NOW, summary="Read it."
        ),
        ReadingQueueEntry.objects.create(
            user=user, post=curated["post"], title="Kernel fusion", url=curated["post"].url, position=1
        ),
        ReadingQueueEntry.objects.create(user=user, title="A paper", url="https://arxiv.org/abs/1", position=2),
    ]
    for i, entry in enumerate(entries):
        ReadingQueueEntry.objects.filter(pk=entry.pk).update(added_at=NOW - dt.timedelta(days=i + 1))
    DeadlineFactory(owner=user, title="Mock interview", due_at=NOW + dt.timedelta(days=9), track=own)
    DeadlineFactory(owner=user, title="Course exam", kind="exam", due_at=NOW, track=curated["track"],
                    time_zone="Asia/Shanghai")  # fmt: skip
    Vacation.objects.create(user=user, start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 7), label="Qingming")
    SkillAssessment.objects.create(user=user, skill=curated["skill"], level=3)
    FeedSubscription.objects.create(user=user, feed=curated["feed"], add_to_reading_queue=False, daily_cap=2)
    submission = Submission.objects.create(user=user, exercise=curated["exercise"], code="def solve(a, b): ...",
                                           status="done", verdict="WA", score=4.0, max_score=10.0, time_ms=12.5,
                                           memory_kb=9000, attempts=1, started_at=NOW, finished_at=NOW)  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(created_at=NOW - dt.timedelta(hours=1))
    SubmissionCaseResult.objects.create(submission=submission, case="example-1", position=0, visible=True,
                                        verdict="WA", max_points=1, message="expected 3", diff="-3\n+4")  # fmt: skip
    SubmissionCaseResult.objects.create(submission=submission, case="hidden-1", position=1, visible=False,
                                        verdict="AC", points=1, max_points=1, time_ms=3.0)  # fmt: skip
    own_question = question_create(
        user=user, question="为什么要融合算子？", answer="- 少一次访存", topic="inference-deployment",
        directions=["deployment-sdk", "compression"], source_url="https://onnx.ai/",
    )  # fmt: skip
    question_review_rate(user=user, question=curated["question"], rating="hard", now=NOW)
    question_review_rate(user=user, question=own_question, rating="easy", now=NOW, duration_seconds=15)
    for n in range(8):
        question_create(user=user, question=f"Own {n}?", answer="- a", topic="cuda", directions=["deployment-sdk"])
    mock = mock_session_start(user=user, format="concepts", level="hard", direction="deployment-sdk", now=NOW)
    mock_session_score(
        session=mock,
        scores=dict.fromkeys(range(1, 11), PartScore(communication=3, problem_solving=2, technical_competency=4,
                                                     testing=1, notes="ok")),
        notes="Slow start.",
        now=NOW + dt.timedelta(minutes=25),
    )  # fmt: skip
    ReminderDelivery.objects.create(user=user, kind="daily", local_date=dt.date(2026, 3, 2), claimed_at=NOW)
    ProblemProgress.objects.create(user=user, problem=curated["problem"], notes="Use a **hash map**.", revisit=True,
                                   status="solved", attempts_count=1, solved_alone_count=1,
                                   last_attempted_on=dt.date(2026, 3, 1), due=NOW + dt.timedelta(days=2), state=2,
                                   stability=2.3, difficulty=2.1, last_review=NOW)  # fmt: skip
    attempt = ProblemAttempt.objects.create(user=user, problem=curated["problem"], date=dt.date(2026, 3, 1),
                                            outcome="solved_alone", minutes=12, language="python",
                                            approach="One pass.", time_complexity="O(n)", space_complexity="O(n)",
                                            proposed_rating=3, rating=3)  # fmt: skip
    ProblemAttempt.objects.filter(pk=attempt.pk).update(created_at=NOW - dt.timedelta(days=1))
    # Account rows (allauth's, excluded from the export, removed with the account); the address is the factory's.
    SocialAccount.objects.create(user=user, provider="github", uid=f"gh-{username}")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    UserSession.objects.create(user=user, ip="203.0.113.1", session_key=f"s-{username}", user_agent="Firefox")
    return user


def without_volatile(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc.pop("exported_at")
    return doc


def test_the_export_holds_every_section_with_natural_keys_and_no_ids(curated):
    user = learner_with_data_everywhere(curated)
    doc = user_data_export(user=user)
    assert doc["format"] == "brainqueue-user-data" and doc["version"] == 1
    for section in EXPORTED.values():
        key = section.split(" ")[0]
        assert doc[key], f"the learner has {key}, the export has none"
    assert doc["own_tracks"][0]["items"][1] == {
        **doc["own_tracks"][0]["items"][1],
        "key": "w1.t1",
        "parent": "w1",
        "tags": ["onnx"],
    }
    assert {"track": "cuda-book", "own": False, "item": "ch1.1"}.items() <= doc["progress"][0].items()
    assert doc["submissions"][0]["exercise"] == "vector-add" and len(doc["submissions"][0]["results"]) == 2
    assert doc["feed_subscriptions"][0]["feed"] == "https://blog.example.org/feed.xml"
    text = json.dumps(doc)
    assert '"id"' not in text and "user_id" not in text
    # A public deadline is curated content, not the learner's.
    assert [d["title"] for d in doc["deadlines"]] == ["Course exam", "Mock interview"]


def test_an_export_imported_into_an_empty_account_exports_the_same_document(curated):
    user = learner_with_data_everywhere(curated)
    first = user_data_export(user=user)
    counts_before = rows_per_model(user)
    user.delete()  # the fresh instance: nothing of the learner's is left, curated content stays
    assert not Track.objects.filter(slug="my-plan").exists()

    restored = user_data_import(data=json.loads(json.dumps(first)), username="ada")

    assert without_volatile(user_data_export(user=restored)) == without_volatile(first)
    counts_after = rows_per_model(restored)
    for excluded in (
        "tracker.ReminderDelivery",
        "tracker.LearnerState",
        *(label for label in EXCLUDED if label.split(".")[0] != "tracker"),
    ):
        counts_before.pop(excluded, None)  # not exported (data_export.EXCLUDED says why)
        counts_after.pop(excluded, None)
    assert counts_after == counts_before
    assert not restored.has_usable_password()
    assert Item.objects.get(track__owner=restored, key="w1.t1").depth == 1


def test_import_can_rename_the_learner_and_give_another_address(curated):
    doc = user_data_export(user=learner_with_data_everywhere(curated))
    copy_ = user_data_import(data=doc, username="ada2", email="ada2@example.org")
    assert copy_.email == "ada2@example.org"
    assert Progress.objects.filter(user=copy_).count() == 2


def test_import_refuses_to_overwrite_an_existing_account(curated):
    doc = user_data_export(user=learner_with_data_everywhere(curated))
    with pytest.raises(DataImportError, match="an account named 'ada' exists already"):
        user_data_import(data=doc, username="ada")
    with pytest.raises(DataImportError, match=r"user\.email: another account uses"):
        user_data_import(data=doc, username="someone-else")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "format: expected 'brainqueue-user-data'"),
        (lambda d: d.update(version=99), "version: this server reads version 1"),
        (lambda d: d["progress"][1].update(status="finished"), r"progress\[1\]\.status: 'finished' is not one of"),
        (lambda d: d["progress"][0].update(item="nope"), r"progress\[0\]: track 'cuda-book' has no item 'nope'"),
        (lambda d: d["enrollments"][0].update(track="gone"), r"enrollments\[0\]: no curated track 'gone'"),
        (lambda d: d["vacations"][0].update(start_date="April"), r"vacations\[0\]\.start_date: "),
        (lambda d: d["profile"].update(time_zone="Mars/Olympus"), r"profile\.time_zone: Mars/Olympus is not a"),
        (lambda d: d["submissions"][0].update(exercise="nope"), r"submissions\[0\]\.exercise: no exercise 'nope'"),
        (lambda d: d["own_tracks"][0]["items"][0].update(parent="w1.t1"), r"own_tracks\[0\]\.items: 'w1'"),
        (lambda d: d.update(reading_queue={}), "reading_queue: expected a list"),
    ],
)
def test_a_bad_document_is_refused_naming_the_place_and_nothing_is_imported(curated, change, message):
    user = learner_with_data_everywhere(curated)
    doc = user_data_export(user=user)
    user.delete()
    change(doc)
    with pytest.raises(DataImportError, match=message):
        user_data_import(data=doc, username="ada")
    assert not User.objects.filter(username="ada").exists()
    assert not Track.objects.filter(owner__isnull=False).exists()


def rows_per_model(user: User) -> dict[str, int]:
    """How many rows each model holds that belong to `user`, directly or through a track or submission
    (by id, so it works after the account is gone)."""
    counts = {}
    for label in sorted(models_owned_by_a_user()):
        model = apps.get_model(label)
        field = next(
            f.name
            for f in model._meta.get_fields()
            if f.concrete and f.is_relation and f.related_model is User and not f.many_to_many
        )
        counts[label] = model._default_manager.filter(**{f"{field}_id": user.pk}).count()
    counts["tracker.Item (own tracks)"] = Item.objects.filter(track__owner_id=user.pk).count()
    counts["tracker.SubmissionCaseResult"] = SubmissionCaseResult.objects.filter(submission__user_id=user.pk).count()
    return counts


def test_account_deletion_removes_everything_the_learner_owns_and_nothing_else(curated):
    other = learner_with_data_everywhere(curated, username="grace")
    other_counts = rows_per_model(other)
    user = learner_with_data_everywhere(curated, username="ada")
    assert all(
        n > 0
        for label, n in rows_per_model(user).items()
        # A learner writes no exercise drafts or versions: curators do.
        if label
        not in {
            "api.ApiToken",
            "api.IdempotencyKey",
            "admin.LogEntry",
            "tracker.LearnerState",
            "tracker.ExerciseDraft",
            "tracker.ExerciseVersion",
        }
    )
    curated_rows = (Track.objects.filter(owner=None).count(), Item.objects.filter(track__owner=None).count())

    with pytest.raises(AccountDeletionError, match="password"):
        account_delete(user=user, password="wrong")
    user_id = user.pk
    account_delete(user=user, password="correct-horse-battery")
    user.pk = user_id

    assert not User.objects.filter(username="ada").exists()
    assert set(rows_per_model(user).values()) == {0}
    assert rows_per_model(other) == other_counts
    assert (Track.objects.filter(owner=None).count(), Item.objects.filter(track__owner=None).count()) == curated_rows
    assert Deadline.objects.filter(key="neurips").exists() and Feed.objects.exists()


def test_export_and_import_commands_round_trip_through_a_file(curated, tmp_path):
    user = learner_with_data_everywhere(curated)
    out = tmp_path / "ada.json"
    call_command("export_user_data", "--user", "ada", "-o", str(out))
    first = json.loads(out.read_text(encoding="utf-8"))
    user.delete()
    stdout = io.StringIO()
    call_command("import_user_data", str(out), "--username", "ada", stdout=stdout)
    assert "Imported ada" in stdout.getvalue()
    stdout = io.StringIO()
    call_command("export_user_data", "--user", "ada", stdout=stdout)
    assert without_volatile(json.loads(stdout.getvalue())) == without_volatile(first)


def test_import_command_reports_a_bad_document_without_a_traceback(curated, tmp_path):
    from django.core.management import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "brainqueue-user-data", "version": 1, "user": 3}', encoding="utf-8")
    with pytest.raises(CommandError, match="user: expected an object"):
        call_command("import_user_data", str(bad), "--username", "x")
    with pytest.raises(CommandError, match="no account named 'nobody'"):
        call_command("export_user_data", "--user", "nobody")


def test_the_export_costs_a_fixed_number_of_queries(curated, django_assert_max_num_queries):
    user = learner_with_data_everywhere(curated)
    # profile, own tracks + their tags + items (+ item tags), enrollments, progress, plan entries, cards, logs,
    # reading, deadlines, vacations, assessments, subscriptions, submissions + results, problem progress,
    # problem attempts, own questions, question cards, question reviews, mock sessions + their parts
    with django_assert_max_num_queries(24):
        user_data_export(user=user)


def test_feeds_unknown_to_the_new_server_are_created_to_be_fetched(curated):
    user = learner_with_data_everywhere(curated)
    doc = user_data_export(user=user)
    user.delete()
    Feed.objects.all().delete()
    restored = user_data_import(data=doc, username="ada")
    feed = FeedSubscription.objects.get(user=restored).feed
    assert feed.url == "https://blog.example.org/feed.xml" and feed.next_fetch_at is not None
    assert feed.next_fetch_at <= timezone.now()
    # The entry of a post this server never saw keeps its title and link.
    entry = ReadingQueueEntry.objects.get(user=restored, title="Kernel fusion")
    assert entry.post is None and entry.url == "https://blog.example.org/1"


def test_models_listed_as_owned_are_real_relations():
    for label in EXPORTED:
        assert issubclass(apps.get_model(label), models.Model)


def test_a_mock_problem_part_keeps_its_attempt_through_export_and_import(curated):
    user = UserFactory(username="lin")
    for n in range(5):
        QuestionFactory(slug=f"cuda-mixed-{n}", directions="algorithms")
    mock = mock_session_start(user=user, format="mixed", level="easy", direction="algorithms", now=NOW)
    score = PartScore(communication=3, problem_solving=3, technical_competency=3, testing=2)
    scores = dict.fromkeys(range(2, 7), score)
    scores[1] = PartScore(communication=2, problem_solving=2, technical_competency=3, testing=1, outcome="not_solved")
    mock_session_score(session=mock, scores=scores, now=NOW + dt.timedelta(minutes=40))
    doc = user_data_export(user=user)
    part = doc["mock_sessions"][0]["parts"][0]
    assert part["problem"] == "two-sum" and part["attempt"] == 0 and part["outcome"] == "not_solved"
    assert doc["problem_attempts"][0]["outcome"] == "not_solved"
    user.delete()
    restored = user_data_import(data=json.loads(json.dumps(doc)), username="lin")
    restored_part = MockPart.objects.get(session__user=restored, position=1)
    assert restored_part.attempt is not None and restored_part.attempt.user == restored
    assert without_volatile(user_data_export(user=restored)) == without_volatile(doc)


def test_lab_figures_round_trip_and_a_document_from_before_them_still_imports(curated):
    user = learner_with_data_everywhere(curated)
    result = SubmissionCaseResult.objects.filter(submission__user=user).first()
    figures = [{"name": "cosine", "value": 0.9991, "bar": 0.999, "bound": "min", "passed": True}]
    result.metrics, result.stages = figures, [{"name": "run", "verdict": "AC", "message": ""}]
    result.save()
    doc = user_data_export(user=user)
    assert figures in [r["metrics"] for r in doc["submissions"][0]["results"]]
    for submission in doc["submissions"]:
        for row in submission["results"]:
            del row["metrics"], row["stages"]  # what an export written before them holds
    restored = user_data_import(data=doc, username="ada3", email="ada3@example.org")
    assert all(
        r.metrics == [] and r.stages == [] for r in SubmissionCaseResult.objects.filter(submission__user=restored)
    )


def _timed_learner(curated: dict[str, Any], handle: str = "ada_k") -> User:
    user = learner_with_data_everywhere(curated)
    StudyProfile.objects.filter(user=user).update(public_handle=handle)
    figures = timing_figures(speedup=6.5)
    for review, timing, speedup in (("", figures, 6.5), ("rejected", figures, 6.5), ("", None, None)):
        Submission.objects.create(user=user, exercise=curated["exercise"], code="def solve(a, b): ...",
                                  status="done", verdict="AC", device_kind="gpu", device_name="NVIDIA H200",
                                  timing=timing, speedup=speedup, review=review)  # fmt: skip
    return user


def test_the_handle_and_timed_results_round_trip_and_a_speedup_from_elsewhere_waits_for_review(curated):
    doc = user_data_export(user=_timed_learner(curated))
    assert doc["profile"]["public_handle"] == "ada_k"
    timed = [s for s in doc["submissions"] if s["device_kind"] == "gpu"]
    assert [(s["review"], s["timing"] is not None) for s in timed] == [("", True), ("rejected", True), ("", False)]
    assert all("speedup" not in s and "reviewed_by" not in s for s in doc["submissions"])
    User.objects.filter(username="ada").delete()
    restored = user_data_import(data=json.loads(json.dumps(doc)), username="ada")
    assert StudyProfile.objects.get(user=restored).public_handle == "ada_k"
    rows = Submission.objects.filter(user=restored, device_kind="gpu").order_by("id")
    assert [(s.device_name, s.speedup, s.review) for s in rows] == [
        ("NVIDIA H200", 6.5, "pending"),  # measured on another server: a curator here decides
        ("NVIDIA H200", 6.5, "rejected"),
        ("NVIDIA H200", None, ""),
    ]
    assert rows[0].timing == timing_figures(speedup=6.5)


def test_a_document_from_before_handles_and_timings_still_imports(curated):
    doc = user_data_export(user=learner_with_data_everywhere(curated))
    del doc["profile"]["public_handle"]
    for submission in doc["submissions"]:
        for key in ("device_kind", "device_name", "timing", "review"):
            del submission[key]
    restored = user_data_import(data=doc, username="ada4", email="ada4@example.org")
    assert StudyProfile.objects.get(user=restored).public_handle == ""
    assert all(s.timing is None and s.review == "" for s in Submission.objects.filter(user=restored))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["profile"].update(public_handle="no spaces allowed"), "profile.public_handle: A handle has 3"),
        (lambda d: d["profile"].update(public_handle="TAKEN"), "another learner here has the handle 'TAKEN'"),
        (lambda d: d["submissions"][-1].update(timing={"status": "measured"}), "timing: missing keys"),
        (lambda d: d["submissions"][-1].update(device_kind="tpu"), "device_kind: 'tpu' is not one of"),
    ],
)
def test_a_bad_handle_or_timing_is_refused_naming_the_place(curated, change, message):
    original = _timed_learner(curated)
    doc = user_data_export(user=original)
    original.delete()  # the handle is free again: only the change below is wrong
    StudyProfile.objects.filter(user=UserFactory()).update(public_handle="taken")
    change(doc)
    # The messages matched are the English ones, whatever language an earlier test left active.
    with translation.override("en"), pytest.raises(DataImportError, match=message):
        user_data_import(data=doc, username="ada5", email="ada5@example.org")
    assert not User.objects.filter(username="ada5").exists()
