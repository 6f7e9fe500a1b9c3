"""A learner's data as one JSON document: everything they own, to keep or to move to another server.

Curated content (tracks, items, skills, exercises, feeds) is not copied: the document names it by natural keys
(a track's slug and an item's key, a skill's key, an exercise's slug, a feed's URL), which every server that
ran `manage.py seed` shares. The learner's own tracks travel whole, with their items. Row ids never appear.
`tracker/services/data_import.py` reads the document back; the two share the field lists below.

The document (format FORMAT, version VERSION):

    {"format": ..., "version": 1, "exported_at": ..., "user": {...}, "profile": {...},
     "own_tracks": [{..., "items": [...]}], "enrollments": [...], "progress": [...], "plan_entries": [...],
     "review_cards": [...], "review_logs": [...], "reading_queue": [...], "deadlines": [...],
     "vacations": [...], "skill_assessments": [...], "feed_subscriptions": [...], "submissions": [...],
     "problem_progress": [...], "problem_attempts": [...],
     "own_questions": [...], "question_cards": [...], "question_reviews": [...], "mock_sessions": [...]}

A LeetCode problem is named by its slug ({"problem": "two-sum"}); its progress row carries the notes, the
revisit flag and the re-solve schedule (the FSRS card), its attempts their ratings.

A track is named as {"track": slug, "own": bool}; an item as {"track": slug, "own": bool, "item": key}.
A concept question is named as {"question": slug} when curated, {"own_question": n} for the n-th (from 0)
of `own_questions`; a mock interview's problem by its slug, and the attempt it became by its place in
`problem_attempts`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Prefetch
from django.utils import timezone

from tracker.models import (
    Deadline,
    Enrollment,
    FeedSubscription,
    Item,
    MockPart,
    MockSession,
    PlanEntry,
    ProblemAttempt,
    ProblemProgress,
    Progress,
    Question,
    QuestionCard,
    QuestionReview,
    ReadingQueueEntry,
    ReviewCard,
    ReviewLog,
    SkillAssessment,
    StudyProfile,
    Submission,
    Track,
    User,
    Vacation,
)

FORMAT = "brainqueue-user-data"
VERSION = 1

# Plain fields of each section, by type: "str", "int", "float", "bool", "date", "datetime", "json";
# a trailing "?" allows null. References to other rows are written and read by the code around them.
FIELDS: dict[str, dict[str, str]] = {
    "user": {"email": "str", "first_name": "str", "last_name": "str", "date_joined": "datetime"},
    "profile": {
        "time_zone": "str",
        "parallel_limit": "int",
        "daily_minutes": "int",
        "rest_weekdays": "json",
        "reminder_hour": "int",
        "reminders_enabled": "bool",
        "language": "str",
        "deadline_reminder_days": "json",
        "plan_built_on": "date?",
        "hide_problem_difficulty": "bool",
        "public_handle": "str",
    },
    "own_tracks": {
        "slug": "str",
        "kind": "str",
        "title": "str",
        "title_en": "str",
        "summary": "str",
        "source_url": "str",
        "is_published": "bool",
        "notes": "str",
    },
    "items": {
        "key": "str",
        "position": "int",
        "kind": "str",
        "title": "str",
        "title_en": "str",
        "url": "str",
        "estimated_minutes": "int",
        "difficulty": "str",
        "external_id": "str",
    },
    "enrollments": {
        "priority": "int",
        "status": "str",
        "pace_unit": "str",
        "pace_per_day": "int",
        "start_date": "date",
        "target_date": "date?",
        "projected_finish_date": "date?",
    },
    "progress": {
        "status": "str",
        "started_at": "datetime?",
        "done_at": "datetime?",
        "note": "str",
        "time_spent_minutes": "int",
    },
    "plan_entries": {
        "date": "date",
        "end_date": "date?",
        "kind": "str",
        "status": "str",
        "origin": "str",
        "minutes": "int",
        "position": "int",
    },
    "review_cards": {
        "due": "datetime",
        "state": "int",
        "step": "int?",
        "stability": "float?",
        "difficulty": "float?",
        "last_review": "datetime?",
        "reps": "int",
    },
    "review_logs": {"rating": "int", "reviewed_at": "datetime", "duration_seconds": "int?"},
    "reading_queue": {
        "title": "str",
        "url": "str",
        "position": "int",
        "status": "str",
        "added_at": "datetime",
        "read_at": "datetime?",
        "summary": "str",
    },
    "deadlines": {
        "key": "str",
        "title": "str",
        "title_en": "str",
        "kind": "str",
        "due_at": "datetime",
        "time_zone": "str",
        "url": "str",
    },
    "vacations": {"start_date": "date", "end_date": "date", "label": "str"},
    "skill_assessments": {"level": "int"},
    "feed_subscriptions": {"add_to_reading_queue": "bool", "daily_cap": "int"},
    "submissions": {
        "code": "str",
        "kind": "str",
        "status": "str",
        "verdict": "str",
        "score": "float?",
        "max_score": "float",
        "message": "str",
        "time_ms": "float?",
        "memory_kb": "int?",
        "sandboxed": "bool",
        "attempts": "int",
        "started_at": "datetime?",
        "finished_at": "datetime?",
        "created_at": "datetime",
        # Where it ran and its timing; the ranked speed-up is not written (the importing server derives it
        # from the timing), nor who reviewed it (an account of another server).
        "device_kind": "str",
        "device_name": "str",
        "timing": "json?",
        "review": "str",
    },
    "problem_progress": {
        "notes": "str",
        "revisit": "bool",
        "status": "str",
        "attempts_count": "int",
        "solved_alone_count": "int",
        "last_attempted_on": "date?",
        "due": "datetime?",
        "state": "int?",
        "step": "int?",
        "stability": "float?",
        "difficulty": "float?",
        "last_review": "datetime?",
    },
    "problem_attempts": {
        "date": "date",
        "outcome": "str",
        "minutes": "int?",
        "hints": "int",
        "language": "str",
        "approach": "str",
        "time_complexity": "str",
        "space_complexity": "str",
        "proposed_rating": "int",
        "rating": "int",
        "source": "str",
        "created_at": "datetime",
    },
    "results": {
        "case": "str",
        "position": "int",
        "visible": "bool",
        "verdict": "str",
        "points": "float",
        "max_points": "float",
        "time_ms": "float?",
        "memory_kb": "int?",
        "message": "str",
        "diff": "str",
        "stages": "json",
        "metrics": "json",
    },
    "own_questions": {
        "topic": "str",
        "difficulty": "str",
        "directions": "str",
        "question": "str",
        "question_zh": "str",
        "answer": "str",
        "sources": "json",
        "created_at": "datetime",
    },
    "question_cards": {
        "due": "datetime",
        "state": "int",
        "step": "int?",
        "stability": "float?",
        "difficulty": "float?",
        "last_review": "datetime?",
        "reps": "int",
    },
    "question_reviews": {"rating": "int", "reviewed_at": "datetime", "duration_seconds": "int?"},
    "mock_sessions": {
        "format": "str",
        "level": "str",
        "direction": "str",
        "status": "str",
        "started_at": "datetime",
        "ends_at": "datetime",
        "ended_at": "datetime?",
        "end_reason": "str",
        "scored_at": "datetime?",
        "notes": "str",
    },
    "mock_parts": {
        "position": "int",
        "kind": "str",
        "communication": "int?",
        "problem_solving": "int?",
        "technical_competency": "int?",
        "testing": "int?",
        "outcome": "str",
        "notes": "str",
    },
}
# Fields added after the first version of the format: a document written before them imports with the
# model's default (an empty list).
ADDED_LATER: frozenset[tuple[str, str]] = frozenset(
    {
        ("results", "stages"),
        ("results", "metrics"),
        ("profile", "public_handle"),
        ("submissions", "device_kind"),
        ("submissions", "device_name"),
        ("submissions", "timing"),
        ("submissions", "review"),
    }
)

# Every model with a foreign key to the user, by where its rows go (tests/tracker/services/test_data_export.py
# fails when a model is in neither map, so a new one cannot be forgotten).
EXPORTED = {
    "tracker.StudyProfile": "profile",
    "tracker.Track": "own_tracks (with their items)",
    "tracker.Enrollment": "enrollments",
    "tracker.Progress": "progress",
    "tracker.PlanEntry": "plan_entries",
    "tracker.ReviewCard": "review_cards",
    "tracker.ReviewLog": "review_logs",
    "tracker.ReadingQueueEntry": "reading_queue",
    "tracker.Deadline": "deadlines (the learner's own)",
    "tracker.Vacation": "vacations",
    "tracker.SkillAssessment": "skill_assessments",
    "tracker.FeedSubscription": "feed_subscriptions",
    "tracker.Submission": "submissions (with their case results)",
    "tracker.ProblemProgress": "problem_progress (notes, revisit flag, re-solve schedule)",
    "tracker.ProblemAttempt": "problem_attempts",
    "tracker.Question": "own_questions (curated ones are named by slug)",
    "tracker.QuestionCard": "question_cards",
    "tracker.QuestionReview": "question_reviews",
    "tracker.MockSession": "mock_sessions (with their parts)",
}
EXCLUDED = {
    "tracker.ReminderDelivery": "a log of reminder e-mails sent, kept so none goes twice; it means nothing on "
    "another server, and account deletion removes it",
    "api.ApiToken": "device sign-ins: only digests of secrets are stored, and a device signs in again anywhere",
    "api.IdempotencyKey": "a 24-hour cache of API responses for retried requests",
    "admin.LogEntry": "the admin's record of what staff changed, not the learner's data",
    "account.EmailAddress": "whether this server saw the address verified; the address itself is in `profile`, "
    "and another server verifies it again",
    "socialaccount.SocialAccount": "a link to a GitHub or Google account, valid only with this server's OAuth "
    "client; the learner links it again on the new server",
    "mfa.Authenticator": "two-factor secrets and recovery codes: never written to a file; the learner turns "
    "two-factor on again on the new server",
    "usersessions.UserSession": "this server's record of signed-in browsers, meaningless elsewhere",
    "tracker.LearnerState": "a version number that names the learner's Today in caches; it starts again anywhere",
    "tracker.ExerciseDraft": "a bundle a curator uploaded or edited: curated content, not the curator's own data; "
    "deleting the account clears their name on it",
    "tracker.ExerciseVersion": "a published exercise bundle: curated content; deleting the account of the curator "
    "who made it clears their name on it",
}


def dump_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind.startswith("datetime"):
        return value.astimezone(dt.UTC).isoformat()
    if kind.startswith("date"):
        return value.isoformat()
    return value


def dump_fields(obj: Model, section: str) -> dict[str, Any]:
    return {name: dump_value(getattr(obj, name), kind) for name, kind in FIELDS[section].items()}


def track_ref(track: Track) -> dict[str, Any]:
    return {"track": track.slug, "own": track.owner_id is not None}


def item_ref(item: Item) -> dict[str, Any]:
    return {**track_ref(item.track), "item": item.key}


def _question_refs(user: User) -> tuple[list[Question], dict[int, dict[str, Any]]]:
    """The learner's own questions in a stable order, and how every question they touched is named."""
    own = list(Question.objects.filter(owner=user).order_by("created_at", "id"))
    refs: dict[int, dict[str, Any]] = {q.pk: {"own_question": n} for n, q in enumerate(own)}
    return own, refs


def _question_ref(question: Question, refs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return refs.get(question.pk) or {"question": question.slug}


def _sorted(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stable order that does not depend on row ids, so two exports of the same state are equal."""
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything `user` owns, as a JSON-ready dict (see the module docstring). About fifteen queries,
    whatever the amount of data."""
    profile = StudyProfile.objects.filter(user=user).first() or StudyProfile(user=user)
    own_tracks = []
    tracks = Track.objects.filter(owner=user).order_by("slug")
    items = Item.objects.select_related("parent").prefetch_related("tags").order_by("position", "key")
    for track in tracks.prefetch_related("tags", Prefetch("items", queryset=items)):
        own_tracks.append(
            {
                **dump_fields(track, "own_tracks"),
                "tags": sorted(tag.slug for tag in track.tags.all()),
                "items": [
                    {
                        **dump_fields(item, "items"),
                        "parent": item.parent.key if item.parent else None,
                        "tags": sorted(tag.slug for tag in item.tags.all()),
                    }
                    for item in track.items.all()
                ],
            }
        )
    item_related = ("item__track",)
    submissions = (
        Submission.objects.filter(user=user)
        .select_related("exercise", "version")
        .defer("version__archive")
        .prefetch_related("results")
        .order_by("created_at", "id")
    )
    attempts = list(
        ProblemAttempt.objects.filter(user=user).select_related("problem").order_by("date", "created_at", "id")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": dump_value(timezone.now(), "datetime"),
        "user": {"username": user.username, **dump_fields(user, "user")},
        "profile": dump_fields(profile, "profile"),
        "own_tracks": own_tracks,
        "enrollments": _sorted(
            {**track_ref(e.track), **dump_fields(e, "enrollments")}
            for e in Enrollment.objects.filter(user=user).select_related("track")
        ),
        "progress": _sorted(
            {**item_ref(p.item), **dump_fields(p, "progress")}
            for p in Progress.objects.filter(user=user).select_related(*item_related)
        ),
        "plan_entries": _sorted(
            {
                **item_ref(p.item),
                "enrollment": track_ref(p.enrollment.track) if p.enrollment else None,
                **dump_fields(p, "plan_entries"),
            }
            for p in PlanEntry.objects.filter(user=user).select_related(*item_related, "enrollment__track")
        ),
        "review_cards": _sorted(
            {**item_ref(c.item), **dump_fields(c, "review_cards")}
            for c in ReviewCard.objects.filter(user=user).select_related(*item_related)
        ),
        "review_logs": _sorted(
            {**item_ref(r.item), **dump_fields(r, "review_logs")}
            for r in ReviewLog.objects.filter(user=user).select_related(*item_related)
        ),
        "reading_queue": [
            {
                "item": item_ref(r.item) if r.item else None,
                "post": {"feed": r.post.feed.url, "guid_hash": r.post.guid_hash} if r.post else None,
                **dump_fields(r, "reading_queue"),
            }
            for r in ReadingQueueEntry.objects.filter(user=user)
            .select_related(*item_related, "post__feed")
            .order_by("position", "added_at", "title", "url")
        ],
        "deadlines": _sorted(
            {"track": track_ref(d.track) if d.track else None, **dump_fields(d, "deadlines")}
            for d in Deadline.objects.filter(owner=user).select_related("track")
        ),
        "vacations": _sorted(dump_fields(v, "vacations") for v in Vacation.objects.filter(user=user)),
        "skill_assessments": _sorted(
            {"skill": a.skill.key, **dump_fields(a, "skill_assessments")}
            for a in SkillAssessment.objects.filter(user=user).select_related("skill")
        ),
        "feed_subscriptions": _sorted(
            {"feed": s.feed.url, "feed_title": s.feed.title, **dump_fields(s, "feed_subscriptions")}
            for s in FeedSubscription.objects.filter(user=user).select_related("feed")
        ),
        "submissions": [
            {
                "exercise": s.exercise.slug,
                **dump_fields(s, "submissions"),
                # Which bundle version graded it (its number and content hash), for the learner's record.
                "version": {"number": s.version.number, "content_hash": s.version.content_hash} if s.version else None,
                "results": [dump_fields(r, "results") for r in sorted(s.results.all(), key=lambda r: r.position)],
            }
            for s in submissions
        ],
        "problem_progress": _sorted(
            {"problem": p.problem.slug, **dump_fields(p, "problem_progress")}
            for p in ProblemProgress.objects.filter(user=user).select_related("problem")
        ),
        "problem_attempts": [{"problem": a.problem.slug, **dump_fields(a, "problem_attempts")} for a in attempts],
        **_interview_sections(user, attempts),
    }


def _interview_sections(user: User, attempts: list[ProblemAttempt]) -> dict[str, Any]:
    """Own questions, question reviews and mock interviews (five queries). A mock's problem part names the
    attempt it became by its place in `problem_attempts` (from 0)."""
    own, refs = _question_refs(user)
    attempt_at = {a.pk: n for n, a in enumerate(attempts)}
    parts = MockPart.objects.select_related("question", "problem").order_by("position")
    sessions = MockSession.objects.filter(user=user).prefetch_related(Prefetch("parts", queryset=parts))
    return {
        "own_questions": [dump_fields(q, "own_questions") for q in own],
        "question_cards": _sorted(
            {**_question_ref(c.question, refs), **dump_fields(c, "question_cards")}
            for c in QuestionCard.objects.filter(user=user).select_related("question")
        ),
        "question_reviews": _sorted(
            {**_question_ref(r.question, refs), **dump_fields(r, "question_reviews")}
            for r in QuestionReview.objects.filter(user=user).select_related("question")
        ),
        "mock_sessions": [
            {
                **dump_fields(m, "mock_sessions"),
                "parts": [
                    {
                        **dump_fields(p, "mock_parts"),
                        "question": _question_ref(p.question, refs) if p.question else None,
                        "problem": p.problem.slug if p.problem else None,
                        "attempt": attempt_at.get(p.attempt_id) if p.attempt_id else None,
                    }
                    for p in m.parts.all()
                ],
            }
            for m in sessions.order_by("started_at", "id")
        ],
    }


def user_data_filename(*, user: User, today: dt.date | None = None) -> str:
    return f"brainqueue-{user.username}-{(today or timezone.now().date()).isoformat()}.json"
