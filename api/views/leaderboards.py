"""Leaderboards of timed exercises: each learner's best speed-up, ranked (tracker/selectors/leaderboards.py
says who counts). Every signed-in learner reads every board; a learner who published no handle shows as
`handle: null`, and only the caller's own row carries a submission id."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import conditional_response
from api.serializers.leaderboards import LeaderboardRowSerializer
from api.views.base import LearnerView
from tracker.models import Exercise, Submission
from tracker.selectors.leaderboards import exercise_leaderboard, leaderboard_exercises

LEADERBOARD_EXAMPLE = {
    "count": 3,
    "next": None,
    "previous": None,
    "results": [
        {"rank": 1, "handle": "tile_master", "is_you": False, "speedup": 9.4,
         "submitted_at": "2026-11-02T09:14:00Z", "submission": None},
        {"rank": 2, "handle": None, "is_you": False, "speedup": 6.1,
         "submitted_at": "2026-11-01T17:40:00Z", "submission": None},
        {"rank": 3, "handle": "ada_k", "is_you": True, "speedup": 4.3,
         "submitted_at": "2026-11-02T10:05:00Z", "submission": 812},
    ],
}  # fmt: skip


class ExerciseLeaderboardView(ListModelMixin, LearnerView):
    serializer_class = LeaderboardRowSerializer
    queryset = Submission.objects.none()  # drf-spectacular asks for a model; the rows are computed
    etag = True

    @extend_schema(
        summary="A timed exercise's leaderboard: each learner's best speed-up, best first (ETag)",
        description="Ranked: accepted submissions with a measured speed-up, not held for review or rejected; "
        "one row per learner (their best), a tie going to the earlier submission. 404 for an exercise that "
        "is not timed.",
        examples=[OpenApiExample("Leaderboard", value=LEADERBOARD_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, slug: str) -> Response:
        exercise: Exercise = get_object_or_404(leaderboard_exercises(), slug=slug)
        if not exercise.timed:
            raise exceptions.NotFound(_("This exercise is not timed, so it has no leaderboard."))
        rows = exercise_leaderboard(exercise=exercise, viewer=self.learner)
        page = self.paginate_queryset(rows)  # a list pages like a queryset
        body = self.get_paginated_response(LeaderboardRowSerializer(page, many=True).data).data
        return conditional_response(request, body)
