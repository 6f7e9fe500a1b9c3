"""The signed-in learner and their study profile."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.me import MeSerializer, MeUpdateSerializer
from api.views.base import LearnerView, service_errors, validated
from api.views.data import ACCOUNT_DELETE_SCHEMA, account_delete_view
from tracker.services.users import ProfileError, study_profile_update

ME_EXAMPLE = {
    "id": 3,
    "username": "demo",
    "email": "demo@example.org",
    "time_zone": "Asia/Shanghai",
    "parallel_limit": 5,
    "daily_minutes": 120,
    "rest_weekdays": [6],
    "reminder_hour": 7,
    "reminders_enabled": True,
    "language": "en",
    "public_handle": "",
    "today": "2026-03-02",
}


class MeView(LearnerView):
    serializer_class = MeSerializer

    def _body(self) -> dict[str, object]:
        profile = self.profile()
        return dict(MeSerializer(profile, context={"today": self.learner_today()}).data)

    @extend_schema(
        summary="You and your study profile",
        examples=[OpenApiExample("Me", value=ME_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(self._body())

    @extend_schema(
        summary="Change study settings (a change to limit, budget, rest days or zone re-plans)",
        request=MeUpdateSerializer,
        responses=MeSerializer,
        examples=[
            OpenApiExample(
                "Fewer parallel tracks", value={"parallel_limit": 3, "daily_minutes": 90}, request_only=True
            ),
            OpenApiExample("Me", value={**ME_EXAMPLE, "parallel_limit": 3, "daily_minutes": 90}, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        changes = validated(MeUpdateSerializer, request, partial=True)
        with service_errors(ProfileError):
            study_profile_update(user=self.learner, **changes)
        return Response(self._body())

    @ACCOUNT_DELETE_SCHEMA
    def delete(self, request: Request) -> Response:
        return account_delete_view(self, request)
