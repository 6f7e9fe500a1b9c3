"""Tracks: the catalogue (curated and your own) and one track's item tree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import conditional_response
from api.filters import TrackFilter
from api.serializers.tracks import TrackDetailSerializer, TrackListSerializer
from api.views.base import LearnerListView, LearnerView
from tracker import selectors
from tracker.models import Progress
from tracker.selectors.curriculum import TrackItem, tracks_for_learner

TRACK_EXAMPLE = {
    "id": 4,
    "slug": "cuda-c-programming",
    "title": "CUDA C 编程权威指南",
    "title_en": "Professional CUDA C Programming",
    "kind": "book",
    "summary": "",
    "source_url": "",
    "is_curated": True,
    "tags": ["cuda"],
    "total_items": 52,
    "enrollment_id": 9,
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
}
ITEM_EXAMPLE = {
    "id": 101,
    "key": "ch1",
    "title": "第1章 基于CUDA的异构并行计算",
    "title_en": "Chapter 1: Heterogeneous parallel computing with CUDA",
    "kind": "chapter",
    "url": "",
    "estimated_minutes": 0,
    "difficulty": "",
    "position": 1,
    "depth": 0,
    "status": "doing",
    "children": [],
}


def item_tree(items: list[TrackItem]) -> list[dict[str, Any]]:
    """Nests the track's items (in study order) under their parents, each with the learner's status."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for item in items:
        mine = item.my_progress
        nodes[item.pk] = {
            "id": item.pk,
            "key": item.key,
            "title": item.title,
            "title_en": item.title_en,
            "kind": item.kind,
            "url": item.url,
            "estimated_minutes": item.estimated_minutes,
            "difficulty": item.difficulty,
            "position": item.position,
            "depth": item.depth,
            "status": mine[0].status if mine else Progress.Status.TODO.value,
            "children": [],
        }
    for item in items:
        parent = nodes.get(item.parent_id) if item.parent_id is not None else None
        (parent["children"] if parent is not None else roots).append(nodes[item.pk])
    return roots


class TrackListView(LearnerListView):
    serializer_class = TrackListSerializer
    filterset_class = TrackFilter
    ordering_fields = ["title", "title_en", "kind", "created_at", "total_items"]
    ordering = ["kind", "title_en", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return tracks_for_learner(user=self.learner)

    @extend_schema(
        summary="Tracks you may study: curated and your own",
        examples=[OpenApiExample("Tracks", value=[TRACK_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TrackListSerializer(page, many=True).data)


class TrackDetailView(LearnerView):
    serializer_class = TrackDetailSerializer
    etag = True

    def get_queryset(self) -> QuerySet[Any]:
        return tracks_for_learner(user=self.learner)

    @extend_schema(
        summary="A track with its item tree and your state on each item (ETag: If-None-Match → 304)",
        examples=[
            OpenApiExample("Track", value={**TRACK_EXAMPLE, "notes": "", "items": [ITEM_EXAMPLE]}, response_only=True)
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        track = get_object_or_404(self.get_queryset(), pk=pk)
        items = list(selectors.track_items_with_progress(track=track, user=self.learner))
        data = TrackListSerializer(track).data
        data["notes"] = track.notes
        data["items"] = item_tree(items)
        return conditional_response(request, data)
