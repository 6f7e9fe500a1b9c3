"""The concept-question pages, mock interviews and the Interview landing page, through the web client."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import QuestionFactory, UserFactory
from tracker.models import MockSession, Question, QuestionCard, QuestionReview
from tracker.services.questions import question_create, question_review_rate

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_topic_difficulty_and_direction(learner_client):
    _, client = learner_client
    QuestionFactory(question="Warp divergence?", topic="cuda", difficulty="hard", directions="operator-optimisation")
    QuestionFactory(question="Per-channel scales?", topic="quantisation-compression", directions="compression")
    page = client.get(reverse("frontend:questions"), {"topic": "cuda", "difficulty": "hard"}).content.decode()
    assert "Warp divergence?" in page and "Per-channel scales?" not in page
    page = client.get(reverse("frontend:questions"), {"direction": "compression"}).content.decode()
    assert "Per-channel scales?" in page and "Warp divergence?" not in page


def test_a_learners_own_question_is_never_shown_to_another(learner_client):
    owner, owner_client = learner_client
    own = question_create(
        user=owner, question="My secret question?", answer="- mine", topic="cuda", directions=["algorithms"]
    )
    client = Client()
    client.force_login(UserFactory())
    assert "My secret question?" not in client.get(reverse("frontend:questions")).content.decode()
    assert client.get(reverse("frontend:question", args=[own.pk])).status_code == 404
    assert client.post(reverse("frontend:question-rate", args=[own.pk]), {"rating": "good"}).status_code == 404
    assert client.post(reverse("frontend:question-delete", args=[own.pk])).status_code == 404
    assert "My secret question?" not in client.get(reverse("frontend:question-review")).content.decode()
    assert Question.objects.filter(pk=own.pk).exists()
    assert "My secret question?" in owner_client.get(reverse("frontend:questions")).content.decode()


def test_the_answer_is_behind_show_answer_and_rendered_safely(learner_client):
    _, client = learner_client
    q = QuestionFactory(answer="- **bold** point\n- <script>alert(1)</script>")
    page = client.get(reverse("frontend:question", args=[q.pk])).content.decode()
    assert "<details" in page and "Show answer" in page
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "CUDA C++ Programming Guide" in page and "https://docs.nvidia.com/cuda/" in page


def test_a_review_session_rates_the_question_and_moves_on(learner_client):
    user, client = learner_client
    first = QuestionFactory(question="First?")
    QuestionFactory(question="Second?")
    page = client.get(reverse("frontend:question-review")).content.decode()
    assert "First?" in page
    # Without JavaScript and <details>: a second request opens the answer of the same question.
    again = client.get(reverse("frontend:question-review"), {"answer": "1", "question": first.pk}).content.decode()
    assert "First?" in again and '<details class="more" open' in again
    response = client.post(reverse("frontend:question-rate", args=[first.pk]), {"rating": "good"})
    assert response.status_code == 302
    card = QuestionCard.objects.get(user=user, question=first)
    assert card.due > timezone.now() and card.reps == 1
    assert "Second?" in client.get(response["Location"]).content.decode()


def test_a_bad_rating_says_which_ratings_exist_and_saves_nothing(learner_client):
    _, client = learner_client
    q = QuestionFactory()
    response = client.post(reverse("frontend:question-rate", args=[q.pk]), {"rating": "perfect"}, follow=True)
    assert "Rate with one of again, hard, good, easy" in response.content.decode()
    assert not QuestionReview.objects.exists()


def test_adding_an_own_question_keeps_what_was_typed_when_a_field_is_missing(learner_client):
    user, client = learner_client
    response = client.post(
        reverse("frontend:question-add"), {"question": "What is NCHW?", "answer": "- layout", "topic": "cuda"}
    )
    assert response.status_code == 400
    assert "What is NCHW?" in response.content.decode()
    response = client.post(
        reverse("frontend:question-add"),
        {
            "question": "What is NCHW?",
            "answer": "- layout",
            "topic": "cuda",
            "difficulty": "easy",
            "directions": ["deployment-sdk"],
        },
    )
    assert response.status_code == 302
    own = Question.objects.get(owner=user)
    assert own.directions == "deployment-sdk" and own.slug == ""


def _ten_questions() -> None:
    for n in range(10):
        QuestionFactory(question=f"Concept {n}?", directions="deployment-sdk")


def test_a_mock_shows_the_same_time_left_after_a_reload_and_closes_itself_at_the_end(learner_client):
    user, client = learner_client
    _ten_questions()
    start = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        response = client.post(
            reverse("frontend:mock-start"), {"format": "concepts", "level": "medium", "direction": "deployment-sdk"}
        )
        assert response.status_code == 302
        session = MockSession.objects.get(user=user)
        page = client.get(response["Location"]).content.decode()
        assert 'data-seconds-left="1200"' in page and "20:00" in page
        assert "mock-timer.js" in page and "<script>" not in page
    with time_machine.travel(start + dt.timedelta(minutes=7, seconds=30), tick=False):
        page = client.get(reverse("frontend:mock", args=[session.pk])).content.decode()
        assert 'data-seconds-left="750"' in page and "12:30" in page
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        page = client.get(reverse("frontend:mock", args=[session.pk])).content.decode()
    session.refresh_from_db()
    assert session.status == MockSession.Status.ENDED
    assert session.ended_at == start + dt.timedelta(minutes=20)
    assert session.end_reason == MockSession.EndReason.TIME_UP
    assert "Time was up." in page and "Save the scores" in page


def test_scoring_a_mock_turns_questions_into_reviews_and_a_missing_score_keeps_the_form(learner_client):
    user, client = learner_client
    _ten_questions()
    client.post(
        reverse("frontend:mock-start"), {"format": "concepts", "level": "medium", "direction": "deployment-sdk"}
    )
    session = MockSession.objects.get(user=user)
    client.post(reverse("frontend:mock-end", args=[session.pk]))
    form = {
        f"p{n}-{line}": "3"
        for n in range(1, 11)
        for line in ("communication", "problem_solving", "technical_competency", "testing")
    }
    form["notes"] = "Too slow on the first one."
    partial = {k: v for k, v in form.items() if not k.startswith("p10-")}
    response = client.post(reverse("frontend:mock-score", args=[session.pk]), partial)
    assert response.status_code == 400
    page = response.content.decode()
    assert "part 10 has no scores" in page and "Too slow on the first one." in page
    assert not QuestionReview.objects.exists()
    response = client.post(reverse("frontend:mock-score", args=[session.pk]), form)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == MockSession.Status.SCORED
    assert QuestionReview.objects.filter(user=user, rating=3).count() == 10
    history = client.get(reverse("frontend:mocks")).content.decode()
    assert "3.0 / 4" in history


def test_the_interview_page_shows_readiness_per_direction_with_next_steps(learner_client):
    _, client = learner_client
    QuestionFactory()
    page = client.get(reverse("frontend:interview")).content.decode()
    for label in ("Algorithms", "Model compression", "Deployment SDK", "Operator optimisation"):
        assert label in page
    assert "Next steps that raise it most" in page
    assert "Counts after 3 scored interviews" in page


def test_every_page_speaks_chinese(learner_client, compiled_messages):
    if not compiled_messages:
        pytest.skip("msgfmt (gettext) is not installed, so the Chinese catalogue cannot be compiled")
    _, client = learner_client
    q = QuestionFactory(question_zh="什么是 warp？")
    client.cookies["django_language"] = "zh-hans"
    for name, args in (
        ("interview", []),
        ("questions", []),
        ("question", [q.pk]),
        ("question-review", []),
        ("question-add", []),
        ("mocks", []),
    ):
        page = client.get(reverse(f"frontend:{name}", args=args), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert 'lang="zh-Hans"' in page, name


def test_a_due_question_is_on_today_with_its_answer_and_ratings(learner_client):
    user, client = learner_client
    q = QuestionFactory(question="What is a warp?")
    question_review_rate(user=user, question=q, rating="again", now=timezone.now() - dt.timedelta(days=2))
    page = client.get(reverse("frontend:home")).content.decode()
    assert "What is a warp?" in page and "Show answer" in page
    assert reverse("frontend:question-rate", args=[q.pk]) in page
    # "easy" moves the card days ahead; "good" here would keep it in FSRS's 10-minute learning step, due again
    # later today, so still on Today.
    response = client.post(reverse("frontend:question-rate", args=[q.pk]), {"rating": "easy", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert QuestionCard.objects.get(user=user, question=q).due > timezone.now()
    assert "What is a warp?" not in client.get(reverse("frontend:home")).content.decode()
