"""`manage.py seed` loads fixtures/interview/ when it is there, idempotently, and says so when it is not."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.problems_support import SAMPLE
from tracker.models import Problem, ProblemSetEntry

pytestmark = pytest.mark.django_db

TRACK = """slug: tiny
kind: course
title: Tiny
title_en: Tiny
items:
  - {key: a, kind: section, title: A, title_en: A}
"""


def seed(folder: Path) -> str:
    out = io.StringIO()
    call_command("seed", fixtures=folder, no_demo=True, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "tiny.yaml").write_text(TRACK, encoding="utf-8")
    return tmp_path


def test_seed_says_nothing_was_loaded_without_the_interview_folder(fixtures: Path) -> None:
    assert "Interview problems: nothing loaded" in seed(fixtures)
    assert not Problem.objects.exists()


def test_seed_loads_the_interview_folder_once(fixtures: Path) -> None:
    shutil.copytree(SAMPLE, fixtures / "interview")
    first = seed(fixtures)
    assert "Interview problems: 16 problems, 3 sets, 24 patterns" in first and "created" in first
    entries = ProblemSetEntry.objects.count()
    second = seed(fixtures)
    assert "Interview problems: 16 problems, 3 sets, 24 patterns (already up to date)" in second
    assert ProblemSetEntry.objects.count() == entries == 12


def test_a_bad_interview_file_stops_the_seed_naming_the_place(fixtures: Path) -> None:
    shutil.copytree(SAMPLE, fixtures / "interview")
    path = fixtures / "interview" / "problems.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("pattern: stack", "pattern: queue", 1), encoding="utf-8")
    with pytest.raises(CommandError, match=r"problems.yaml: \[7\]\.pattern: 'queue' is not a primary pattern"):
        seed(fixtures)
    assert not Problem.objects.exists()
