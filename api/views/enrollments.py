"""Enrolments: start a track, change its priority, pace, dates or status, leave it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import check_if_match, conditional_response, with_etag
from api.filters import EnrollmentFilter
from api.idempotency import idempotent
from api.problems import Conflict
from api.serializers.enrollments import EnrollmentCreateSerializer, EnrollmentSerializer, EnrollmentUpdateSerializer
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker import selectors
from tracker.models import Enrollment
from tracker.services.enrollments import (
    AlreadyEnrolled,
    EnrollmentError,
    enrollment_create,
    enrollment_delete,
    enrollment_update,
)

ENROLLMENT_EXAMPLE = {
    "id": 9,
    "track": {
        "id": 4,
        "slug": "cuda-c-programming",
        "title": "CUDA C 编程权威指南",
        "title_en": "CUDA C",
        "kind": "book",
    },
    "priority": 1,
    "status": "active",
    "pace_unit": "minutes",
    "pace_per_day": 60,
    "start_date": "2026-03-02",
    "target_date": None,
    "projected_finish_date": "2026-05-20",
    "total_items": 52,
    "done_items": 3,
    "percent_done": 6,
    "waiting": False,
    "will_miss_target": False,
    "created_at": "2026-03-02T08:20:00Z",
    "updated_at": "2026-03-02T08:20:00Z",
}


class EnrollmentListView(LearnerListView):
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    ordering_fields = ["priority", "start_date", "target_date", "created_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.enrollments_with_progress(user=self.learner)

    @extend_schema(
        summary="Your enrolments: active first, then by priority",
        examples=[OpenApiExample("Enrolments", value=[ENROLLMENT_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EnrollmentSerializer(page, many=True).data)

    @extend_schema(
        summary="Enrol in a track (409 when already enrolled)",
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer},
        examples=[
            OpenApiExample("Enrol", value={"track": 4, "pace_unit": "minutes", "pace_per_day": 45}, request_only=True),
            OpenApiExample("Enrolment", value=ENROLLMENT_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(EnrollmentCreateSerializer, request)
        track = get_object_or_404(selectors.track_visible_to(user=self.learner), pk=data.pop("track"))
        data.setdefault("start_date", self.learner_today())
        with service_errors(EnrollmentError):
            try:
                enrollment = enrollment_create(user=self.learner, track=track, **data)
            except AlreadyEnrolled as exc:
                raise Conflict("You are already enrolled in this track; change that enrolment instead.") from exc
        body = EnrollmentSerializer(self.get_queryset().get(pk=enrollment.pk)).data
        location = reverse("api:enrollment-detail", kwargs={"pk": enrollment.pk})
        return with_etag(body, status_code=status.HTTP_201_CREATED, headers={"Location": location})


class EnrollmentDetailView(LearnerView):
    serializer_class = EnrollmentSerializer
    etag = True
    if_match = True

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.enrollments_with_progress(user=self.learner)

    def _current(self, pk: int) -> tuple[Enrollment, dict[str, Any]]:
        enrollment = get_object_or_404(self.get_queryset(), pk=pk)
        return enrollment, dict(EnrollmentSerializer(enrollment).data)

    @extend_schema(summary="One enrolment", examples=[OpenApiExample("Enrolment", value=ENROLLMENT_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        return conditional_response(request, self._current(pk)[1])

    @extend_schema(
        summary="Change priority, pace, dates or status (re-plans); If-Match → 412 when stale",
        request=EnrollmentUpdateSerializer,
        responses=EnrollmentSerializer,
        examples=[
            OpenApiExample("Pause", value={"status": "paused"}, request_only=True),
            OpenApiExample("Enrolment", value={**ENROLLMENT_EXAMPLE, "status": "paused"}, response_only=True),
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        enrollment, current = self._current(pk)
        check_if_match(request, current)
        changes = validated(EnrollmentUpdateSerializer, request, partial=True)
        with service_errors(EnrollmentError):
            enrollment_update(enrollment=enrollment, **changes)
        return with_etag(self._current(pk)[1])

    @extend_schema(summary="Leave the track: its plan goes, your progress stays", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        enrollment, current = self._current(pk)
        check_if_match(request, current)
        enrollment_delete(enrollment=enrollment)
        return Response(status=status.HTTP_204_NO_CONTENT)
