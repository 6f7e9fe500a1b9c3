"""Curators' bundles (tracker/services/exercise_drafts.py and the admin): an upload or an edit is a draft
until a worker has validated it and run its reference in the sandbox; then it is a new version.

The task runs eagerly here (`.apply`); tests/tracker/exercises/test_worker_grading.py has the real worker."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grader.sandbox import SandboxUnavailable
from tests.authoring_support import (
    REFERENCE,
    SLUG,
    bundle_files,
    cpp_bundle_files,
    good_zip,
    hostile_zips,
    make_zip,
)
from tests.factories import UserFactory
from tracker.models import Exercise, ExerciseDraft, ExerciseVersion, Submission, User
from tracker.services import exercise_drafts
from tracker.services.exercise_drafts import DraftError, exercise_draft_upload
from tracker.services.exercises import exercises_sync, submission_create, submission_grade
from tracker.tasks import exercise_draft_validate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"),
]


@pytest.fixture
def curator(db: None) -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def _validate(draft: ExerciseDraft) -> ExerciseDraft:
    assert exercise_draft_validate.apply(args=[draft.pk]).get() in ("published", "refused")
    draft.refresh_from_db()
    return draft


def publish(user: User, data: bytes | None = None) -> Exercise:
    draft = _validate(exercise_draft_upload(archive=data or good_zip(), name="triple-it.zip", user=user))
    assert draft.status == "published", draft.message
    return Exercise.objects.select_related("current_version").get(slug=draft.slug)


# --- Through the admin ---


def test_a_good_zip_uploaded_in_the_admin_is_published_after_the_task_runs(
    curator: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(curator)
    assert client.get("/admin/tracker/exercisedraft/add/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            "/admin/tracker/exercisedraft/add/",
            {"bundle": SimpleUploadedFile("triple-it.zip", good_zip(), "application/zip")},
            follow=True,
        )
    assert response.status_code == 200
    assert "Uploaded triple-it: a worker validates it" in response.content.decode()
    assert len(queued) == 1  # the validation task, queued after commit
    draft = ExerciseDraft.objects.get()
    assert (draft.status, draft.slug, draft.source) == ("queued", SLUG, "upload")
    assert not Exercise.objects.filter(slug=SLUG).exists()  # a draft never reaches learners

    draft = _validate(draft)
    assert draft.status == "published" and draft.message == f"Published as version 1 ({draft.version.short_hash})."
    exercise = Exercise.objects.get(slug=SLUG)
    assert exercise.current_version == draft.version and exercise.is_published
    assert (draft.version.number, draft.version.source, draft.version.created_by) == (1, "upload", curator)
    assert (exercise.visible_cases, exercise.hidden_cases, exercise.max_score) == (3, 5, 8)

    page = client.get(f"/admin/tracker/exercisedraft/{draft.pk}/change/").content.decode()
    assert page.count("<td>ok</td>") == 8 and "Published as version 1" in page


@pytest.mark.parametrize("name", sorted(hostile_zips()))
def test_each_hostile_zip_is_refused_in_the_admin_with_its_message(name: str, curator: User, client: Client) -> None:
    data, message = hostile_zips()[name]
    client.force_login(curator)
    response = client.post(
        "/admin/tracker/exercisedraft/add/",
        {"bundle": SimpleUploadedFile("bundle.zip", data, "application/zip")},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ExerciseDraft.objects.exists() and not Exercise.objects.exists()


def test_a_bundle_whose_reference_misbehaves_is_refused_with_its_report(curator: User, client: Client) -> None:
    sneaky = REFERENCE.replace("    return", "    if x[0] > 1000:\n        raise ValueError('hidden case')\n    return")
    draft = _validate(exercise_draft_upload(archive=good_zip(reference=sneaky), name="t.zip", user=curator))
    assert draft.status == "refused" and draft.version is None
    assert "case 08: the reference failed (exception)" in draft.message
    assert [c["case"] for c in draft.report if not c["ok"]] == ["08"]
    assert not Exercise.objects.filter(slug=SLUG).exists()
    client.force_login(curator)
    page = client.get(f"/admin/tracker/exercisedraft/{draft.pk}/change/").content.decode()
    assert "FAILED" in page and "hidden case" in page


def test_editing_a_part_in_the_admin_makes_a_new_version(curator: User, client: Client) -> None:
    exercise = publish(curator)
    first = exercise.current_version
    client.force_login(curator)
    url = f"/admin/tracker/exercise/{exercise.pk}/bundle/"
    form = client.get(url)
    assert form.status_code == 200 and "reference-only-marker" in form.content.decode()  # curators edit it
    parts = bundle_files()
    response = client.post(
        url,
        {
            "exercise_toml": parts["exercise.toml"].decode(),
            "statement_md": "Return `x` times three, as int64.\n",
            "starter_py": parts["starter.py"].decode(),
            "reference_py": parts["reference.py"].decode(),
            "checker_py": "",
        },
    )
    draft = ExerciseDraft.objects.get(source="edit")
    assert response.status_code == 302 and response["Location"].endswith(f"/exercisedraft/{draft.pk}/change/")
    Exercise.objects.filter(pk=exercise.pk).update()  # nothing changes before the worker has run
    assert Exercise.objects.get(pk=exercise.pk).statement_md.startswith("Return `x` times three.")

    draft = _validate(draft)
    exercise.refresh_from_db()
    assert draft.status == "published" and exercise.current_version.number == 2
    assert exercise.current_version.content_hash != first.content_hash
    assert exercise.statement_md == "Return `x` times three, as int64.\n"
    assert list(exercise.versions.values_list("number", "source")) == [(2, "edit"), (1, "upload")]


@pytest.mark.skipif(shutil.which("g++") is None, reason="C++ bundles need g++ (make system-deps installs it)")
def test_a_cpp_bundle_is_edited_through_its_cpp_sources(curator: User, client: Client) -> None:
    files = cpp_bundle_files()
    exercise = publish(curator, make_zip(files, folder="triple-it-cpp/"))
    client.force_login(curator)
    url = f"/admin/tracker/exercise/{exercise.pk}/bundle/"
    page = client.get(url).content.decode()
    assert "reference.cpp" in page and "starter.cpp" in page and "reference-only-marker" in page
    assert "reference.py" not in page
    edited = files["reference.cpp"].decode().replace("3 * x[i]", "x[i] + x[i] + x[i]")
    response = client.post(
        url,
        {
            "exercise_toml": files["exercise.toml"].decode(),
            "statement_md": "Write `out[i] = 3 * x[i]`, in C++17.\n",
            "starter_cpp": files["starter.cpp"].decode(),
            "reference_cpp": edited,
            "checker_py": "",
        },
    )
    draft = _validate(ExerciseDraft.objects.get(source="edit"))
    assert response.status_code == 302 and draft.status == "published", draft.message
    exercise.refresh_from_db()
    assert exercise.current_version.number == 2 and exercise.statement_md.endswith("in C++17.\n")
    assert "x[i] + x[i] + x[i]" in client.get(url).content.decode()


def test_an_edit_that_breaks_the_bundle_is_refused_in_the_form(curator: User, client: Client) -> None:
    exercise = publish(curator)
    client.force_login(curator)
    parts = bundle_files()
    response = client.post(
        f"/admin/tracker/exercise/{exercise.pk}/bundle/",
        {
            "exercise_toml": parts["exercise.toml"].decode().replace(SLUG, "another-slug"),
            "statement_md": "x",
            "starter_py": "x",
            "reference_py": "x",
        },
    )
    assert response.status_code == 200
    assert "a slug cannot change in an edit" in response.content.decode()
    assert not ExerciseDraft.objects.filter(source="edit").exists()


# --- The service's rules ---


def test_publishing_the_same_content_again_makes_no_new_version(curator: User) -> None:
    exercise = publish(curator)
    again = _validate(exercise_draft_upload(archive=good_zip(), name="again.zip", user=curator))
    assert again.status == "published" and "the same content as version 1" in again.message
    assert exercise.versions.count() == 1


def test_a_validated_draft_is_not_validated_twice(curator: User) -> None:
    draft = _validate(exercise_draft_upload(archive=good_zip(), name="t.zip", user=curator))
    assert exercise_draft_validate.apply(args=[draft.pk]).get() == "skipped"
    assert ExerciseVersion.objects.count() == 1


def test_a_custom_checker_needs_its_own_permission(curator: User) -> None:
    files = bundle_files()
    files["checker.py"] = b"def check(arguments, expected, actual):\n    return 1.0, ''\n"
    files["exercise.toml"] = files["exercise.toml"].replace(b'kind = "exact"', b'kind = "custom"')
    with pytest.raises(DraftError, match="needs the 'Can publish bundles with a custom checker' permission"):
        exercise_draft_upload(archive=make_zip(files), name="t.zip", user=curator)
    assert not ExerciseDraft.objects.exists()
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert exercise_draft_upload(archive=make_zip(files), name="t.zip", user=admin).status == "queued"


def test_a_worker_without_a_sandbox_retries_then_refuses_saying_so(
    curator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sandbox(*args: object, **kwargs: object) -> None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")

    monkeypatch.setattr(exercise_drafts, "prepare_bundle", no_sandbox)
    draft = _validate(exercise_draft_upload(archive=good_zip(), name="t.zip", user=curator))
    assert draft.status == "refused" and draft.attempts == 4
    assert "the sandbox could not run on the worker (bubblewrap (bwrap) is not installed)" in draft.message


def test_seed_leaves_an_exercise_made_in_the_admin_as_it_is(curator: User) -> None:
    exercises_sync()
    vector = Exercise.objects.get(slug="vector-add")
    assert vector.current_version.source == "fixtures" and vector.current_version.number == 1
    files = {
        str(p.relative_to(vector.bundle_path)): p.read_bytes() for p in vector.bundle_path.rglob("*") if p.is_file()
    }
    files["statement.md"] = b"Add the vectors (edited in the admin).\n"
    admin = UserFactory(is_superuser=True, is_staff=True)
    publish(admin, make_zip(files))
    report = exercises_sync()
    vector.refresh_from_db()
    assert vector.current_version.number == 2 and vector.statement_md.startswith("Add the vectors (edited")
    assert "vector-add: its current version was made in the admin; the folder was not loaded" in report.warnings
    assert "vector-add" not in report.unpublished


def test_seed_makes_a_new_version_when_a_bundle_folder_changes(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    source = Exercise(slug="vector-add").bundle_path
    shutil.copytree(source, tmp_path / "vector-add")
    settings.EXERCISES_DIR = tmp_path
    exercises_sync()
    assert not exercises_sync().changed
    (tmp_path / "vector-add" / "statement.md").write_text("A new statement.\n")
    report = exercises_sync()
    exercise = Exercise.objects.get(slug="vector-add")
    assert report.updated == ["vector-add"] and exercise.current_version.number == 2


# --- Grading on versions ---


def test_a_submission_records_the_version_it_was_graded_on(curator: User) -> None:
    exercise = publish(curator)
    learner = UserFactory()
    submission = submission_create(user=learner, exercise=exercise, code=REFERENCE)
    assert submission.version is None  # known when graded
    assert submission_grade(submission_id=submission.pk) == "graded"
    submission.refresh_from_db()
    assert (submission.verdict, submission.score, submission.version) == ("AC", 8, exercise.current_version)
    assert submission.sandboxed


def test_an_uploaded_version_is_unpacked_from_the_database_on_a_new_machine(curator: User, settings) -> None:  # type: ignore[no-untyped-def]
    exercise = publish(curator)
    shutil.rmtree(settings.EXERCISE_BUNDLE_CACHE / exercise.current_version.content_hash, ignore_errors=True)
    submission = submission_create(user=UserFactory(), exercise=exercise, code=REFERENCE)
    submission_grade(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).verdict == "AC"
    assert (settings.EXERCISE_BUNDLE_CACHE / exercise.current_version.content_hash / SLUG / "reference.py").is_file()


def test_admin_lists_never_load_a_bundle_archive(curator: User, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    exercise = publish(curator)
    submission_create(user=UserFactory(), exercise=exercise, code=REFERENCE)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in ("/admin/tracker/exercise/", "/admin/tracker/exercisedraft/", "/admin/tracker/submission/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        loaded = [q["sql"] for q in queries.captured_queries if '"archive"' in q["sql"]]
        assert not loaded, (url, loaded)
