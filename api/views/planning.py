"""Today, the plan by dates, streaks and the heatmap, vacations, and the markdown plan in and out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import CACHE_HEADERS, conditional_response, with_etag
from api.filters import PlanFilter
from api.idempotency import idempotent
from api.serializers.planning import (
    PlanEntrySerializer,
    PlanImportReportSerializer,
    PlanImportSerializer,
    StatsSerializer,
    TodaySerializer,
    VacationSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker import selectors
from tracker.models import PlanEntry, Vacation
from tracker.plan_markdown import PlanImportError
from tracker.services.plan_export import plan_markdown_export
from tracker.services.plan_import import plan_import_today, plan_markdown_import
from tracker.services.vacations import VacationError, vacation_add, vacation_delete
from tracker.today_cache import today_cache_store, today_cached, today_etag, today_etag_match, today_state

MAX_PLAN_DAYS = 92
MAX_HEATMAP_DAYS = 366
EXPORT_FILENAME = "brainqueue-plan.md"

ITEM = {
    "id": 101,
    "track": 4,
    "key": "ch1.s2",
    "title": "1.2 异构计算",
    "title_en": "1.2 Heterogeneous computing",
    "kind": "section",
    "url": "",
    "estimated_minutes": 45,
    "difficulty": "",
}
TRACK = {"id": 4, "slug": "cuda-c-programming", "title": "CUDA C 编程权威指南", "title_en": "CUDA C", "kind": "book"}
ENTRY = {
    "id": 5001,
    "date": "2026-03-02",
    "end_date": None,
    "kind": "new",
    "status": "planned",
    "origin": "planner",
    "minutes": 45,
    "position": 0,
    "enrollment": 9,
    "item": ITEM,
    "track": TRACK,
}
TODAY_EXAMPLE = {
    "date": "2026-03-02",
    "planned_minutes": 45,
    "practice": [
        {
            "kind": "problem",
            "key": "two-sum",
            "title": "Two Sum",
            "url": "/interview/problems/two-sum/",
            "minutes": 15,
            "due": "2026-03-02T04:00:00Z",
        }
    ],
    "practice_minutes": 15,
    "tracks": [{"track": TRACK, "entries": [{**ENTRY, "progress_status": "todo"}]}],
    "reviews_due": [],
    "overdue": [],
    "reading": None,
    "deadlines": [],
    "current_streak": 4,
    "longest_streak": 12,
}


def _date_param(request: Request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [f"Give a date as YYYY-MM-DD, not {raw[:20]!r}."]}) from None


class TodayView(LearnerView):
    serializer_class = TodaySerializer
    etag = True

    @extend_schema(
        summary="Today in your time zone: new items by track, reviews due, practice due, overdue, reading, deadlines, "
        "streak",
        examples=[OpenApiExample("Today", value=TODAY_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        """The ETag names this Today without building it (tracker/today_cache.py): a refresh that has it
        costs the profile's query; a Today built once is kept in the cache until a write changes it."""
        now = timezone.now()
        # A new day re-plans first, so missed work rolls forward (one query when the plan is current).
        state = today_state(user=self.learner, now=now)
        # The reading entry's title follows the language.
        key = f"{state.key}:api:{get_language()}"
        tag = today_etag_match(request.headers.get("If-None-Match"), key, now)
        if tag is not None:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={**CACHE_HEADERS, "ETag": tag})
        cached = today_cached(key, now)
        if cached is None:
            bundle = selectors.today_bundle(user=self.learner, now=now, profile=state.profile)
            data = TodaySerializer(
                {
                    "date": bundle.date,
                    "planned_minutes": bundle.planned_minutes,
                    "practice": bundle.practice,
                    "practice_minutes": bundle.practice_minutes,
                    "tracks": [{"track": day.track, "entries": day.entries} for day in bundle.tracks],
                    "reviews_due": bundle.reviews_due,
                    "overdue": bundle.overdue,
                    "reading": bundle.reading,
                    "deadlines": bundle.deadlines,
                    "current_streak": bundle.current_streak,
                    "longest_streak": bundle.longest_streak,
                }
            ).data
            cached = (data, bundle.valid_until)
            today_cache_store(key, data, valid_until=bundle.valid_until, now=now)
        data, valid_until = cached
        headers = {**CACHE_HEADERS, "ETag": today_etag(key, valid_until)}
        if request.headers.get("If-None-Match", "").strip() == "*":
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(data, headers=headers)


class PlanView(LearnerListView):
    serializer_class = PlanEntrySerializer
    filterset_class = PlanFilter
    etag = True

    def get_queryset(self) -> QuerySet[Any]:
        return PlanEntry.objects.none()  # the entries come from `plan_between`; this names the model

    @extend_schema(
        summary=f"Your plan from `start` to `end` (your dates, inclusive, at most {MAX_PLAN_DAYS} days)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Default: your today."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: six days after start."),
        ],
        examples=[OpenApiExample("Plan", value=[ENTRY], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        start = _date_param(request, "start", self.learner_today())
        end = _date_param(request, "end", start + dt.timedelta(days=6))
        if end < start:
            raise exceptions.ValidationError({"end": ["The end is before the start; swap them."]})
        if (end - start).days >= MAX_PLAN_DAYS:
            raise exceptions.ValidationError({"end": [f"Ask for at most {MAX_PLAN_DAYS} days at a time."]})
        entries = self.filter_queryset(selectors.plan_between(user=self.learner, start=start, end=end))
        page = self.paginate_queryset(entries)
        paginated = self.get_paginated_response(PlanEntrySerializer(page, many=True).data)
        return conditional_response(request, paginated.data)


class StatsView(LearnerView):
    serializer_class = StatsSerializer

    @extend_schema(
        summary="Streaks and the heatmap (per day of your time zone)",
        parameters=[
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 1, "maximum": MAX_HEATMAP_DAYS, "default": 365},
                description="Heatmap days ending today.",
            )
        ],
        examples=[
            OpenApiExample(
                "Stats",
                value={
                    "today": "2026-03-02",
                    "current_streak": 4,
                    "longest_streak": 12,
                    "heatmap": [{"date": "2026-03-02", "items_done": 2, "reviews": 1, "minutes": 95}],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("days", "365")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_HEATMAP_DAYS:
            raise exceptions.ValidationError({"days": [f"Give a whole number of days from 1 to {MAX_HEATMAP_DAYS}."]})
        profile = self.profile()
        stats = selectors.study_stats(user=self.learner, profile=profile, today=self.learner_today())
        heatmap = [{"date": day, **asdict(stat)} for day, stat in stats.heatmap(days=int(raw))]
        data = StatsSerializer(
            {
                "today": stats.today,
                "current_streak": stats.current_streak,
                "longest_streak": stats.longest_streak,
                "heatmap": heatmap,
            }
        ).data
        return Response(data)


class PlanImportView(LearnerView):
    serializer_class = PlanImportReportSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a markdown plan into your own tracks; returns what it created and updated",
        request={"multipart/form-data": PlanImportSerializer},
        responses=PlanImportReportSerializer,
        examples=[
            OpenApiExample(
                "Report",
                value={
                    "tracks_created": 2,
                    "tracks_updated": 0,
                    "items_created": 31,
                    "items_updated": 0,
                    "progress_done": 7,
                    "plan_entries": 12,
                    "deadlines_created": 1,
                    "resources": 4,
                    "notes": [{"line": 3, "text": "每天至少两小时"}],
                    "warnings": [],
                },
                response_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = validated(PlanImportSerializer, request)["file"]
        with service_errors(PlanImportError):
            report = plan_markdown_import(
                user=self.learner, data=upload.read(), today=plan_import_today(user=self.learner, now=timezone.now())
            )
        data = asdict(report)
        data["notes"] = [{"line": line, "text": text} for line, text in report.notes]
        return Response(PlanImportReportSerializer(data).data)


class PlanExportView(LearnerView):
    @extend_schema(
        summary="Your tracks and plan as a markdown file, the format the import reads",
        responses={(200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="The plan.")},
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(plan_markdown_export(user=self.learner), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
        return response


VACATION_EXAMPLE = {
    "id": 2,
    "start_date": "2026-04-01",
    "end_date": "2026-04-07",
    "label": "Qingming",
    "created_at": "2026-03-02T08:00:00Z",
}


class VacationListView(LearnerListView):
    serializer_class = VacationSerializer
    ordering_fields = ["start_date", "end_date", "created_at"]
    ordering = ["start_date", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return Vacation.objects.filter(user=self.learner)

    @extend_schema(
        summary="Your vacations", examples=[OpenApiExample("Vacations", value=[VACATION_EXAMPLE], response_only=True)]
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(VacationSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a vacation (re-plans around it; streaks survive it)",
        request=VacationSerializer,
        responses={201: VacationSerializer},
        examples=[
            OpenApiExample(
                "Week off",
                value={"start_date": "2026-04-01", "end_date": "2026-04-07", "label": "Qingming"},
                request_only=True,
            ),
            OpenApiExample("Vacation", value=VACATION_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(VacationSerializer, request)
        with service_errors(VacationError):
            vacation = vacation_add(user=self.learner, **data)
        location = reverse("api:vacation-detail", kwargs={"pk": vacation.pk})
        return with_etag(
            VacationSerializer(vacation).data, status_code=status.HTTP_201_CREATED, headers={"Location": location}
        )


class VacationDetailView(LearnerView):
    serializer_class = VacationSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return Vacation.objects.filter(user=self.learner)

    @extend_schema(summary="One vacation", examples=[OpenApiExample("Vacation", value=VACATION_EXAMPLE)])
    def get(self, request: Request, pk: int) -> Response:
        return Response(VacationSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(summary="Delete a vacation (re-plans)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        vacation_delete(vacation=get_object_or_404(self.get_queryset(), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
