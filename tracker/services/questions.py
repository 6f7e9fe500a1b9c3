"""Concept questions: the curated bank's load from the fixtures, a learner's own questions, and their
spaced review as flashcards with FSRS (py-fsrs), the same way study items are reviewed
(tracker/services/reviews.py) but on cards of their own, so questions never move the study plan's items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.curation.questions import DIRECTIONS, QuestionSpec
from tracker.models import Question, QuestionCard, QuestionReview, StudyProfile, User
from tracker.question_cards import RATINGS, SCHEDULER, fsrs_card
from tracker.services.learner_state import curated_content_bump, learner_state_bump
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today


class QuestionError(Exception):
    """A question or a rating that cannot be taken; the message says what was wrong and what to do."""


@dataclass
class QuestionBankReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unpublished: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.unpublished)


def _spec_values(spec: QuestionSpec) -> dict[str, Any]:
    return {
        "topic": spec.topic,
        "difficulty": spec.difficulty,
        "directions": ",".join(spec.directions),
        "question": spec.question,
        "question_zh": spec.question_zh,
        "answer": spec.answer,
        "sources": [dict(s) for s in spec.sources],
        "checked_on": spec.checked,
        "is_published": True,
    }


@transaction.atomic
def question_bank_upsert(*, specs: Sequence[QuestionSpec]) -> QuestionBankReport:
    """Makes the curated questions those of the fixtures, keyed on slug: running it twice changes nothing.

    A curated question gone from the files is unpublished, not deleted: learners' reviews of it are theirs.
    """
    report = QuestionBankReport()
    existing = {q.slug: q for q in Question.objects.filter(owner__isnull=True)}
    new: list[Question] = []
    changed: list[Question] = []
    fields: set[str] = set()
    for spec in specs:
        values = _spec_values(spec)
        row = existing.get(spec.slug)
        if row is None:
            new.append(Question(slug=spec.slug, owner=None, **values))
            continue
        diff = [name for name, value in values.items() if getattr(row, name) != value]
        if diff:
            for name in diff:
                setattr(row, name, values[name])
            changed.append(row)
            fields.update(diff)
        else:
            report.unchanged += 1
    Question.objects.bulk_create(new, batch_size=500)
    if changed:
        Question.objects.bulk_update(changed, [*sorted(fields), "updated_at"], batch_size=500)
    wanted = {s.slug for s in specs}
    gone = [q.pk for slug, q in existing.items() if slug not in wanted and q.is_published]
    if gone:
        Question.objects.filter(pk__in=gone).update(is_published=False)
    report.created, report.updated, report.unpublished = len(new), len(changed), len(gone)
    if report.changed:
        curated_content_bump()
    return report


def _clean_directions(directions: Iterable[str]) -> str:
    chosen = [d for d in DIRECTIONS if d in set(directions)]
    unknown = sorted(set(directions) - set(DIRECTIONS))
    if unknown:
        raise QuestionError(f"directions: {', '.join(unknown)} is not a career direction; use {', '.join(DIRECTIONS)}.")
    if not chosen:
        raise QuestionError("directions: choose at least one career direction.")
    return ",".join(chosen)


def _validated(question: Question) -> Question:
    try:
        question.full_clean(exclude=["owner", "slug", "sources", "checked_on"])
    except ValidationError as exc:
        raise QuestionError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    return question


@transaction.atomic
def question_create(
    *,
    user: User,
    question: str,
    answer: str,
    topic: str,
    difficulty: str = Question.Difficulty.MEDIUM,
    directions: Iterable[str],
    question_zh: str = "",
    source_url: str = "",
) -> Question:
    """Adds a learner's own question: private to them, reviewed like the curated ones."""
    if not question.strip() or not answer.strip():
        raise QuestionError("Write both the question and its answer (a few key points).")
    row = Question(
        owner=user,
        topic=topic,
        difficulty=difficulty,
        directions=_clean_directions(directions),
        question=question.strip(),
        question_zh=question_zh.strip(),
        answer=answer.strip(),
        sources=[{"title": source_url, "author": "", "url": source_url}] if source_url else [],
    )
    _validated(row).save()
    learner_state_bump(user_id=user.pk)
    return row


@transaction.atomic
def question_delete(*, user: User, question: Question) -> None:
    """Deletes one of the learner's own questions, with its reviews."""
    if question.owner_id != user.pk:
        raise QuestionError("Only your own questions can be deleted; curated ones stay in the bank.")
    question.delete()
    learner_state_bump(user_id=user.pk)


def rating_from_scores(scores: Iterable[int]) -> str:
    """A rubric's 1–4 scores as an FSRS rating: their mean, rounded half up (1 again … 4 easy)."""
    values = list(scores)
    mean = sum(values) / len(values)
    return {1: "again", 2: "hard", 3: "good", 4: "easy"}[min(4, max(1, int(mean + 0.5)))]


@transaction.atomic
def question_review_rate(
    *,
    user: User,
    question: Question,
    rating: str,
    now: dt.datetime | None = None,
    duration_seconds: int | None = None,
    replan: bool = True,
) -> QuestionCard:
    """Records a rating (again, hard, good, easy) of a question and schedules its next review.

    Questions due take minutes from the day's budget (tracker/selectors/practice.py), so the plan is re-made
    from today; a caller rating several at once passes `replan=False` and re-plans once itself."""
    if rating not in RATINGS:
        raise QuestionError(f"Rate with one of {', '.join(RATINGS)}, not {rating!r}.")
    if question.owner_id not in (None, user.pk):
        raise QuestionError("No such question.")
    now = now or timezone.now()
    row = QuestionCard.objects.select_for_update().filter(user=user, question=question).first()
    card, _log = SCHEDULER.review_card(fsrs_card(row), RATINGS[rating], review_datetime=now)
    values = {
        "due": card.due,
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "last_review": card.last_review,
    }
    if row is None:
        row = QuestionCard.objects.create(user=user, question=question, reps=1, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.reps += 1
        row.save()
    QuestionReview.objects.create(
        user=user, question=question, rating=int(RATINGS[rating]), reviewed_at=now, duration_seconds=duration_seconds
    )
    if replan:
        plan_rebuild(user=user, today=learner_today(user=user, now=now))
    learner_state_bump(user_id=user.pk)
    return row


def learner_today(*, user: User, now: dt.datetime) -> dt.date:
    """The learner's local date at `now` (UTC when they have no profile yet)."""
    zone = StudyProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return local_today(zone or "UTC", now)
