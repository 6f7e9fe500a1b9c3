"""Deadlines (yours to change, curated ones to read), the reading queue, and skills."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import with_etag
from api.filters import DeadlineFilter, ReadingFilter, SkillFilter
from api.idempotency import idempotent
from api.serializers.personal import (
    DeadlineSerializer,
    DeadlineWriteSerializer,
    ReadingCreateSerializer,
    ReadingEntrySerializer,
    ReadingUpdateSerializer,
    SkillLevelSerializer,
    SkillSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker import selectors
from tracker.models import Deadline, ReadingQueueEntry, Skill, Track
from tracker.selectors.curriculum import items_visible_to
from tracker.selectors.skills import skills_with_level
from tracker.services.deadlines import DeadlineError, deadline_create, deadline_delete, deadline_update
from tracker.services.reading import (
    NotReadable,
    ReadingError,
    reading_entry_add,
    reading_entry_delete,
    reading_entry_move,
    reading_entry_set_status,
)
from tracker.services.skills import SkillError, skill_assess

DEADLINE_EXAMPLE = {
    "id": 31,
    "title": "CVPR 投稿",
    "title_en": "CVPR submission",
    "kind": "conference",
    "due_at": "2026-11-14T23:59:00-12:00",
    "time_zone": "Etc/GMT+12",
    "url": "https://cvpr.thecvf.com/",
    "track": None,
    "is_public": True,
    "created_at": "2026-01-05T10:00:00Z",
}
READING_EXAMPLE = {
    "id": 8,
    "item": None,
    "post": None,
    "title": "Int8 quantisation in TensorRT",
    "url": "https://example.org/int8",
    "display_title": "Int8 quantisation in TensorRT",
    "position": 1,
    "status": "queued",
    "added_at": "2026-03-02T08:00:00Z",
    "read_at": None,
    "summary": "",
}
READING_FROM_FEED_EXAMPLE = {
    **READING_EXAMPLE,
    "id": 9,
    "post": {
        "id": 9001,
        "title": "TensorRT 的 INT8 量化",
        "url": "https://oldpan.me/archives/tensorrt-int8",
        "published_at": "2026-03-01T12:00:00Z",
        "feed": {"id": 12, "title": "Oldpan 的博客", "url": "https://oldpan.me/feed", "site_url": "https://oldpan.me/"},
    },
    "title": "TensorRT 的 INT8 量化",
    "url": "https://oldpan.me/archives/tensorrt-int8",
    "display_title": "TensorRT 的 INT8 量化",
    "position": 2,
}
SKILL_EXAMPLE = {
    "id": 5,
    "key": "cuda",
    "tier": "T3",
    "title": "CUDA 编程",
    "title_en": "CUDA programming",
    "description": "",
    "position": 1,
    "tracks": [4],
    "my_level": 2,
}


class _Deadlines(LearnerView):
    serializer_class = DeadlineSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return Deadline.objects.filter(Q(owner=self.learner) | Q(owner__isnull=True)).order_by("due_at", "id")

    def track_or_none(self, track_id: int | None) -> Track | None:
        if track_id is None:
            return None
        track: Track = get_object_or_404(selectors.track_visible_to(user=self.learner), pk=track_id)
        return track


class DeadlineListView(ListModelMixin, _Deadlines):
    filterset_class = DeadlineFilter
    ordering_fields = ["due_at", "created_at", "title"]

    @extend_schema(
        summary="Your deadlines and the curated public ones",
        examples=[OpenApiExample("Deadlines", value=[DEADLINE_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DeadlineSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a deadline of your own",
        request=DeadlineWriteSerializer,
        responses={201: DeadlineSerializer},
        examples=[
            OpenApiExample(
                "Exam",
                value={"title": "Final exam", "kind": "exam", "due_at": "2026-06-20T09:00:00+08:00"},
                request_only=True,
            ),
            OpenApiExample(
                "Deadline", value={**DEADLINE_EXAMPLE, "is_public": False}, response_only=True, status_codes=["201"]
            ),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(DeadlineWriteSerializer, request)
        track = self.track_or_none(data.pop("track", None))
        data.setdefault("time_zone", self.profile().time_zone)
        with service_errors(DeadlineError):
            deadline = deadline_create(user=self.learner, track=track, **data)
        location = reverse("api:deadline-detail", kwargs={"pk": deadline.pk})
        return with_etag(
            DeadlineSerializer(deadline).data, status_code=status.HTTP_201_CREATED, headers={"Location": location}
        )


class DeadlineDetailView(_Deadlines):
    def _own(self, pk: int) -> Deadline:
        deadline: Deadline = get_object_or_404(self.get_queryset(), pk=pk)
        if deadline.owner_id is None:
            raise exceptions.PermissionDenied("Public deadlines are curated: read-only here. Add your own instead.")
        return deadline

    @extend_schema(summary="One deadline", examples=[OpenApiExample("Deadline", value=DEADLINE_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeadlineSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        summary="Change a deadline of yours (public ones are read-only: 403)",
        request=DeadlineWriteSerializer,
        responses=DeadlineSerializer,
        examples=[OpenApiExample("Later", value={"due_at": "2026-06-27T09:00:00+08:00"}, request_only=True)],
    )
    def patch(self, request: Request, pk: int) -> Response:
        deadline = self._own(pk)
        changes: dict[str, Any] = validated(DeadlineWriteSerializer, request, partial=True)
        if "track" in changes:
            changes["track"] = self.track_or_none(changes["track"])
        with service_errors(DeadlineError):
            deadline = deadline_update(deadline=deadline, **changes)
        return with_etag(DeadlineSerializer(deadline).data)

    @extend_schema(summary="Delete a deadline of yours", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        with service_errors(DeadlineError):
            deadline_delete(deadline=self._own(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class _Reading(LearnerView):
    serializer_class = ReadingEntrySerializer

    def get_queryset(self) -> QuerySet[Any]:
        # Entries that came from a blog feed carry their post and its feed: joined, no extra query.
        return ReadingQueueEntry.objects.filter(user=self.learner).select_related("item", "item__track", "post__feed")


class ReadingListView(ListModelMixin, _Reading):
    filterset_class = ReadingFilter
    ordering_fields = ["position", "added_at", "read_at"]
    ordering = ["position", "id"]

    @extend_schema(
        summary="Your reading queue, top first (an entry from a blog feed carries its `post` and feed)",
        examples=[OpenApiExample("Queue", value=[READING_EXAMPLE, READING_FROM_FEED_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ReadingEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="Queue a track item or a link at the end (an item already queued comes back with 200; "
        "one that is not read or watched, a problem say, is a 400 with code `not_readable`)",
        request=ReadingCreateSerializer,
        responses={201: ReadingEntrySerializer, 200: ReadingEntrySerializer},
        examples=[
            OpenApiExample(
                "Link",
                value={"url": "https://example.org/int8", "title": "Int8 quantisation in TensorRT"},
                request_only=True,
            ),
            OpenApiExample("Entry", value=READING_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(ReadingCreateSerializer, request)
        item = None
        if data.get("item") is not None:
            item = get_object_or_404(items_visible_to(user=self.learner), pk=data["item"])
        with service_errors(ReadingError), service_errors(NotReadable, field="item", code="not_readable"):
            entry, created = reading_entry_add(
                user=self.learner, item=item, url=data.get("url", ""), title=data.get("title", "")
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        location = reverse("api:reading-detail", kwargs={"pk": entry.pk})
        return with_etag(ReadingEntrySerializer(entry).data, status_code=code, headers={"Location": location})


class ReadingDetailView(_Reading):
    @extend_schema(summary="One entry of your reading queue", examples=[OpenApiExample("Entry", value=READING_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReadingEntrySerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        summary="Move it (position), start it, mark it read with a summary, or drop it",
        request=ReadingUpdateSerializer,
        responses=ReadingEntrySerializer,
        examples=[
            OpenApiExample(
                "Read", value={"status": "read", "summary": "Calibration picks per-tensor scales."}, request_only=True
            ),
            OpenApiExample("To the top", value={"position": 1}, request_only=True),
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(self.get_queryset(), pk=pk)
        data = validated(ReadingUpdateSerializer, request, partial=True)
        with service_errors(ReadingError):
            if "position" in data:
                entry = reading_entry_move(entry=entry, position=data["position"])
            if "status" in data or "summary" in data:
                entry = reading_entry_set_status(
                    entry=entry, status=data.get("status", entry.status), summary=data.get("summary")
                )
        return with_etag(ReadingEntrySerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(summary="Remove it from the queue", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        reading_entry_delete(entry=get_object_or_404(self.get_queryset(), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkillListView(LearnerListView):
    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    ordering_fields = ["tier", "position", "key"]

    def get_queryset(self) -> QuerySet[Any]:
        return skills_with_level(user=self.learner)

    @extend_schema(
        summary="Skills from job postings, T3 (core) first, with your level",
        examples=[OpenApiExample("Skills", value=[SKILL_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SkillSerializer(page, many=True).data)


class SkillDetailView(LearnerView):
    serializer_class = SkillSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return skills_with_level(user=self.learner)

    @extend_schema(summary="One skill with your level", examples=[OpenApiExample("Skill", value=SKILL_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        return Response(SkillSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)


class SkillLevelView(LearnerView):
    serializer_class = SkillSerializer

    @extend_schema(
        summary="Set your level on a skill, 0 (none) to 4 (expert)",
        request=SkillLevelSerializer,
        responses=SkillSerializer,
        examples=[
            OpenApiExample("Working knowledge", value={"level": 2}, request_only=True),
            OpenApiExample("Skill", value=SKILL_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request: Request, pk: int) -> Response:
        skill: Skill = get_object_or_404(Skill.objects.all(), pk=pk)
        level = validated(SkillLevelSerializer, request)["level"]
        with service_errors(SkillError):
            skill_assess(user=self.learner, skill=skill, level=level)
        return Response(SkillSerializer(skills_with_level(user=self.learner).get(pk=pk)).data)
