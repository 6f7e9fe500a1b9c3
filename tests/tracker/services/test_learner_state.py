"""Every write service raises the version of what it changes (tracker/services/learner_state.py).

`test_every_service_bumps_the_version_or_says_why_it_cannot_change_today` finds all public functions
of the modules in tracker/services/ and calls each one that is not on ALLOWED in a scenario of its own:
a new service fails the test, named, until it bumps or is allowed with a reason.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.utils import timezone

import tracker.services
from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    FeedPostFactory,
    FeedSubscriptionFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    UserFactory,
    make_track,
)
from tracker.curation.files import CuratedContent, read_curated_content
from tracker.curation.questions import read_questions
from tracker.feeds.fetch import FetchResult, Outcome
from tracker.feeds.parse import ParsedEntry, ParsedFeed
from tracker.models import (
    Deadline,
    Enrollment,
    LearnerState,
    MockSession,
    Pattern,
    Problem,
    ProblemAttempt,
    Question,
    ReadingQueueEntry,
    StudyProfile,
    User,
    Vacation,
)
from tracker.services import (
    curation,
    data_export,
    data_import,
    deadlines,
    demo,
    enrollments,
    feeds,
    learner_state,
    mock_interviews,
    plan_import,
    planning,
    priorities,
    problems,
    progress,
    progress_status,
    questions,
    reading,
    replanning,
    reviews,
    users,
    vacations,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "interview_sample"

READS = "reads or computes; writes nothing"
SUBSCRIPTIONS = (
    "feed subscriptions are not on Today; their posts reach the reading queue only through a fetch, stored "
    "by feed_fetch_result_store, which bumps"
)
REMINDERS = "the reminder e-mails' schedule and deliveries; Today shows none of it"
EXERCISES = "exercises and their grading; Today and the plan show no exercise"

# Public services that cannot change any learner's Today, the plan or a page's bundle, each with why.
ALLOWED: dict[str, str] = {
    "accounts.account_profile_start": "makes the profile of a new account, before it has any Today",
    "accounts.email_address_verified_set": "whether reminders may be e-mailed; Today does not show it",
    "accounts.email_is_verified": READS,
    "accounts.login_attempts_key": READS,
    "accounts.password_sign_in": "signs in (counts failures in the cache); Today is unchanged",
    "accounts.sign_in_lock_seconds": READS,
    "accounts.sign_in_notice_send": "sends an e-mail; Today is unchanged",
    "accounts.two_factor_check": READS,
    "accounts.two_factor_enabled": READS,
    "accounts.user_session_end": "ends a browser's session; Today is unchanged",
    "planning.replan_due_at": READS,
    "replanning.replans_dispatch": "claims learners and queues their re-plans (replans_run re-plans and bumps)",
    "accounts.account_delete": "deletes the learner and their state row with them: no Today of them is left",
    "calendar_feed.calendar_token_rotate": "the calendar link's secret; Today does not show it",
    "calendar_feed.calendar_token_revoke": "the calendar link's secret; Today does not show it",
    "calendar_feed.calendar_feed_url": READS,
    "calendar_feed.calendar_public_url": READS,
    "calendar_feed.learner_calendar_ics": READS,
    "calendar_feed.public_calendar_ics": READS,
    "data_export.dump_value": READS,
    "data_export.dump_fields": READS,
    "data_export.track_ref": READS,
    "data_export.item_ref": READS,
    "data_export.user_data_export": READS,
    "data_export.user_data_filename": READS,
    "deadlines.local_due": READS,
    "demo.demo_date_offset": READS,
    "exercises.exercises_sync": EXERCISES,
    "exercises.exercise_bundle": READS,
    "exercises.grading_time_limits": READS,
    "exercises.grading_uses_gpu": READS,
    "exercises.submission_create": EXERCISES,
    "exercises.submission_enqueue": EXERCISES,
    "exercises.submission_regrade": EXERCISES,
    "exercises.submission_grade": EXERCISES,
    "exercises.bundle_toolchains": READS,
    "exercises.missing_toolchains_message": READS,
    "exercises.version_cache_folder": READS,
    "exercises.version_bundle_folder": "unpacks a version's bundle into this machine's cache; no row changes",
    "exercises.version_cache_fill": "copies a validated bundle into this machine's cache; no row changes",
    "exercises.exercise_public_fields_apply": EXERCISES,
    "exercises.exercise_version_next": EXERCISES,
    "exercises.bundle_is_timed": READS,
    "leaderboards.submission_reviews_decide": "a curator's decision on a held speed-up: leaderboards show it, "
    "Today and the plan do not",
    "exercise_drafts.exercise_draft_upload": EXERCISES + " (a draft no learner sees)",
    "exercise_drafts.exercise_draft_edit": EXERCISES + " (a draft no learner sees)",
    "exercise_drafts.exercise_draft_validate": EXERCISES,
    "feeds.fetch_config": READS,
    "feeds.politeness": READS,
    "feeds.normalise_url": READS,
    "feeds.feed_subscribe": SUBSCRIPTIONS + " (a new feed's first fetch is stored the same way)",
    "feeds.feed_subscribe_curated": SUBSCRIPTIONS,
    "feeds.feed_subscription_update": SUBSCRIPTIONS,
    "feeds.feed_unsubscribe": SUBSCRIPTIONS + "; queued posts stay",
    "feeds.opml_import": SUBSCRIPTIONS,
    "feeds.opml_export": READS,
    "feeds.feeds_claim_due": "claims feeds for fetching; no learner's rows",
    "feeds.feed_claim": "claims a feed for fetching; no learner's rows",
    "feeds.feeds_dispatch": "claims feeds and enqueues their fetches; no learner's rows",
    "feeds.feed_refresh": "claims a feed and enqueues its fetch; no learner's rows",
    "feeds.feeds_fetch": "the network part; each result is stored by feed_fetch_result_store, which bumps",
    "feeds.feed_gone_notify": "sends e-mail only",
    "heartbeats.worker_heartbeat_record": "a worker's heartbeat for the health check",
    "plan_export.plan_markdown_document": READS,
    "plan_export.plan_markdown_export": READS,
    "plan_import.deadline_kind_for": READS,
    "plan_import.plan_import_today": READS,
    "planning.review_minutes": READS,
    "probes.probe_keys": READS,
    "problems.import_error_message": READS,
    "probes.probe_run": "a health probe's own keys in Redis",
    "reminders.next_reminder_time": READS,
    "reminders.reminder_schedule": REMINDERS,
    "reminders.reminders_schedule_missing": REMINDERS,
    "reminders.is_study_day": READS,
    "reminders.deadline_reminder_kind": READS,
    "reminders.reminders_dispatch": REMINDERS,
    "reminders.reminders_send": REMINDERS,
    "schedules.periodic_tasks_ensure": "the periodic jobs' schedules",
    "skills.skill_assess": "self-assessed skill levels show on the Skills page, not on Today or the plan",
    "tokens.api_token_create": "device tokens",
    "tokens.api_tokens_for": READS,
    "tokens.api_token_revoke": "device tokens",
    "tokens.api_tokens_purge_expired": "device tokens",
    "users.user_sign_up": "a new account: no Today of it was named before (its version starts from 0)",
    "users.study_profile_ensure": "creates the default profile that Today assumes when there is none",
    "users.curator_grant": "staff permissions",
    "users.deadline_reminder_days_set": REMINDERS,
    "questions.rating_from_scores": READS,
    "questions.learner_today": READS,
}


def public_services() -> list[str]:
    names = []
    for module_info in pkgutil.iter_modules(tracker.services.__path__):
        module = importlib.import_module(f"tracker.services.{module_info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            names.append(f"{module_info.name}.{name}")
    return sorted(names)


# A scenario prepares what the service needs, calls it, and returns whose version must have gone up
# (None: the curated content's).
Scenario = Callable[[User], "int | None"]


def _enrolled(user: User, n_items: int = 3) -> Enrollment:
    track, _leaves = make_track(n_items, "Track")
    enrollment: Enrollment = EnrollmentFactory(user=user, track=track, start_date=timezone.localdate())
    planning.plan_rebuild(user=user)
    return enrollment


def _leaf(user: User) -> object:
    return _enrolled(user).track.items.filter(parent__isnull=False).order_by("position").first()


def _done_leaf(user: User) -> object:
    item = _leaf(user)
    ProgressFactory(user=user, item=item)
    return item


def _own_deadline(user: User) -> Deadline:
    deadline: Deadline = DeadlineFactory(owner=user)
    return deadline


def _entry(user: User) -> ReadingQueueEntry:
    ReadingQueueEntryFactory(user=user, position=1)
    entry: ReadingQueueEntry = ReadingQueueEntryFactory(user=user, position=2)
    return entry


def _followed_post(user: User) -> object:
    subscription = FeedSubscriptionFactory(user=user)
    return FeedPostFactory(feed=subscription.feed)


def _queued_post(user: User) -> object:
    post = _followed_post(user)
    ReadingQueueEntry.objects.create(user=user, post=post, title="Post", url="https://example.org/p", position=1)
    return post


def _fetched(user: User) -> int:
    feed = FeedSubscriptionFactory(user=user).feed
    entry = ParsedEntry(
        guid_hash="a" * 64, guid="1", url="https://example.org/1", title="New", summary_html="", published_at=None
    )
    feeds.feed_fetch_result_store(
        feed=feed,
        result=FetchResult(feed.url, Outcome.OK, status_code=200),
        parsed=ParsedFeed(title="Blog", site_url="", ttl=None, entries=(entry,), version="rss20", bozo=""),
    )
    return user.pk


def _imported(user: User) -> int:
    doc = data_export.user_data_export(user=user)
    return data_import.user_data_import(data=doc, username="copy", email="copy@example.org").pk


def _demo(user: User) -> int:
    content = read_curated_content(FIXTURES)
    curation.curated_content_upsert(content=content)
    assert content.demo is not None
    demo.demo_accounts_ensure(demo=content.demo)
    return User.objects.get(username=content.demo["username"]).pk


def _moved(user: User) -> int:
    first = _enrolled(user)
    track, _ = make_track(2, "Second")
    EnrollmentFactory(user=user, track=track, priority=2, start_date=timezone.localdate())
    priorities.enrollment_move(enrollment=first, direction="down")
    return user.pk


def _problem() -> Problem:
    pattern = Pattern.objects.get_or_create(slug="arrays-hashing", defaults={"title": "Arrays", "is_primary": True})[0]
    return Problem.objects.get_or_create(
        slug="two-sum", defaults={"title": "Two Sum", "difficulty": "easy", "pattern": pattern}
    )[0]


def _attempt(user: User) -> ProblemAttempt:
    return problems.problem_attempt_create(user=user, problem=_problem(), outcome="solved_alone", minutes=10).attempt


def _catalogue(user: User) -> None:
    from tracker.curation.interview import read_problem_catalogue

    catalogue = read_problem_catalogue(Path(__file__).resolve().parents[2] / "interview_sample")
    assert catalogue is not None
    problems.problem_catalogue_upsert(catalogue=catalogue)


def _then(call: Callable[[], object], user: User) -> int:
    call()
    return user.pk


def _own_question(user: User) -> Question:
    return questions.question_create(
        user=user, question="What is a warp?", answer="- 32 threads", topic="cuda", directions=["deployment-sdk"]
    )


def _mock(user: User, *, minutes_ago: int = 0) -> MockSession:
    """A running concepts session of the learner's own questions, started `minutes_ago`."""
    for _ in range(10):
        _own_question(user)
    return mock_interviews.mock_session_start(
        user=user,
        format="concepts",
        level="medium",
        direction="deployment-sdk",
        now=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def _scored(user: User) -> int:
    session = _mock(user)
    score = mock_interviews.PartScore(communication=3, problem_solving=3, technical_competency=2, testing=4)
    mock_interviews.mock_session_score(session=session, scores=dict.fromkeys(range(1, 11), score))
    return user.pk


def _bank(user: User) -> None:
    spec = read_questions(SAMPLE)
    questions.question_bank_upsert(specs=spec)


SCENARIOS: dict[str, Scenario] = {
    "learner_state.learner_state_bump": lambda u: _then(lambda: learner_state.learner_state_bump(user_id=u.pk), u),
    "learner_state.learner_states_bump": lambda u: _then(lambda: learner_state.learner_states_bump(user_ids=[u.pk]), u),
    "learner_state.curated_content_bump": lambda u: learner_state.curated_content_bump(),
    "curation.curated_content_upsert": lambda u: curation.curated_content_upsert(content=CuratedContent()) and None,
    "data_import.user_data_import": _imported,
    "deadlines.deadline_create": lambda u: (
        deadlines.deadline_create(
            user=u, title="Exam", due_at=timezone.now() + dt.timedelta(days=3), time_zone="UTC"
        ).owner_id
    ),
    "deadlines.deadline_update": lambda u: deadlines.deadline_update(deadline=_own_deadline(u), title="Moved").owner_id,
    "deadlines.deadline_delete": lambda u: _then(lambda: deadlines.deadline_delete(deadline=_own_deadline(u)), u),
    "demo.demo_accounts_ensure": _demo,
    "enrollments.enrollment_create": lambda u: (
        enrollments.enrollment_create(user=u, track=make_track(2, "New")[0], start_date=timezone.localdate()).user_id
    ),
    "enrollments.enrollment_update": lambda u: (
        enrollments.enrollment_update(enrollment=_enrolled(u), pace_per_day=30).user_id
    ),
    "enrollments.enrollment_delete": lambda u: _then(lambda: enrollments.enrollment_delete(enrollment=_enrolled(u)), u),
    "feeds.feed_post_queue": lambda u: feeds.feed_post_queue(user=u, post=_followed_post(u))[0].user_id,  # type: ignore[arg-type]
    "feeds.feed_post_delete": lambda u: _then(lambda: feeds.feed_post_delete(post=_queued_post(u)), u),  # type: ignore[arg-type]
    "feeds.feed_fetch_result_store": _fetched,
    "plan_import.plan_markdown_import": lambda u: _then(
        lambda: plan_import.plan_markdown_import(
            user=u, data=b"# Plan\n- [x] read\n- [ ] write\n", today=timezone.localdate()
        ),
        u,
    ),
    "planning.plan_rebuild": lambda u: _then(lambda: planning.plan_rebuild(user=u), u),
    "planning.plan_ensure_current": lambda u: _then(lambda: planning.plan_ensure_current(user=u), u),
    "planning.plans_ensure_current": lambda u: _then(
        lambda: planning.plans_ensure_current(profiles=StudyProfile.objects.filter(user=u).select_related("user")), u
    ),
    "replanning.replans_run": lambda u: _then(lambda: replanning.replans_run(user_ids=[u.pk]), u),
    "priorities.enrollment_move": _moved,
    "problems.problem_attempt_create": lambda u: _attempt(u).user_id,
    "problems.problem_attempt_delete": lambda u: problems.problem_attempt_delete(attempt=_attempt(u)).user_id,
    "problems.problem_note_set": lambda u: problems.problem_note_set(user=u, problem=_problem(), notes="x").user_id,
    "problems.problem_revisit_set": lambda u: (
        problems.problem_revisit_set(user=u, problem=_problem(), revisit=True).user_id
    ),
    "problems.problem_preferences_update": lambda u: (
        problems.problem_preferences_update(user=u, hide_difficulty=True).user_id
    ),
    "problems.problems_import_csv": lambda u: _then(
        lambda: (_problem(), problems.problems_import_csv(user=u, data=b"two-sum,2024-01-02\n")), u
    ),
    "problems.problem_catalogue_upsert": _catalogue,
    "progress.progress_start": lambda u: progress.progress_start(user=u, item=_leaf(u)).user_id,  # type: ignore[arg-type]
    "progress.progress_mark_done": lambda u: progress.progress_mark_done(user=u, item=_leaf(u)).user_id,  # type: ignore[arg-type]
    "progress.progress_skip": lambda u: progress.progress_skip(user=u, item=_leaf(u)).user_id,  # type: ignore[arg-type]
    "progress.progress_undo": lambda u: progress.progress_undo(user=u, item=_done_leaf(u)).user_id,  # type: ignore[arg-type]
    "progress.progress_set_note": lambda u: progress.progress_set_note(user=u, item=_leaf(u), note="hm").user_id,  # type: ignore[arg-type]
    "progress.progress_add_time": lambda u: progress.progress_add_time(user=u, item=_leaf(u), minutes=5).user_id,  # type: ignore[arg-type]
    "progress_status.progress_set_status": lambda u: (
        progress_status.progress_set_status(
            user=u,
            item=_leaf(u),  # type: ignore[arg-type]
            status="done",
        ).user_id
    ),
    "reading.reading_entry_add": lambda u: reading.reading_entry_add(user=u, url="https://example.org/a")[0].user_id,
    "reading.reading_entry_move": lambda u: reading.reading_entry_move(entry=_entry(u), position=1).user_id,
    "reading.reading_entry_set_status": lambda u: (
        reading.reading_entry_set_status(entry=_entry(u), status="reading").user_id
    ),
    "reading.reading_entry_delete": lambda u: _then(lambda: reading.reading_entry_delete(entry=_entry(u)), u),
    "reviews.review_rate": lambda u: reviews.review_rate(user=u, item=_done_leaf(u), rating="good").user_id,  # type: ignore[arg-type]
    "users.study_profile_update": lambda u: users.study_profile_update(user=u, daily_minutes=90).user_id,
    "users.reminders_unsubscribe": lambda u: users.reminders_unsubscribe(user=u)[0].user_id,
    "questions.question_bank_upsert": lambda u: _bank(u),
    "questions.question_create": lambda u: _own_question(u).owner_id,
    "questions.question_delete": lambda u: _then(
        lambda: questions.question_delete(user=u, question=_own_question(u)), u
    ),
    "questions.question_review_rate": lambda u: (
        questions.question_review_rate(user=u, question=_own_question(u), rating="good").user_id
    ),
    "mock_interviews.mock_session_start": lambda u: _mock(u).user_id,
    "mock_interviews.mock_session_end": lambda u: mock_interviews.mock_session_end(session=_mock(u)).user_id,
    "mock_interviews.mock_session_close_if_expired": lambda u: _then(
        lambda: mock_interviews.mock_session_close_if_expired(session=_mock(u, minutes_ago=60)), u
    ),
    "mock_interviews.mock_sessions_close_expired": lambda u: _then(
        lambda: (_mock(u, minutes_ago=60), mock_interviews.mock_sessions_close_expired()), u
    ),
    "mock_interviews.mock_session_score": _scored,
    "vacations.vacation_add": lambda u: (
        vacations.vacation_add(user=u, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 1, 2)).user_id
    ),
    "vacations.vacation_delete": lambda u: _then(
        lambda: vacations.vacation_delete(
            vacation=Vacation.objects.create(user=u, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 1, 2))
        ),
        u,
    ),
}


def versions() -> dict[int | None, int]:
    return dict(LearnerState.objects.values_list("user_id", "version"))


def test_every_service_bumps_the_version_or_says_why_it_cannot_change_today() -> None:
    services = public_services()
    forgotten = [name for name in services if name not in SCENARIOS and name not in ALLOWED]
    assert not forgotten, (
        f"{forgotten}: call learner_state_bump (tracker/services/learner_state.py) where they write, and add a "
        "scenario here; or add them to ALLOWED with the reason they cannot change a learner's Today"
    )
    gone = sorted((set(SCENARIOS) | set(ALLOWED)) - set(services))
    assert not gone, f"{gone} are no longer services: remove them here"
    assert not set(SCENARIOS) & set(ALLOWED)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_service_bumps_the_version_of_what_it_changed(name: str) -> None:
    user = UserFactory()
    before = versions()
    whose = SCENARIOS[name](user)
    after = versions()
    assert after.get(whose, 0) > before.get(whose, 0), f"{name} did not raise the version of {whose or 'content'}"


def test_a_bump_is_one_update_with_no_read(django_assert_num_queries: pytest.FixtureDef[object]) -> None:
    user = UserFactory()
    learner_state.learner_state_bump(user_id=user.pk)  # makes the row
    with django_assert_num_queries(1) as captured:  # type: ignore[operator]
        learner_state.learner_state_bump(user_id=user.pk)
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("UPDATE") and '"version" + 1' in sql.replace("(", "").replace(")", "")
    assert LearnerState.objects.get(user=user).version == 3


def test_a_missing_row_is_made_and_still_goes_up_from_zero() -> None:
    user = UserFactory()
    assert not LearnerState.objects.filter(user=user).exists()
    learner_state.learner_state_bump(user_id=user.pk)
    assert LearnerState.objects.get(user=user).version > 0
    LearnerState.objects.filter(user__isnull=True).delete()
    learner_state.curated_content_bump()
    assert LearnerState.objects.get(user__isnull=True).version > 0


def test_a_profile_saved_from_memory_cannot_take_the_version_back() -> None:
    user = UserFactory()
    profile = StudyProfile.objects.get(user=user)
    learner_state.learner_state_bump(user_id=user.pk)
    version = LearnerState.objects.get(user=user).version
    profile.daily_minutes = 60
    profile.save()  # a profile read before the bump, saved after it: the version lives elsewhere
    assert LearnerState.objects.get(user=user).version == version


@pytest.mark.django_db(transaction=True)
def test_two_writers_bumping_at_once_both_count(postgres: None) -> None:
    """On PostgreSQL each bump locks the row until its transaction ends, so none is lost."""
    from django.db import transaction

    user = UserFactory()
    learner_state.learner_state_bump(user_id=user.pk)
    start = LearnerState.objects.get(user=user).version
    barrier = threading.Barrier(8)

    def bump() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                learner_state.learner_state_bump(user_id=user.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert LearnerState.objects.get(user=user).version == start + 8


def test_a_change_to_curated_content_raises_the_content_version_and_a_learners_deadline_does_not() -> None:
    """The admin runs no service: saved curated rows and the admin's log raise the content version."""
    user = UserFactory()
    track, _ = make_track(1, "Curated")
    start = versions().get(None, 0)
    track.title_en = "Renamed"
    track.save()
    after_track = versions().get(None, 0)
    Deadline.objects.create(owner=user, title="Mine", due_at=timezone.now() + dt.timedelta(days=2))
    after_own = versions().get(None, 0)
    LogEntry.objects.log_actions(user.pk, [track], CHANGE, single_object=True)
    assert start < after_track == after_own < versions().get(None, 0)
