"""Progress on items: status, note, time spent, done, and rating a review. Addressed by item id."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import check_if_match, conditional_response, with_etag
from api.filters import ProgressFilter
from api.idempotency import idempotent
from api.serializers.progress import (
    ProgressDoneSerializer,
    ProgressSerializer,
    ProgressTimeSerializer,
    ProgressUpdateSerializer,
    ReviewCardSerializer,
    ReviewRateSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.models import Item, Progress
from tracker.selectors.curriculum import items_visible_to
from tracker.selectors.enrollments import progress_of
from tracker.services.progress import ProgressError, progress_add_time, progress_mark_done, progress_set_note
from tracker.services.progress_status import progress_set_status
from tracker.services.reviews import ReviewError, review_rate

PROGRESS_EXAMPLE = {
    "item": 101,
    "status": "done",
    "started_at": "2026-03-02T08:30:00Z",
    "done_at": "2026-03-02T09:10:00Z",
    "note": "Warps are 32 threads; divergence serialises branches.",
    "time_spent_minutes": 40,
    "updated_at": "2026-03-02T09:10:00Z",
}


class ProgressListView(LearnerListView):
    serializer_class = ProgressSerializer
    filterset_class = ProgressFilter
    ordering_fields = ["updated_at", "done_at", "time_spent_minutes"]
    ordering = ["-updated_at", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return Progress.objects.filter(user=self.learner)

    @extend_schema(
        summary="Your progress rows (items you touched)",
        examples=[OpenApiExample("Progress", value=[PROGRESS_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProgressSerializer(page, many=True).data)


class _ItemProgressView(LearnerView):
    serializer_class = ProgressSerializer

    def item(self, item_id: int) -> Item:
        return get_object_or_404(items_visible_to(user=self.learner), pk=item_id)

    def current(self, item: Item) -> dict[str, Any]:
        return dict(ProgressSerializer(progress_of(user=self.learner, item=item)).data)


class ProgressDetailView(_ItemProgressView):
    etag = True
    if_match = True

    @extend_schema(summary="Your progress on an item", examples=[OpenApiExample("Progress", value=PROGRESS_EXAMPLE)])
    def get(self, request: Request, item_id: int) -> Response:
        return conditional_response(request, self.current(self.item(item_id)))

    @extend_schema(
        summary="Set the status and/or the note; If-Match → 412 when stale",
        request=ProgressUpdateSerializer,
        responses=ProgressSerializer,
        examples=[
            OpenApiExample("Start", value={"status": "doing"}, request_only=True),
            OpenApiExample("Note", value={"note": "Re-read 3.2 on occupancy."}, request_only=True),
            OpenApiExample("Progress", value=PROGRESS_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, item_id: int) -> Response:
        item = self.item(item_id)
        check_if_match(request, self.current(item))
        data = validated(ProgressUpdateSerializer, request, partial=True)
        with service_errors(ProgressError):
            if "status" in data:
                progress_set_status(user=self.learner, item=item, status=data["status"], now=timezone.now())
            if "note" in data:
                progress_set_note(user=self.learner, item=item, note=data["note"])
        return with_etag(self.current(item))


class ProgressDoneView(_ItemProgressView):
    @extend_schema(
        summary="Mark the item done (send an Idempotency-Key: a retry does not add the time twice)",
        request=ProgressDoneSerializer,
        responses=ProgressSerializer,
        examples=[
            OpenApiExample("Done after 40 minutes", value={"minutes_spent": 40}, request_only=True),
            OpenApiExample("Progress", value=PROGRESS_EXAMPLE, response_only=True),
        ],
    )
    @idempotent
    def post(self, request: Request, item_id: int) -> Response:
        item = self.item(item_id)
        data = validated(ProgressDoneSerializer, request)
        with service_errors(ProgressError):
            progress_mark_done(user=self.learner, item=item, minutes_spent=data.get("minutes_spent"))
        return with_etag(self.current(item))


class ProgressTimeView(_ItemProgressView):
    @extend_schema(
        summary="Add study time to the item",
        request=ProgressTimeSerializer,
        responses=ProgressSerializer,
        examples=[
            OpenApiExample("25 minutes", value={"minutes": 25}, request_only=True),
            OpenApiExample("Progress", value={**PROGRESS_EXAMPLE, "time_spent_minutes": 65}, response_only=True),
        ],
    )
    @idempotent
    def post(self, request: Request, item_id: int) -> Response:
        item = self.item(item_id)
        data = validated(ProgressTimeSerializer, request)
        with service_errors(ProgressError):
            progress_add_time(user=self.learner, item=item, minutes=data["minutes"])
        return with_etag(self.current(item))


class ReviewCreateView(_ItemProgressView):
    serializer_class = ReviewCardSerializer  # type: ignore[assignment]

    @extend_schema(
        summary="Rate a review of a done item (again, hard, good, easy): schedules the next one",
        request=ReviewRateSerializer,
        responses={201: ReviewCardSerializer},
        examples=[
            OpenApiExample("Good", value={"rating": "good", "duration_seconds": 90}, request_only=True),
            OpenApiExample(
                "Next review",
                value={"item": 101, "due": "2026-03-05T09:10:00Z", "state": 2, "reps": 1, "last_review": None},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, item_id: int) -> Response:
        item = self.item(item_id)
        data = validated(ReviewRateSerializer, request)
        with service_errors(ReviewError):
            card = review_rate(
                user=self.learner, item=item, rating=data["rating"], duration_seconds=data.get("duration_seconds")
            )
        return Response(ReviewCardSerializer(card).data, status=status.HTTP_201_CREATED)
