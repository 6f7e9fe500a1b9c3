"""Fixtures for tests of an exercise published from an upload (the reference lives only in the version's
archive and the worker's unpacked copy): `uploaded` publishes `tests.authoring_support`'s bundle through the
draft service and its task, in the real sandbox."""

from __future__ import annotations

import shutil

import pytest

from tests.authoring_support import good_zip
from tests.factories import UserFactory
from tracker.models import Exercise, ExerciseDraft, User
from tracker.services.exercise_drafts import exercise_draft_upload, exercise_draft_validate

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"
)
# What a learner must never read: a line of the reference, the hidden input and its expected output.
SECRETS = ("reference-only-marker", "7391113", "22173339")


def publish_zip(data: bytes) -> Exercise:
    curator = User.objects.filter(username="curator-of-tests").first() or UserFactory(
        is_staff=True, is_superuser=True, username="curator-of-tests"
    )
    draft = exercise_draft_upload(archive=data, name="bundle.zip", user=curator)
    exercise_draft_validate(draft_id=draft.pk)
    draft = ExerciseDraft.objects.get(pk=draft.pk)
    assert draft.status == "published", draft.message
    return Exercise.objects.select_related("current_version").get(slug=draft.slug)


@pytest.fixture
def uploaded(db: None) -> Exercise:
    return publish_zip(good_zip())


def assert_no_upload_secrets(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"a learner could read these: {leaked}"
