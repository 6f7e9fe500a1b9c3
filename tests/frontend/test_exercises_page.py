"""The exercise pages: list, statement and editor, submit (htmx and plain form), live result, history;
pinned query counts; and never the reference or a hidden output."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from grader.bundles import Bundle
from tests.exercises_support import BUNDLE_COUNT, WRONG, assert_no_secrets, bundle, exercise
from tests.factories import SubmissionFactory
from tracker.models import Exercise, Submission
from tracker.services.exercises import submission_grade

__all__ = ["bundle", "exercise"]
pytestmark = pytest.mark.django_db
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"
)
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_list_shows_difficulty_tags_and_best_score(
    exercise: Exercise, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    SubmissionFactory(user=learner, exercise=exercise, status="done", verdict="WA", score=7, max_score=10)
    SubmissionFactory(user=learner, exercise=exercise, status="done", verdict="AC", score=3, kind="run")
    # session, user, exercises with tracks, items and best scores, their tags
    with django_assert_max_num_queries(4):
        response = client.get(reverse("frontend:exercises"))
    page = response.content.decode()
    assert response.status_code == 200 and page.count('class="card"') == BUNDLE_COUNT
    assert "Your best: 7 / 10" in page and "simd" in page and 'aria-current="page"' in page


def test_the_page_has_the_statement_the_starter_and_works_as_a_plain_form(
    exercise: Exercise, bundle: Bundle, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    for _ in range(30):
        SubmissionFactory(user=learner, exercise=exercise, status="done", verdict="WA", score=0, code=WRONG)
    # session, user, exercise with track, item and best score, its tags, the history (last 20)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("frontend:exercise", args=["vector-add"]), {"start": "over"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<textarea" in page and 'name="code"' in page and "raise NotImplementedError" in page
    assert 'value="run"' in page and 'value="submit"' in page
    assert "codemirror-5.65.20.min.js" in page
    assert page.count("?submission=") == 20
    assert_no_secrets(page, bundle)


def test_a_plain_form_submission_redirects_to_its_result(
    exercise: Exercise, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    response = client.post(reverse("frontend:exercise-submit", args=["vector-add"]), {"code": WRONG, "kind": "run"})
    submission = Submission.objects.get(user=learner)
    assert response.status_code == 302 and response["Location"].endswith(f"?submission={submission.pk}#result")
    # session, user, exercise, tags, the shown submission, its results, the history
    with django_assert_max_num_queries(7):
        page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "this updates by itself" in page and f'hx-get="/submissions/{submission.pk}/"' in page


@needs_bwrap
def test_htmx_submit_then_poll_until_graded_with_details_on_examples_only(
    exercise: Exercise, bundle: Bundle, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    response = client.post(reverse("frontend:exercise-submit", args=["vector-add"]), {"code": WRONG}, **HTMX)
    submission = Submission.objects.get(user=learner)
    assert 'hx-trigger="every 1s"' in response.content.decode()
    poll = reverse("frontend:submission", args=[submission.pk])
    assert 'hx-trigger="every 1s"' in client.get(poll, **HTMX).content.decode()
    submission_grade(submission_id=submission.pk)
    # session, user, the submission with its exercise, its results, the history
    with django_assert_max_num_queries(5):
        done = client.get(poll, **HTMX).content.decode()
    assert "every 1s" not in done and "Wrong answer" in done and 'hx-swap-oob="true"' in done
    assert done.count('class="case-detail"') == 3  # the examples only
    assert_no_secrets(done, bundle)
    page = client.get(reverse("frontend:exercise", args=["vector-add"]), {"submission": submission.pk})
    assert_no_secrets(page.content.decode(), bundle)


def test_a_refused_submission_keeps_the_code_and_says_why(exercise: Exercise, learner_client):
    _, client = learner_client
    big = "# " + "x" * 70_000
    response = client.post(reverse("frontend:exercise-submit", args=["vector-add"]), {"code": big})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit is 64 KB" in page and big in page
    htmx = client.post(reverse("frontend:exercise-submit", args=["vector-add"]), {"code": ""}, **HTMX)
    assert htmx.status_code == 200 and "The code is empty" in htmx.content.decode()


def test_the_rate_limit_is_a_clear_message(exercise: Exercise, learner_client):
    _, client = learner_client
    url = reverse("frontend:exercise-submit", args=["vector-add"])
    client.post(url, {"code": WRONG})
    response = client.post(url, {"code": WRONG})
    assert response.status_code == 429 and "still being graded" in response.content.decode()


def test_another_learners_submission_is_not_found(exercise: Exercise, learner_client):
    _, client = learner_client
    theirs = SubmissionFactory(exercise=exercise)
    assert client.get(reverse("frontend:submission", args=[theirs.pk]), **HTMX).status_code == 404
    page = client.get(reverse("frontend:exercise", args=["vector-add"]), {"submission": theirs.pk})
    assert theirs.code not in page.content.decode()


def test_the_pages_are_translated(exercise: Exercise, learner_client, compiled_messages):
    if not compiled_messages:
        pytest.skip("msgfmt is not installed: the Chinese catalogue cannot be compiled")
    _, client = learner_client
    page = client.get(reverse("frontend:exercise", args=["vector-add"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "运行示例" in page.content.decode()
