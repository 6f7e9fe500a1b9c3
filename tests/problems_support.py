"""The sample LeetCode catalogue (tests/interview_sample/, in the format of fixtures/interview/) and helpers."""

from __future__ import annotations

from pathlib import Path

from tracker.curation.interview import ProblemCatalogue, read_problem_catalogue
from tracker.models import Problem
from tracker.services.problems import problem_catalogue_upsert

SAMPLE = Path(__file__).resolve().parent / "interview_sample"


def sample_catalogue() -> ProblemCatalogue:
    catalogue = read_problem_catalogue(SAMPLE)
    assert catalogue is not None
    return catalogue


def load_sample() -> dict[str, Problem]:
    """Loads the sample catalogue; returns its problems by slug."""
    problem_catalogue_upsert(catalogue=sample_catalogue())
    return {p.slug: p for p in Problem.objects.select_related("pattern")}
