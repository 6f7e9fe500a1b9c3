"""Exercises (their public view) and submissions: send code (202 and a status URL), poll it, list yours."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import conditional_response, with_etag
from api.idempotency import idempotent
from api.serializers.exercises import (
    ExerciseDetailSerializer,
    ExerciseListSerializer,
    SubmissionCreateSerializer,
    SubmissionDetailSerializer,
    SubmissionSerializer,
)
from api.views.base import LearnerListView, LearnerView, validated
from grader.bundles import BundleError
from tracker.models import Exercise, Submission
from tracker.selectors.exercises import (
    exercise_availability,
    exercises_for_learner,
    submission_with_results,
    submissions_of,
    toolchains_installed,
)
from tracker.services.exercises import (
    SubmissionError,
    SubmissionRateLimited,
    exercise_bundle,
    submission_create,
    submission_regrade,
)

EXERCISE_EXAMPLE = {
    "slug": "vector-add",
    "title": "Vectorised add of two 256-element vectors",
    "difficulty": "easy",
    "tags": ["numpy", "simd", "tvm"],
    "track": "career-operator-optimisation",
    "item": 412,
    "time_limit_s": 1.0,
    "memory_limit_mb": 128,
    "visible_cases": 3,
    "hidden_cases": 7,
    "max_score": 10.0,
    "best_score": 7.0,
    "version": {"number": 2, "hash": "207cb96a4c56", "content_hash": "207cb96a4c56" + "0" * 52},
    "toolchains": [{"name": "onnxruntime", "title": "ONNX Runtime", "version": "1.32.0"}],
    "available": True,
    "install_hint": "",
}
SUBMISSION_EXAMPLE = {
    "id": 77,
    "exercise": "vector-add",
    "kind": "submit",
    "status": "done",
    "verdict": "WA",
    "score": 7.0,
    "max_score": 10.0,
    "time_ms": 3.2,
    "memory_kb": 28120,
    "created_at": "2026-03-02T08:00:00Z",
    "started_at": "2026-03-02T08:00:01Z",
    "finished_at": "2026-03-02T08:00:02Z",
    "version": {"number": 2, "hash": "207cb96a4c56", "content_hash": "207cb96a4c56" + "0" * 52},
    "regrade_of": None,
    "status_url": "/api/v1/submissions/77/",
}


class SubmissionFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    exercise = filters.CharFilter(field_name="exercise__slug", help_text="An exercise slug, e.g. vector-add.")
    kind = filters.ChoiceFilter(choices=Submission.Kind.choices)
    status = filters.ChoiceFilter(choices=Submission.Status.choices)

    class Meta:
        model = Submission
        fields = ["exercise", "kind", "status"]


class ExerciseListView(LearnerListView):
    serializer_class = ExerciseListSerializer
    ordering_fields = ["title", "difficulty", "slug"]

    def get_queryset(self) -> QuerySet[Any]:
        return exercises_for_learner(user=self.learner)

    @extend_schema(
        summary="Exercises, with your best score",
        examples=[OpenApiExample("Exercises", value=[EXERCISE_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        installed = toolchains_installed()
        for exercise in page or []:
            exercise.availability = exercise_availability(exercise=exercise, installed=installed)
        return self.get_paginated_response(ExerciseListSerializer(page, many=True).data)


class ExerciseDetailView(LearnerView):
    serializer_class = ExerciseDetailSerializer
    etag = True

    def get_queryset(self) -> QuerySet[Any]:
        return exercises_for_learner(user=self.learner)

    @extend_schema(summary="An exercise's statement, starter, limits and visible examples (ETag)")
    def get(self, request: Request, slug: str) -> Response:
        exercise: Exercise = get_object_or_404(self.get_queryset(), slug=slug)
        try:
            # The public view: it never holds the reference or a hidden case's output.
            examples = [case.to_dict() for case in exercise_bundle(exercise=exercise).public_view().visible_cases]
        except (BundleError, OSError):
            examples = []
        exercise.examples = examples  # type: ignore[attr-defined]
        exercise.availability = exercise_availability(exercise=exercise, installed=toolchains_installed())  # type: ignore[attr-defined]
        return conditional_response(request, ExerciseDetailSerializer(exercise).data)


class ExerciseSubmissionView(LearnerView):
    serializer_class = SubmissionSerializer

    @extend_schema(
        summary="Send code for grading: 202 and a status URL to poll (rate limited: 429 with Retry-After)",
        request=SubmissionCreateSerializer,
        responses={202: SubmissionSerializer},
        examples=[
            OpenApiExample(
                "Submit",
                value={"code": "def vector_add(a, b):\n    return a + b\n", "kind": "submit"},
                request_only=True,
            ),
            OpenApiExample(
                "Queued",
                value={**SUBMISSION_EXAMPLE, "status": "queued", "verdict": "", "score": None},
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        exercise: Exercise = get_object_or_404(exercises_for_learner(user=self.learner), slug=slug)
        data = validated(SubmissionCreateSerializer, request)
        try:
            submission = submission_create(user=self.learner, exercise=exercise, code=data["code"], kind=data["kind"])
        except SubmissionRateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after, detail=str(exc)) from exc
        except SubmissionError as exc:
            raise exceptions.ValidationError({"code": [str(exc)]}) from exc
        body = SubmissionSerializer(submission).data
        return with_etag(body, status_code=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class SubmissionListView(LearnerListView):
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    ordering_fields = ["created_at", "score"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Any]:
        return submissions_of(user=self.learner)

    @extend_schema(
        summary="Your submissions, newest first",
        examples=[OpenApiExample("Submissions", value=[SUBMISSION_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SubmissionSerializer(page, many=True).data)


# A lab exercise's case: its stages (a run of the submission, then the grader loading the model it wrote) and
# the figures it reached against their bars.
LAB_DETAIL_EXAMPLE = {
    **SUBMISSION_EXAMPLE,
    "exercise": "ort-static-int8",
    "message": "",
    "code": "def quantize(model_path, calibration_path, out_path): ...",
    "results": [
        {
            "case": "01",
            "visible": True,
            "verdict": "WA",
            "points": 0.0,
            "max_points": 1.0,
            "time_ms": 64.0,
            "memory_kb": 91444,
            "message": "top1_agreement 0.3125, >= 0.98 needed",
            "diff": "",
            "stages": [
                {"name": "run", "verdict": "AC", "time_ms": 60.0, "peak_memory_kb": 91288, "message": ""},
                {"name": "load", "verdict": "AC", "time_ms": 4.0, "peak_memory_kb": 91444, "message": ""},
            ],
            "metrics": [
                {"name": "size ratio", "value": 0.27, "bar": 0.35, "bound": "max", "passed": True},
                {"name": "top1_agreement", "value": 0.3125, "bar": 0.98, "bound": "min", "passed": False},
            ],
        }
    ],
}


class SubmissionDetailView(LearnerView):
    serializer_class = SubmissionDetailSerializer
    etag = True

    def get_queryset(self) -> QuerySet[Any]:
        return submission_with_results(user=self.learner)

    @extend_schema(
        summary="One of your submissions with each case's result; poll it until done (ETag)",
        examples=[OpenApiExample("A deployment-lab submission", value=LAB_DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, pk: int) -> Response:
        submission = get_object_or_404(self.get_queryset(), pk=pk)
        return conditional_response(request, SubmissionDetailSerializer(submission).data)


class SubmissionRegradeView(LearnerView):
    serializer_class = SubmissionSerializer

    @extend_schema(
        summary="Grade one of your submissions again on the exercise's current version: 202 and the new submission",
        description="Allowed once a newer version of the exercise was published since it was graded (400 "
        "otherwise). The old submission keeps its result; the new one points back to it in `regrade_of`. "
        "Counts against the rate limit like a submission (429 with Retry-After).",
        request=None,
        responses={202: SubmissionSerializer},
        examples=[
            OpenApiExample(
                "Queued",
                value={**SUBMISSION_EXAMPLE, "id": 78, "status": "queued", "verdict": "", "score": None,
                       "version": None, "regrade_of": 77, "status_url": "/api/v1/submissions/78/"},
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )  # fmt: skip
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        submission = get_object_or_404(submissions_of(user=self.learner), pk=pk)
        try:
            again = submission_regrade(submission=submission, requested_by=self.learner)
        except SubmissionRateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after, detail=str(exc)) from exc
        except SubmissionError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        body = SubmissionSerializer(again).data
        return with_etag(body, status_code=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
