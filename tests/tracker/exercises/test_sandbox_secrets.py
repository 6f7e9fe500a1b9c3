"""A submission that goes looking for the reference or the hidden expected outputs on the grading machine's
disk finds nothing: the sandbox mounts none of the folders that hold them (the unpacked versions, the
curated bundles, the checkout), and its own work folder holds only the harness and the submission."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.conf import settings

from grader.sandbox import SandboxConfig, bwrap_argv, python_roots
from tests.authoring_fixtures import needs_bwrap, uploaded
from tests.authoring_support import SLUG
from tests.factories import UserFactory
from tracker.models import Exercise, Submission
from tracker.services.exercises import exercises_sync, submission_create, submission_grade, version_bundle_folder

__all__ = ["uploaded"]
pytestmark = [pytest.mark.django_db, needs_bwrap]
ROOT = Path(__file__).resolve().parents[3]

SNOOP = """
import os


def triple(x):
    found = []
    for path in {paths!r}:
        try:
            with open(path, "rb") as handle:
                found.append(path + " -> " + handle.read(32).hex())
        except OSError as exc:
            if os.path.exists(path):
                found.append(path + " exists")
    box = sorted(os.listdir("."))
    tmp = sorted(os.listdir("/tmp"))
    raise RuntimeError("FOUND=%r BOX=%r TMP=%r" % (found, box, tmp))
"""


def _sandbox_binds() -> list[str]:
    argv = bwrap_argv(
        SandboxConfig(),
        harness="/nonexistent/harness.py",
        result_fd=3,
        binds=[(str(r), str(r)) for r in python_roots(sys.executable)],
        seccomp_fd=None,
    )
    return [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]


def test_the_sandbox_mounts_no_folder_that_holds_a_bundle() -> None:
    secret_folders = [Path(settings.EXERCISE_BUNDLE_CACHE), Path(settings.EXERCISES_DIR), ROOT]
    for source in _sandbox_binds():
        bound = Path(source).resolve()
        for folder in secret_folders:
            folder = folder.resolve()
            assert bound != folder and bound not in folder.parents, f"{bound} exposes {folder}"


def test_a_submission_that_looks_for_the_reference_or_hidden_outputs_finds_nothing(uploaded: Exercise) -> None:
    exercises_sync()  # the curated bundles too
    unpacked = version_bundle_folder(version=uploaded.current_version)
    curated = Path(settings.EXERCISES_DIR) / "vector-add"
    paths = [
        str(unpacked / "reference.py"),
        str(unpacked / "cases" / "08.out.npz"),
        str(unpacked / "cases" / "08.in.json"),
        str(curated / "reference.py"),
        str(curated / "cases" / "10.out.npz"),
        str(ROOT / "manage.py"),
        str(Path(settings.EXERCISE_BUNDLE_CACHE)),
        "/proc/1/root" + str(unpacked / "reference.py"),
        "/proc/self/cwd/../reference.py",
        "/etc/passwd",
    ]
    assert all(Path(p).exists() for p in paths[:7])  # they are there on the host
    submission = submission_create(user=UserFactory(), exercise=uploaded, code=SNOOP.format(paths=paths), kind="run")
    submission_grade(submission_id=submission.pk)
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.verdict == "RE" and submission.sandboxed
    messages = [r.message for r in submission.results.all()]
    assert messages and all("FOUND=[]" in m for m in messages), messages[0][-600:]
    # The sandbox's /tmp is its own, empty but for the path down to the Python it binds read-only when that
    # lives under /tmp (a checkout there, with its virtualenv).
    prefix = Path(sys.prefix).resolve()
    tmp = [prefix.relative_to("/tmp").parts[0]] if prefix.is_relative_to("/tmp") else []  # noqa: S108 (the sandbox's /tmp, not a file of ours)
    assert all(f"BOX=['harness.py', 'submission.py'] TMP={tmp!r}" in m for m in messages), messages[0][-600:]
    assert SLUG in str(unpacked)  # the paths named are the real ones
