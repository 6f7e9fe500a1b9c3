"""Mock interviews: start one, read it (the time left by the server's clock: the same on every device), end
it, score it; the history and the trend per rubric line."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import with_etag
from api.idempotency import idempotent
from api.problems import Conflict
from api.serializers.questions import (
    MockScoreSerializer,
    MockSessionSerializer,
    MockStartSerializer,
    RubricTrendSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.models import MockSession
from tracker.selectors.mock_interviews import mock_history, mock_sessions_of
from tracker.services.mock_interviews import (
    MockAlreadyRunning,
    MockError,
    PartScore,
    mock_session_close_if_expired,
    mock_session_end,
    mock_session_score,
    mock_session_start,
)

SESSION_EXAMPLE = {
    "id": 5,
    "format": "concepts",
    "level": "medium",
    "direction": "deployment-sdk",
    "status": "running",
    "started_at": "2026-12-02T09:00:00Z",
    "ends_at": "2026-12-02T09:20:00Z",
    "ended_at": None,
    "end_reason": "",
    "scored_at": None,
    "seconds_left": 750,
    "server_now": "2026-12-02T09:07:30Z",
    "notes": "",
    "parts": [
        {
            "position": 1,
            "kind": "question",
            "problem": None,
            "question": {"id": 12, "slug": "cuda-warp-divergence", "question": "What is warp divergence?"},
            "communication": None,
            "problem_solving": None,
            "technical_competency": None,
            "testing": None,
            "outcome": "",
            "notes": "",
        }
    ],
    "url": "/api/v1/mock-interviews/5/",
}


class _Mocks(LearnerView):
    serializer_class = MockSessionSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return mock_sessions_of(user=self.learner)

    def session(self, pk: int) -> MockSession:
        session: MockSession = get_object_or_404(self.get_queryset(), pk=pk)
        mock_session_close_if_expired(session=session)
        return session

    def body(self, session: MockSession) -> dict[str, Any]:
        data: dict[str, Any] = MockSessionSerializer(session, context={"now": timezone.now()}).data
        return data


class MockListView(LearnerListView, _Mocks):
    ordering_fields = ["started_at"]

    @extend_schema(
        summary="Your mock interviews, newest first (a running one past its end is closed as it is read)",
        examples=[OpenApiExample("Sessions", value=[SESSION_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        now = timezone.now()
        for session in page or []:
            mock_session_close_if_expired(session=session, now=now)
        return self.get_paginated_response(MockSessionSerializer(page, many=True, context={"now": now}).data)

    @extend_schema(
        summary="Start a mock interview: the clock starts now (409 while another runs)",
        request=MockStartSerializer,
        responses={201: MockSessionSerializer},
        examples=[
            OpenApiExample(
                "Concepts",
                value={"format": "concepts", "level": "medium", "direction": "deployment-sdk"},
                request_only=True,
            ),
            OpenApiExample("Started", value=SESSION_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(MockStartSerializer, request)
        try:
            session = mock_session_start(user=self.learner, **data)
        except MockAlreadyRunning as exc:
            url = reverse("api:mock-detail", kwargs={"pk": exc.session.pk})
            raise Conflict(f"{exc} It is at {url}.") from exc
        except MockError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        session = self.session(session.pk)
        location = reverse("api:mock-detail", kwargs={"pk": session.pk})
        return with_etag(self.body(session), status_code=status.HTTP_201_CREATED, headers={"Location": location})


class MockDetailView(_Mocks):
    @extend_schema(
        summary="A mock interview with its parts and the time left by the server's clock",
        examples=[OpenApiExample("Running", value=SESSION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.body(self.session(pk)))


class MockEndView(_Mocks):
    @extend_schema(summary="End a running mock interview now (then score it)", request=None)
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        session = mock_session_end(session=self.session(pk))
        return with_etag(self.body(self.get_queryset().get(pk=session.pk)))


class MockScoreView(_Mocks):
    @extend_schema(
        summary="Score every part 1–4 on the four rubric lines: questions become reviews, problems attempts",
        request=MockScoreSerializer,
        examples=[
            OpenApiExample(
                "Scores",
                value={
                    "parts": [
                        {
                            "position": 1,
                            "communication": 3,
                            "problem_solving": 2,
                            "technical_competency": 3,
                            "testing": 2,
                            "notes": "Forgot the 32-thread warp size.",
                        }
                    ],
                    "notes": "Slow start.",
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        session = self.session(pk)
        data = validated(MockScoreSerializer, request)
        scores = {p.pop("position"): PartScore(**p) for p in data["parts"]}
        with service_errors(MockError):
            mock_session_score(session=session, scores=scores, notes=data["notes"])
        return with_etag(self.body(self.get_queryset().get(pk=session.pk)))


class MockTrendView(LearnerView):
    serializer_class = RubricTrendSerializer
    queryset = MockSession.objects.none()  # the schema's model; the trend is computed from the learner's sessions
    pagination_class = None  # four rows at most: the whole list, not a page

    @extend_schema(
        summary="The trend of each rubric line over your scored mock interviews",
        responses=RubricTrendSerializer(many=True),
        examples=[
            OpenApiExample(
                "Trend",
                value=[{"line": "communication", "means": [2.0, 2.5, 3.0, 3.25], "latest": 3.25, "change": 1.0}],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        _sessions, trends = mock_history(user=self.learner)
        body = [{"line": t.line, "means": list(t.means), "latest": t.latest, "change": t.change} for t in trends]
        return Response(body)
