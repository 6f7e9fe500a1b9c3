"""Practice due: what a learner should redo on a day outside their tracks, with the minutes it takes.

Today's "Practice due" block, the plan's budget (the day's minutes shrink by the practice due that day) and the
daily e-mail all read practice through this module, never a source directly.

The hook: a *source* is a function `(user_ids, until) -> {user_id: [PracticeItem, ...]}` that returns, in one
query whatever the number of learners, every item of its kind due before the instant `until`. Add a source to
`PRACTICE_SOURCES` and it appears on Today, in the e-mail and in the plan's budget, with no other change.
Problem re-solves (`problem_resolves_due`) are the first source; concept-question reviews plug in the same way.
A source's items need a `kind` (for the template to pick a row layout: `practice/_<kind>.html` on Today), a
`due` instant, `minutes`, a `subject` with a `display_title` and a `url`; `obj` carries the row (loaded with
what its row layout shows).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q

from tracker.models import ProblemProgress, QuestionCard, User
from tracker.question_cards import QUESTION_REVIEW_MINUTES


@dataclass(frozen=True)
class PracticeItem:
    kind: str
    key: str
    subject: Any  # what is practised (a Problem): its `display_title` is read when shown, in that language
    url: str
    minutes: int
    due: dt.datetime
    obj: Any

    @property
    def title(self) -> str:
        return str(self.subject.display_title)


PracticeSource = Callable[[Sequence[int], dt.datetime], dict[int, list[PracticeItem]]]


def problem_resolves_due(user_ids: Sequence[int], until: dt.datetime) -> dict[int, list[PracticeItem]]:
    """Problems due for a re-solve before `until`, oldest due first, each taking its difficulty's target minutes.
    One query."""
    rows = (
        ProblemProgress.objects.filter(user_id__in=user_ids, due__lt=until)
        .select_related("problem", "problem__pattern")
        .order_by("due", "problem__slug")
    )
    out: dict[int, list[PracticeItem]] = defaultdict(list)
    for row in rows:
        assert row.due is not None  # noqa: S101 - filtered on due above
        problem = row.problem
        out[row.user_id].append(
            PracticeItem(
                kind="problem",
                key=problem.slug,
                subject=problem,
                url=problem.get_absolute_url(),
                minutes=problem.target_minutes,
                due=row.due,
                obj=row,
            )
        )
    return out


def question_reviews_due(user_ids: Sequence[int], until: dt.datetime) -> dict[int, list[PracticeItem]]:
    """Concept-question reviews as a practice source: the questions due before `until`, most
    overdue first, each taking `QUESTION_REVIEW_MINUTES`. One query whatever the number of learners."""
    cards = (
        QuestionCard.objects.filter(user_id__in=user_ids, due__lt=until)
        .filter(Q(question__owner__isnull=True, question__is_published=True) | Q(question__owner_id=F("user_id")))
        .select_related("question")
        .order_by("due", "question_id")
    )
    out: dict[int, list[PracticeItem]] = defaultdict(list)
    for card in cards:
        question = card.question
        out[card.user_id].append(
            PracticeItem(
                kind="question",
                key=str(question.pk),
                subject=question,
                url=question.get_absolute_url(),
                minutes=QUESTION_REVIEW_MINUTES,
                due=card.due,
                obj=card,
            )
        )
    return out


PRACTICE_SOURCES: tuple[PracticeSource, ...] = (problem_resolves_due, question_reviews_due)


def practice_due_for_users(*, user_ids: Sequence[int], until: dt.datetime) -> dict[int, list[PracticeItem]]:
    """Every source's practice due before `until` for these learners, by user id, oldest due first. One query
    per source whatever the number of learners."""
    found: dict[int, list[PracticeItem]] = defaultdict(list)
    if not user_ids:
        return found
    for source in PRACTICE_SOURCES:
        for user_id, items in source(user_ids, until).items():
            found[user_id].extend(items)
    for items in found.values():
        items.sort(key=lambda item: (item.due, item.kind, item.key))
    return found


def practice_due(*, user: User, until: dt.datetime) -> list[PracticeItem]:
    """One learner's practice due before `until`, oldest due first. One query per source."""
    return practice_due_for_users(user_ids=[user.pk], until=until).get(user.pk, [])
