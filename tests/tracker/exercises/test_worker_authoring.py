"""End to end: a curator uploads a bundle in the admin; a real Celery worker (consuming a queue of its own) on
the real Redis broker validates it, runs its reference in the real sandbox and publishes it in the real
PostgreSQL; then the learner's page shows it."""

from __future__ import annotations

import shutil
import uuid
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.authoring_support import SLUG, good_zip
from tests.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.models import Exercise, ExerciseDraft
from tracker.tasks import exercise_draft_validate

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)")
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_bundle_is_published_by_a_real_worker(
    postgres: None, redis_url: str, client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    queued: list[int] = []
    # The upload queues the task on the grading queue; here it goes to this test's own queue instead.
    monkeypatch.setattr(exercise_draft_validate, "delay", queued.append)
    curator = UserFactory(is_staff=True)
    # An earlier transactional test flushes the rows migrations made: make the group as 0015 does.
    group, _ = Group.objects.get_or_create(name="Curators")
    codenames = import_module("tracker.migrations.0015_exercise_versions").CODENAMES
    group.permissions.add(*Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames))
    curator.groups.add(group)
    client.force_login(curator)
    response = client.post(
        "/admin/tracker/exercisedraft/add/", {"bundle": SimpleUploadedFile("t.zip", good_zip(), "application/zip")}
    )
    draft = ExerciseDraft.objects.get()
    assert response.status_code == 302 and queued == [draft.pk]

    queue = f"test-authoring-{uuid.uuid4().hex[:8]}"  # never eats anyone else's tasks
    env = worker_env(redis_url, EXERCISE_BUNDLE_CACHE=str(tmp_path / "worker-bundles"))
    worker = start_worker(queue, env, pool=("--pool", "prefork", "--concurrency", "1"))
    try:
        exercise_draft_validate.apply_async(args=[queued[0]], queue=queue)
        wait_for(lambda: ExerciseDraft.objects.get(pk=draft.pk).is_finished, worker, "validate the draft", seconds=120)
    except BaseException:
        pytest.fail(f"the worker said:\n{stop_worker(worker)[-4000:]}")
    finally:
        output = stop_worker(worker)
    draft.refresh_from_db()
    assert draft.status == "published", f"{draft.message}\n{output[-2000:]}"
    assert draft.sandboxed and all(case["ok"] for case in draft.report) and len(draft.report) == 8
    exercise = Exercise.objects.get(slug=SLUG)
    assert exercise.current_version == draft.version and exercise.current_version.number == 1
    assert (tmp_path / "worker-bundles" / draft.version.content_hash / SLUG / "cases" / "08.out.npz").is_file()
    assert "tracker.tasks.exercise_draft_validate" in output and "succeeded" in output

    client.force_login(UserFactory())
    page = client.get(reverse("frontend:exercises")).content.decode()
    assert "Triple an array" in page
