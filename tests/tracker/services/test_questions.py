"""The concept-question bank's load (idempotent, from the agreed format), own questions, and FSRS reviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import QuestionFactory, UserFactory
from tracker.curation.files import FixtureError
from tracker.curation.questions import read_questions
from tracker.models import LearnerState, Question, QuestionCard, QuestionReview
from tracker.selectors.practice import practice_due
from tracker.selectors.questions import question_review_next, questions_due_count, questions_for_learner
from tracker.services.questions import (
    QuestionError,
    question_bank_upsert,
    question_create,
    question_review_rate,
    rating_from_scores,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "interview_sample"
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_the_bank_loads_once_and_a_second_run_changes_nothing() -> None:
    specs = read_questions(SAMPLE)
    first = question_bank_upsert(specs=specs)
    assert (first.created, first.updated) == (5, 0)
    content = LearnerState.objects.get(user__isnull=True).version
    second = question_bank_upsert(specs=specs)
    assert (second.created, second.updated, second.unchanged, second.changed) == (0, 0, 5, False)
    assert LearnerState.objects.get(user__isnull=True).version == content
    q = Question.objects.get(slug="cuda-warp-divergence")
    assert q.directions == "deployment-sdk,operator-optimisation"  # in the canonical order
    assert q.sources[0]["author"] == "NVIDIA" and q.checked_on == dt.date(2026, 12, 2)
    assert Question.objects.get(slug="cuda-shared-memory-bank-conflicts").checked_on == dt.date(2026, 12, 1)


def test_a_question_gone_from_the_files_is_unpublished_and_keeps_its_reviews() -> None:
    specs = read_questions(SAMPLE)
    question_bank_upsert(specs=specs)
    user = UserFactory()
    gone = Question.objects.get(slug="cuda-coalescing")
    question_review_rate(user=user, question=gone, rating="good", now=NOW)
    report = question_bank_upsert(specs=[s for s in specs if s.slug != "cuda-coalescing"])
    assert report.unpublished == 1
    gone.refresh_from_db()
    assert not gone.is_published and QuestionReview.objects.filter(question=gone).exists()
    assert gone not in questions_for_learner(user=user)


def test_seed_loads_the_bank_and_tolerates_its_absence(tmp_path: Path, settings: object) -> None:
    fixtures = tmp_path / "fixtures"
    (fixtures / "tracks").mkdir(parents=True)
    call_command("seed", "--fixtures", str(fixtures), "--no-demo", verbosity=0)
    assert not Question.objects.exists()
    (fixtures / "interview").mkdir()
    (fixtures / "interview" / "questions").symlink_to(SAMPLE / "interview" / "questions")
    call_command("seed", "--fixtures", str(fixtures), "--no-demo", verbosity=0)
    call_command("seed", "--fixtures", str(fixtures), "--no-demo", verbosity=0)
    assert Question.objects.filter(owner__isnull=True).count() == 5


HEAD = "topic: cuda\nquestions:\n  - slug: cuda-x\n    question: Q\n    difficulty: easy\n"
SOURCE = "    sources: [{title: T, url: 'https://x.org'}]\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEAD + "    directions: []\n    answer: A\n" + SOURCE + "    checked: 2026-12-02\n",
         "questions[0].directions"),
        (HEAD + "    directions: [algorithms]\n    answer: A\n    sources: []\n    checked: 2026-12-02\n",
         "questions[0].sources"),
        (HEAD + "    directions: [algorithms]\n    answer: A\n" + SOURCE + "    checked: 2026-13-45\n",
         "questions[0].checked"),
        ("topic: cpp\nquestions: []\n", "topic"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_place(tmp_path: Path, text: str, problem: str) -> None:
    folder = tmp_path / "interview" / "questions"
    folder.mkdir(parents=True)
    (folder / "cuda.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        read_questions(tmp_path)
    assert caught.value.where == problem


def test_the_same_slug_in_two_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "interview" / "questions"
    folder.mkdir(parents=True)
    body = ("questions:\n  - slug: cuda-x\n    question: Q\n    difficulty: easy\n    directions: [algorithms]\n"
            "    answer: A\n    sources: [{title: T, url: 'https://x.org'}]\n    checked: 2026-12-02\n")  # fmt: skip
    (folder / "cuda.yaml").write_text("topic: cuda\n" + body, encoding="utf-8")
    (folder / "cpp.yaml").write_text("topic: cpp\n" + body, encoding="utf-8")
    with pytest.raises(FixtureError, match="already in"):
        read_questions(tmp_path)


def test_own_questions_are_private_to_their_owner() -> None:
    owner, other = UserFactory(), UserFactory()
    own = question_create(user=owner, question="Mine?", answer="- a", topic="cuda", directions=["algorithms"])
    assert own in questions_for_learner(user=owner)
    assert own not in questions_for_learner(user=other)
    assert not Question.objects.visible_to(other).filter(pk=own.pk).exists()
    with pytest.raises(QuestionError):
        question_review_rate(user=other, question=own, rating="good")
    assert question_review_next(user=other, now=NOW).question is None


def test_a_question_needs_a_direction_and_an_answer() -> None:
    user = UserFactory()
    with pytest.raises(QuestionError, match="at least one career direction"):
        question_create(user=user, question="Q?", answer="- a", topic="cuda", directions=[])
    with pytest.raises(QuestionError, match="not a career direction"):
        question_create(user=user, question="Q?", answer="- a", topic="cuda", directions=["web"])
    with pytest.raises(QuestionError, match="question and its answer"):
        question_create(user=user, question="Q?", answer="  ", topic="cuda", directions=["algorithms"])
    assert not Question.objects.exists()


def test_ratings_schedule_with_fsrs_and_due_questions_join_practice() -> None:
    user = UserFactory()
    q = QuestionFactory()
    again = question_review_rate(user=user, question=q, rating="again", now=NOW)
    assert again.due < NOW + dt.timedelta(hours=1)  # relearn soon
    assert questions_due_count(user=user, now=NOW + dt.timedelta(hours=1)) == 1
    items = practice_due(user=user, until=NOW + dt.timedelta(days=1))
    assert [(i.kind, i.subject) for i in items] == [("question", q)] and items[0].minutes == 2
    good = question_review_rate(user=user, question=q, rating="good", now=NOW + dt.timedelta(hours=1))
    easy_user = UserFactory()
    easy = question_review_rate(user=easy_user, question=q, rating="easy", now=NOW)
    assert good.reps == 2 and easy.due > NOW + dt.timedelta(days=1)
    assert QuestionCard.objects.filter(question=q).count() == 2


def test_the_rubric_mean_becomes_the_rating() -> None:
    assert rating_from_scores([1, 1, 2, 1]) == "again"
    assert rating_from_scores([2, 2, 3, 3]) == "good"  # 2.5 rounds half up
    assert rating_from_scores([4, 4, 4, 3]) == "easy"


def test_retrievability_is_py_fsrs_own() -> None:
    from fsrs import Card

    from tracker.question_cards import SCHEDULER, retrievability_after

    user = UserFactory()
    card = question_review_rate(user=user, question=QuestionFactory(), rating="good", now=NOW)
    for days in (0, 1, 5, 40):
        later = NOW + dt.timedelta(days=days, hours=3)
        expected = SCHEDULER.get_card_retrievability(
            Card(card_id=1, stability=card.stability, last_review=card.last_review), later
        )
        assert retrievability_after(stability=card.stability, elapsed=later - NOW) == pytest.approx(expected)
    assert retrievability_after(stability=None, elapsed=dt.timedelta(days=1)) == 0.0
