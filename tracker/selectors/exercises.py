"""Reads for the exercise pages and API: the catalogue with each learner's best score, one learner's
submissions with their case results. Nothing here reads a bundle: the reference solution and hidden
outputs are never in the database."""

from __future__ import annotations

from django.db.models import Max, Prefetch, Q, QuerySet

from tracker.models import Exercise, Submission, SubmissionCaseResult, Tag, User

HISTORY_LENGTH = 20


def exercises_for_learner(*, user: User) -> QuerySet[Exercise]:
    """Published exercises with `best_score`: the learner's best graded submission (not runs), or None."""
    graded = Q(
        submissions__user=user,
        submissions__kind=Submission.Kind.SUBMIT,
        submissions__status=Submission.Status.DONE,
    )
    return (
        Exercise.objects.filter(is_published=True)
        .select_related("track", "item")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("slug")))
        .annotate(best_score=Max("submissions__score", filter=graded))
        .order_by("title", "id")
    )


def submissions_of(*, user: User) -> QuerySet[Submission]:
    """The learner's submissions, newest first, with their exercise."""
    return Submission.objects.filter(user=user).select_related("exercise").order_by("-created_at", "-id")


def submission_with_results(*, user: User) -> QuerySet[Submission]:
    """The learner's submissions with their case results prefetched in case order (2 queries)."""
    results = SubmissionCaseResult.objects.order_by("position", "id")
    return submissions_of(user=user).prefetch_related(Prefetch("results", queryset=results))


def submission_history(*, user: User, exercise: Exercise, limit: int = HISTORY_LENGTH) -> list[Submission]:
    return list(submissions_of(user=user).filter(exercise=exercise)[:limit])
