"""The learner's calendar feeds (tracker/services/calendar_feed.py): the private ICS URL, rotated or revoked."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import idempotent
from api.serializers.base import S
from api.views.base import LearnerView
from tracker.services.calendar_feed import (
    calendar_feed_url,
    calendar_public_url,
    calendar_token_revoke,
    calendar_token_rotate,
)

EXAMPLE = {
    "feed_url": "https://brainqueue.example.org/calendar/3q2-Xk9v…c.ics",
    "public_feed_url": "https://brainqueue.example.org/calendar/public.ics",
}


class CalendarSerializer(S):
    feed_url = serializers.URLField(
        allow_null=True, help_text="Your private ICS feed (plan and deadlines); null when you have none."
    )
    public_feed_url = serializers.URLField(help_text="The curated public deadlines as a feed.")


class CalendarView(LearnerView):
    serializer_class = CalendarSerializer

    def _body(self) -> dict[str, str | None]:
        return {"feed_url": calendar_feed_url(user=self.learner), "public_feed_url": calendar_public_url()}

    @extend_schema(summary="Your calendar feed URLs", examples=[OpenApiExample("Feeds", value=EXAMPLE)])
    def get(self, request: Request) -> Response:
        return Response(CalendarSerializer(self._body()).data)

    @extend_schema(summary="Stop your private calendar feed: its URL answers 404 from now on", responses={204: None})
    def delete(self, request: Request) -> Response:
        calendar_token_revoke(user=self.learner)
        return Response(status=204)


class CalendarRotateView(LearnerView):
    serializer_class = CalendarSerializer

    @extend_schema(
        summary="Make a new private feed URL (the old one stops working)",
        request=None,
        responses={201: CalendarSerializer},
        examples=[OpenApiExample("Feeds", value=EXAMPLE, response_only=True)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        calendar_token_rotate(user=self.learner)
        body = {"feed_url": calendar_feed_url(user=self.learner), "public_feed_url": calendar_public_url()}
        return Response(CalendarSerializer(body).data, status=201)
