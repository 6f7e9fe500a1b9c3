"""The Interview pages (readiness, questions, review, mock interviews) run a fixed number of queries whatever
the learner's history, like the other pages (tests/frontend/test_page_queries.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import QuestionFactory
from tracker.models import MockSession, User
from tracker.services.mock_interviews import PartScore, mock_session_score, mock_session_start
from tracker.services.questions import question_create, question_review_rate

pytestmark = pytest.mark.django_db

LINES = ("communication", "problem_solving", "technical_competency", "testing")


def _history(user: User, n: int) -> None:
    """n reviewed questions, n own ones and n scored mock interviews."""
    for i in range(n):
        question_review_rate(user=user, question=QuestionFactory(), rating="again")
        question_create(user=user, question=f"Own {i}?", answer="- a", topic="cuda", directions=["compression"])
    for _ in range(10):
        QuestionFactory(directions="deployment-sdk")
    for _ in range(n):
        session = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk")
        mock_session_score(session=session, scores=dict.fromkeys(range(1, 11), PartScore(**dict.fromkeys(LINES, 3))))


# name → (queries, what they are): session and user first, then the page's own.
PAGES = {
    # the readiness selector's 11 (skill levels, skills, career-track items, those completed, patterns, solved
    # alone by pattern, questions per set of directions, cards, exercises, those passed, mock scores), the
    # career tracks, questions due
    "interview": 15,
    # count, page of questions with the learner's card, questions due
    "questions": 5,
    # the first due question, the count of due ones (or a new one)
    "question-review": 4,
    # sessions, their parts with question, problem and pattern
    "mocks": 4,
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_interview_pages_cost_a_fixed_number_of_queries(
    name: str, learner_client: tuple[User, object], django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    user, client = learner_client
    _history(user, 2)
    with django_assert_num_queries(PAGES[name]):  # type: ignore[operator]
        small = client.get(reverse(f"frontend:{name}"))  # type: ignore[attr-defined]
    _history(user, 5)
    with django_assert_num_queries(PAGES[name]):  # type: ignore[operator]
        large = client.get(reverse(f"frontend:{name}"))  # type: ignore[attr-defined]
    assert small.status_code == large.status_code == 200


def test_a_question_and_a_mock_page_cost_a_fixed_number_of_queries(
    learner_client: tuple[User, object], django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    user, client = learner_client
    _history(user, 3)
    question = QuestionFactory()
    # session, user, the question with the learner's card
    with django_assert_num_queries(3):  # type: ignore[operator]
        assert client.get(reverse("frontend:question", args=[question.pk])).status_code == 200  # type: ignore[attr-defined]
    session = MockSession.objects.filter(user=user).first()
    assert session is not None
    # session, user, the session, its parts with question, problem and pattern
    with django_assert_num_queries(4):  # type: ignore[operator]
        assert client.get(reverse("frontend:mock", args=[session.pk])).status_code == 200  # type: ignore[attr-defined]
