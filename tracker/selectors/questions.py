"""Reads of the concept-question bank for one learner: curated questions and their own (never another
learner's: `Question.objects.visible_to`), each with the learner's review state, in one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict, cast

from django.db.models import DateTimeField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django_stubs_ext import WithAnnotations

from tracker.models import Question, QuestionCard, QuestionReview, User


class QuestionState(TypedDict):
    """What `questions_for_learner` adds to each question: the learner's card, if they have reviewed it."""

    my_due: dt.datetime | None
    my_reps: int | None


type QuestionWithState = WithAnnotations[Question, QuestionState]


def questions_for_learner(
    *,
    user: User,
    topic: str = "",
    difficulty: str = "",
    direction: str = "",
    own: bool | None = None,
) -> QuerySet[QuestionWithState]:
    """Published curated questions and the learner's own, filtered, with `my_due` and `my_reps` (one query)."""
    cards = QuestionCard.objects.filter(user=user, question=OuterRef("pk"))
    qs = (
        Question.objects.visible_to(user)
        .filter(Q(is_published=True) | Q(owner=user))
        .annotate(
            my_due=Subquery(cards.values("due")[:1], output_field=DateTimeField()),
            my_reps=Subquery(cards.values("reps")[:1], output_field=IntegerField()),
        )
        .order_by("topic", "difficulty", "slug", "id")
    )
    if topic:
        qs = qs.filter(topic=topic)
    if difficulty:
        qs = qs.filter(difficulty=difficulty)
    if direction:
        qs = qs.for_direction(direction)
    if own is True:
        qs = qs.filter(owner=user)
    elif own is False:
        qs = qs.filter(owner__isnull=True)
    # django-stubs types a Subquery annotation as Any; the TypedDict above names what it holds.
    return cast("QuerySet[QuestionWithState]", qs)


def questions_due(*, user: User, now: dt.datetime) -> QuerySet[QuestionWithState]:
    """The learner's questions due for review at `now`, most overdue first."""
    return questions_for_learner(user=user).filter(cards__user=user, cards__due__lte=now).order_by("cards__due", "id")


def questions_due_count(*, user: User, now: dt.datetime) -> int:
    """How many of the learner's questions are due at `now` (one COUNT; Today and the e-mail show it)."""
    return (
        QuestionCard.objects.filter(user=user, due__lte=now)
        .filter(Q(question__owner__isnull=True, question__is_published=True) | Q(question__owner=user))
        .count()
    )


@dataclass(frozen=True)
class ReviewNext:
    """The next question of a review session, and what is left."""

    question: QuestionWithState | None
    is_new: bool
    due_left: int


def question_review_next(
    *, user: User, now: dt.datetime, topic: str = "", direction: str = "", skip: int | None = None
) -> ReviewNext:
    """The question to review now: the most overdue, else the first never reviewed (by topic, difficulty).

    Two queries: the due ones (counted and the first taken), then a new one when none is due. `skip` leaves
    out one question (the one just shown, so "next" moves on).
    """
    base = questions_for_learner(user=user, topic=topic, direction=direction)
    if skip is not None:
        base = base.exclude(pk=skip)
    due = list(base.filter(my_due__lte=now).order_by("my_due", "id")[:1])
    if due:
        left = base.filter(my_due__lte=now).count()
        return ReviewNext(question=due[0], is_new=False, due_left=left)
    new = base.filter(my_due__isnull=True).first()
    return ReviewNext(question=new, is_new=new is not None, due_left=0)


def question_reviews_of(*, user: User) -> QuerySet[QuestionReview]:
    """The learner's ratings, newest first, with their question."""
    return QuestionReview.objects.filter(user=user).select_related("question").order_by("-reviewed_at", "-id")
