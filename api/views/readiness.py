"""Interview readiness per career direction: the figure, its range, its parts and the next actions."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.questions import ReadinessSerializer
from api.views.base import LearnerView
from tracker.models import MockSession
from tracker.selectors.readiness import readiness_for_learner

READINESS_EXAMPLE = {
    "direction": "deployment-sdk",
    "track": "career-deployment-sdk",
    "score": 42,
    "low": 35,
    "high": 49,
    "mocks_shown": False,
    "parts": [
        {"name": "skills", "weight": 25, "points": 12.5, "low": 6.3, "high": 18.8, "shown": True},
        {"name": "mocks", "weight": 10, "points": 0.0, "low": 0.0, "high": 0.0, "shown": False},
    ],
    "actions": [{"kind": "review_questions", "target": "", "gain": 4.5}],
}


class ReadinessView(LearnerView):
    serializer_class = ReadinessSerializer
    queryset = MockSession.objects.none()  # drf-spectacular asks for a model; readiness is computed
    pagination_class = None  # four rows at most: the whole list, not a page

    @extend_schema(
        summary="Readiness for each career direction (0–100) with its lower bound, range, parts and next actions",
        responses=ReadinessSerializer(many=True),
        examples=[OpenApiExample("Readiness", value=[READINESS_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        rows = readiness_for_learner(user=self.learner, now=timezone.now())
        body = [
            {
                "direction": row.direction,
                "track": row.track_slug,
                "score": row.result.score,
                "low": row.result.low,
                "high": row.result.high,
                "mocks_shown": row.result.mocks_shown,
                "parts": [
                    {
                        "name": p.name,
                        "weight": p.weight,
                        "points": round(p.points, 2),
                        "low": round(p.low * p.weight, 2),
                        "high": round(p.high * p.weight, 2),
                        "shown": p.shown,
                    }
                    for p in row.result.parts
                ],
                "actions": [{"kind": a.kind, "target": a.target, "gain": round(a.gain, 2)} for a in row.result.actions],
            }
            for row in rows
        ]
        return Response(body)
