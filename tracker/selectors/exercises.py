"""Reads for the exercise pages and API: the catalogue with each learner's best score and current version,
one learner's submissions with their case results and the version each was graded against, and which
toolchains this server has. Nothing here reads a bundle or a version's archive (where an uploaded bundle's
reference and hidden outputs are): every join defers it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from grader import toolchains
from tracker.models import Exercise, Submission, SubmissionCaseResult, Tag, User

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class ToolchainStatus:
    name: str
    title: str
    version: str | None  # installed here, or None

    @property
    def installed(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class ExerciseAvailability:
    """The toolchains an exercise needs with what this server has, and what to install when one is missing."""

    toolchains: tuple[ToolchainStatus, ...]
    install_hint: str

    @property
    def available(self) -> bool:
        return all(t.installed for t in self.toolchains)


def toolchains_installed() -> dict[str, str | None]:
    """Every known toolchain's installed version here (grader.toolchains; reads metadata, imports nothing)."""
    return toolchains.available()


def exercise_availability(*, exercise: Exercise, installed: dict[str, str | None]) -> ExerciseAvailability:
    """No query: the exercise's `toolchains` against `installed` (from toolchains_installed, once a request),
    with what to install in the request's language."""
    rows = tuple(
        ToolchainStatus(
            name=name,
            title=toolchains.TOOLCHAINS[name].title if name in toolchains.TOOLCHAINS else name,
            version=installed.get(name),
        )
        for name in exercise.toolchains
    )
    missing = [t.name for t in rows if not t.installed and t.name in toolchains.TOOLCHAINS]
    unknown = [t.name for t in rows if t.name not in toolchains.TOOLCHAINS]
    hints = []
    if missing:
        hints.append(
            gettext("Install %(titles)s on the grading workers: pip install -r %(file)s (or pip install %(pins)s).")
            % {
                "titles": ", ".join(toolchains.TOOLCHAINS[n].title for n in missing),
                "file": toolchains.REQUIREMENTS_FILE,
                "pins": " ".join(toolchains.TOOLCHAINS[n].pip_requirement(toolchains.PINNED.get(n)) for n in missing),
            }
        )
    if unknown:
        hints.append(gettext("Unknown toolchains: %(names)s.") % {"names": ", ".join(unknown)})
    return ExerciseAvailability(toolchains=rows, install_hint=" ".join(hints))


def exercises_for_learner(*, user: User) -> QuerySet[Exercise]:
    """Published exercises with `best_score`: the learner's best graded submission (not runs), or None."""
    graded = Q(
        submissions__user=user,
        submissions__kind=Submission.Kind.SUBMIT,
        submissions__status=Submission.Status.DONE,
    )
    return (
        Exercise.objects.filter(is_published=True)
        .select_related("track", "item", "current_version")
        .defer("current_version__archive")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("slug")))
        .annotate(best_score=Max("submissions__score", filter=graded))
        .order_by("title", "id")
    )


def submissions_of(*, user: User) -> QuerySet[Submission]:
    """The learner's submissions, newest first, with their exercise."""
    return (
        Submission.objects.filter(user=user)
        .select_related("exercise", "exercise__current_version", "version")
        .defer("version__archive", "exercise__current_version__archive")
        .order_by("-created_at", "-id")
    )


def submission_with_results(*, user: User) -> QuerySet[Submission]:
    """The learner's submissions with their case results prefetched in case order (2 queries)."""
    results = SubmissionCaseResult.objects.order_by("position", "id")
    return submissions_of(user=user).prefetch_related(Prefetch("results", queryset=results))


def submission_history(*, user: User, exercise: Exercise, limit: int = HISTORY_LENGTH) -> list[Submission]:
    return list(submissions_of(user=user).filter(exercise=exercise)[:limit])
