"""The exercise pages with versions and toolchains: the version that graded each submission, "Grade again
on version N" once a newer one is published (htmx and plain form), toolchains with the installed versions,
an exercise unavailable on this server marked in the list, in English and Chinese; and never the
reference or a hidden output of an uploaded bundle."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from grader import toolchains
from tests.authoring_fixtures import assert_no_upload_secrets, needs_bwrap, publish_zip, uploaded
from tests.authoring_support import SLUG, bundle_files, make_zip
from tracker.models import Exercise, Submission
from tracker.services.exercises import submission_create, submission_grade

__all__ = ["uploaded"]
pytestmark = [pytest.mark.django_db, needs_bwrap]
HTMX = {"HTTP_HX_REQUEST": "true"}
WRONG = "import numpy as np\n\n\ndef triple(x):\n    return np.asarray(x) * 2\n"


def _graded(user, exercise: Exercise) -> Submission:  # type: ignore[no-untyped-def]
    submission = submission_create(user=user, exercise=exercise, code=WRONG)
    submission_grade(submission_id=submission.pk)
    return Submission.objects.get(pk=submission.pk)


def _republish() -> Exercise:
    files = bundle_files()
    files["statement.md"] = b"Return `x` times three (int64).\n"
    return publish_zip(make_zip(files))


def test_the_page_says_which_version_graded_a_submission_and_offers_a_regrade(
    uploaded: Exercise, learner_client, django_assert_max_num_queries
) -> None:
    learner, client = learner_client
    old = _graded(learner, uploaded)
    url = reverse("frontend:exercise", args=[SLUG])
    page = client.get(url, {"submission": old.pk}).content.decode()
    short = uploaded.current_version.short_hash
    assert f"graded on version 1 ({short})" in page and f"version 1 ({short})" in page
    assert "Grade again" not in page  # nothing newer yet

    current = _republish()
    # session, user, the exercise (track, item, current version, best score), its tags, the shown submission with
    # its version and the exercise's current one, its results, the history
    with django_assert_max_num_queries(7):
        page = client.get(url, {"submission": old.pk}).content.decode()
    assert "Grade again on version 2" in page and "version 2 is current" in page
    assert f'action="{reverse("frontend:submission-regrade", args=[old.pk])}"' in page
    assert 'class="meta">v1</span>' in page  # the history names the version of each graded submission

    response = client.post(reverse("frontend:submission-regrade", args=[old.pk]))
    again = Submission.objects.get(regrade_of=old)
    assert response.status_code == 302 and response["Location"].endswith(f"?submission={again.pk}#result")
    submission_grade(submission_id=again.pk)
    page = client.get(url, {"submission": again.pk}).content.decode()
    assert f"graded on version 2 ({current.current_version.short_hash})" in page and "Grade again" not in page
    old.refresh_from_db()
    assert old.version.number == 1 and old.results.count() == 8  # the old result stays


def test_the_regrade_button_works_with_htmx_and_says_why_not(
    uploaded: Exercise, learner_client, django_assert_max_num_queries
) -> None:
    learner, client = learner_client
    old = _graded(learner, uploaded)
    refused = client.post(reverse("frontend:submission-regrade", args=[old.pk]), **HTMX)
    assert refused.status_code == 200 and "graded on the current version already" in refused.content.decode()
    _republish()
    # session, user, the submission (with its exercise and versions), its results (prefetched), savepoint, the
    # learner's row lock, the busy check, the minute's count, the insert, release
    with django_assert_max_num_queries(10):
        swapped = client.post(reverse("frontend:submission-regrade", args=[old.pk]), **HTMX)
    body = swapped.content.decode()
    assert swapped.status_code == 200 and 'id="result"' in body and 'hx-trigger="every 1s"' in body


def test_another_learners_submission_cannot_be_regraded(uploaded: Exercise, learner_client) -> None:
    from tests.factories import UserFactory

    theirs = _graded(UserFactory(), uploaded)
    _republish()
    _, client = learner_client
    assert client.post(reverse("frontend:submission-regrade", args=[theirs.pk])).status_code == 404
    assert not Submission.objects.filter(regrade_of=theirs).exists()


def test_no_page_shows_the_reference_or_a_hidden_output(uploaded: Exercise, learner_client) -> None:
    learner, client = learner_client
    submission = _graded(learner, uploaded)
    pages = [
        client.get(reverse("frontend:exercises")),
        client.get(reverse("frontend:exercise", args=[SLUG])),
        client.get(reverse("frontend:exercise", args=[SLUG]), {"submission": submission.pk}),
        client.get(reverse("frontend:submission", args=[submission.pk]), **HTMX),
        client.get(reverse("frontend:data-export")),
    ]
    for response in pages:
        assert response.status_code == 200, response
        assert_no_upload_secrets(response.content.decode())


def test_toolchains_show_their_installed_versions(uploaded: Exercise, learner_client) -> None:
    Exercise.objects.filter(pk=uploaded.pk).update(toolchains=["numpy"])
    _, client = learner_client
    page = client.get(reverse("frontend:exercise", args=[SLUG])).content.decode()
    installed = toolchains.version_of("numpy")
    assert installed and f'NumPy: <span class="badge ok">{installed}</span>' in page
    assert "Unavailable" not in client.get(reverse("frontend:exercises")).content.decode()


def test_a_missing_toolchain_marks_the_exercise_unavailable_and_grades_ie(
    uploaded: Exercise, learner_client, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries
) -> None:
    Exercise.objects.filter(pk=uploaded.pk).update(toolchains=["onnxruntime"])
    monkeypatch.setattr(toolchains, "version_of", lambda name: None)  # this server lacks every runtime
    learner, client = learner_client
    # session, user, exercises with tracks, items, current versions and best scores, their tags
    with django_assert_max_num_queries(4):
        listing = client.get(reverse("frontend:exercises")).content.decode()
    assert listing.count("Unavailable on this server") == 1
    assert "pip install -r requirements/lab.txt" in listing and "onnxruntime==" in listing
    page = client.get(reverse("frontend:exercise", args=[SLUG])).content.decode()
    assert "ONNX Runtime:" in page and "not installed on this server" in page

    response = client.post(reverse("frontend:exercise-submit", args=[SLUG]), {"code": WRONG})
    assert response.status_code == 302  # accepted: the worker says what is wrong
    submission = Submission.objects.get(user=learner)
    assert submission_grade(submission_id=submission.pk) == "graded"
    submission.refresh_from_db()
    assert (submission.status, submission.verdict) == ("error", "IE")
    assert "lacks ONNX Runtime" in submission.message and "pip install" in submission.message
    page = client.get(reverse("frontend:exercise", args=[SLUG]), {"submission": submission.pk})
    assert page.status_code == 200 and "lacks ONNX Runtime" in page.content.decode()


def test_the_new_words_are_translated(
    uploaded: Exercise, learner_client, compiled_messages, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled_messages:
        pytest.skip("msgfmt is not installed: the Chinese catalogue cannot be compiled")
    learner, client = learner_client
    old = _graded(learner, uploaded)
    _republish()
    Exercise.objects.filter(pk=uploaded.pk).update(toolchains=["onnxruntime"])
    monkeypatch.setattr(toolchains, "version_of", lambda name: None)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    listing = client.get(reverse("frontend:exercises"), **zh).content.decode()
    assert "此服务器上不可用" in listing and "请在评测机上安装 ONNX Runtime" in listing
    page = client.get(reverse("frontend:exercise", args=[SLUG]), {"submission": old.pk}, **zh).content.decode()
    translation.activate(settings.LANGUAGE_CODE)  # the request left Chinese active in this thread
    assert "工具链" in page and "在版本 2 上重新评测" in page and "评测所用版本 1" in page


def test_learner_pages_never_read_a_bundle_archive(uploaded: Exercise, learner_client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    learner, client = learner_client
    submission = _graded(learner, uploaded)
    _republish()
    urls = [
        reverse("frontend:exercises"),
        reverse("frontend:exercise", args=[SLUG]) + f"?submission={submission.pk}",
        reverse("frontend:data-export"),
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        assert not [q["sql"] for q in queries.captured_queries if '"archive"' in q["sql"]], url
