"""Blog feeds: your subscriptions (subscribe by a feed or site address, switch and daily cap, unsubscribe),
curated feeds to follow with one click, the posts of your feeds (queue one for reading), OPML in and out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import check_if_match, conditional_response, with_etag
from api.filters import FeedPostFilter
from api.idempotency import idempotent
from api.serializers.feeds import (
    CuratedFeedSerializer,
    FeedPostSerializer,
    FeedSubscribeSerializer,
    FeedSubscriptionSerializer,
    FeedSubscriptionUpdateSerializer,
    OpmlImportReportSerializer,
    OpmlImportSerializer,
)
from api.serializers.personal import ReadingEntrySerializer
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.models import FeedPost, FeedSubscription
from tracker.selectors.feeds import (
    curated_feeds,
    feed_posts_for,
    feed_subscriptions_of,
    reading_entries_with_posts,
)
from tracker.services.feeds import (
    FeedError,
    feed_post_queue,
    feed_subscribe,
    feed_subscribe_curated,
    feed_subscription_update,
    feed_unsubscribe,
    opml_export,
    opml_import,
)

OPML_FILENAME = "brainqueue-feeds.opml"

FEED_EXAMPLE = {
    "id": 12,
    "title": "Oldpan 的博客",
    "url": "https://oldpan.me/feed",
    "site_url": "https://oldpan.me/",
    "status": "active",
    "last_fetch_at": "2026-03-02T07:58:00Z",
    "last_success_at": "2026-03-02T07:58:00Z",
    "last_error": "",
    "error_count": 0,
    "gone_at": None,
}
SUBSCRIPTION_EXAMPLE = {
    "id": 40,
    "feed": FEED_EXAMPLE,
    "add_to_reading_queue": True,
    "daily_cap": 3,
    "post_count": 25,
    "latest_post_at": "2026-03-01T12:00:00Z",
    "created_at": "2026-02-20T09:00:00Z",
}
CURATED_EXAMPLE = {
    "id": 12,
    "slug": "oldpan",
    "title": "Oldpan 的博客",
    "url": "https://oldpan.me/feed",
    "site_url": "https://oldpan.me/",
    "status": "active",
    "is_subscribed": False,
    "subscriber_count": 57,
}
POST_EXAMPLE = {
    "id": 9001,
    "feed": {"id": 12, "title": "Oldpan 的博客", "url": "https://oldpan.me/feed", "site_url": "https://oldpan.me/"},
    "title": "TensorRT 的 INT8 量化",
    "url": "https://oldpan.me/archives/tensorrt-int8",
    "summary_html": "<p>校准、每张量的缩放因子……</p>",
    "published_at": "2026-03-01T12:00:00Z",
    "in_queue": False,
}
QUEUED_EXAMPLE = {
    "id": 77,
    "item": None,
    "post": {
        "id": 9001,
        "title": "TensorRT 的 INT8 量化",
        "url": "https://oldpan.me/archives/tensorrt-int8",
        "published_at": "2026-03-01T12:00:00Z",
        "feed": POST_EXAMPLE["feed"],
    },
    "title": "TensorRT 的 INT8 量化",
    "url": "https://oldpan.me/archives/tensorrt-int8",
    "display_title": "TensorRT 的 INT8 量化",
    "position": 6,
    "status": "queued",
    "added_at": "2026-03-02T08:00:00Z",
    "read_at": None,
    "summary": "",
}
OPML_EXAMPLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head><title>Brainqueue subscriptions of ada</title>'
    '</head><body><outline type="rss" text="Oldpan 的博客" title="Oldpan 的博客" xmlUrl="https://oldpan.me/feed" '
    'htmlUrl="https://oldpan.me/" /></body></opml>'
)
OPML_REPORT_EXAMPLE = {"subscribed": 14, "already_subscribed": 2, "feeds_created": 9, "skipped": []}


class _Subscriptions(LearnerView):
    serializer_class = FeedSubscriptionSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return feed_subscriptions_of(user=self.learner)


class FeedListView(LearnerListView, _Subscriptions):
    ordering_fields = ["created_at", "latest_post_at", "post_count"]

    @extend_schema(
        summary="The feeds you follow, with their health, post count and newest post",
        examples=[OpenApiExample("Subscriptions", value=[SUBSCRIPTION_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(FeedSubscriptionSerializer(page, many=True).data)

    @extend_schema(
        summary="Follow a blog by its feed's address or a page of the site (its feed is discovered); "
        "a feed you follow already comes back with 200",
        request=FeedSubscribeSerializer,
        responses={201: FeedSubscriptionSerializer, 200: FeedSubscriptionSerializer},
        examples=[
            OpenApiExample("Site", value={"url": "https://oldpan.me/"}, request_only=True),
            OpenApiExample(
                "Feed, not queued",
                value={"url": "https://oldpan.me/feed", "add_to_reading_queue": False},
                request_only=True,
            ),
            OpenApiExample("Subscription", value=SUBSCRIPTION_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(FeedSubscribeSerializer, request)
        # Discovery fetches the address (outside any transaction): a 400 problem says when no feed is there.
        with service_errors(FeedError):
            subscription, created = feed_subscribe(user=self.learner, **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        body = FeedSubscriptionSerializer(self.get_queryset().get(pk=subscription.pk)).data
        location = reverse("api:feed-detail", kwargs={"pk": subscription.pk})
        return with_etag(body, status_code=code, headers={"Location": location})


class FeedDetailView(_Subscriptions):
    etag = True
    if_match = True

    def _current(self, pk: int) -> tuple[FeedSubscription, dict[str, Any]]:
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        return subscription, dict(FeedSubscriptionSerializer(subscription).data)

    @extend_schema(
        summary="One of your subscriptions", examples=[OpenApiExample("Subscription", value=SUBSCRIPTION_EXAMPLE)]
    )
    def get(self, request: Request, pk: int) -> Response:
        return conditional_response(request, self._current(pk)[1])

    @extend_schema(
        summary="Turn queueing of new posts on or off, or change the daily cap (1–50); If-Match → 412 when stale",
        request=FeedSubscriptionUpdateSerializer,
        responses=FeedSubscriptionSerializer,
        examples=[
            OpenApiExample("Fewer posts", value={"daily_cap": 1}, request_only=True),
            OpenApiExample("Read only on the web", value={"add_to_reading_queue": False}, request_only=True),
            OpenApiExample("Subscription", value={**SUBSCRIPTION_EXAMPLE, "daily_cap": 1}, response_only=True),
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        subscription, current = self._current(pk)
        check_if_match(request, current)
        changes = validated(FeedSubscriptionUpdateSerializer, request, partial=True)
        with service_errors(FeedError):
            feed_subscription_update(subscription=subscription, **changes)
        return with_etag(self._current(pk)[1])

    @extend_schema(summary="Unsubscribe; posts already in your reading queue stay there", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        subscription, current = self._current(pk)
        check_if_match(request, current)
        feed_unsubscribe(subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CuratedFeedListView(LearnerListView):
    serializer_class = CuratedFeedSerializer
    ordering_fields = ["title", "subscriber_count"]

    def get_queryset(self) -> QuerySet[Any]:
        return curated_feeds(user=self.learner)

    @extend_schema(
        summary="Curated feeds to follow with one click, with whether you follow each",
        examples=[OpenApiExample("Curated", value=[CURATED_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CuratedFeedSerializer(page, many=True).data)


class CuratedFeedFollowView(LearnerView):
    serializer_class = FeedSubscriptionSerializer

    @extend_schema(
        summary="Follow a curated feed (new posts join your queue); one you follow already comes back with 200",
        request=None,
        responses={201: FeedSubscriptionSerializer, 200: FeedSubscriptionSerializer},
        examples=[OpenApiExample("Subscription", value=SUBSCRIPTION_EXAMPLE, response_only=True, status_codes=["201"])],
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        get_object_or_404(curated_feeds(), curated_slug=slug)
        with service_errors(FeedError):
            subscription, created = feed_subscribe_curated(user=self.learner, slug=slug)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        body = FeedSubscriptionSerializer(feed_subscriptions_of(user=self.learner).get(pk=subscription.pk)).data
        location = reverse("api:feed-detail", kwargs={"pk": subscription.pk})
        return with_etag(body, status_code=code, headers={"Location": location})


class FeedPostListView(LearnerListView):
    serializer_class = FeedPostSerializer
    filterset_class = FeedPostFilter
    ordering_fields = ["published_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return feed_posts_for(user=self.learner)

    @extend_schema(
        summary="Posts of the feeds you follow, newest first (`feed` for one feed)",
        examples=[OpenApiExample("Posts", value=[POST_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(FeedPostSerializer(page, many=True).data)


class FeedPostQueueView(LearnerView):
    serializer_class = ReadingEntrySerializer

    @extend_schema(
        summary="Add a post of a feed you follow to your reading queue (one queued already comes back with 200)",
        request=None,
        responses={201: ReadingEntrySerializer, 200: ReadingEntrySerializer},
        examples=[OpenApiExample("Entry", value=QUEUED_EXAMPLE, response_only=True, status_codes=["201"])],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        post: FeedPost = get_object_or_404(feed_posts_for(user=self.learner), pk=pk)
        with service_errors(FeedError):
            entry, created = feed_post_queue(user=self.learner, post=post)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        body = ReadingEntrySerializer(reading_entries_with_posts(user=self.learner).get(pk=entry.pk)).data
        location = reverse("api:reading-detail", kwargs={"pk": entry.pk})
        return with_etag(body, status_code=code, headers={"Location": location})


class OpmlView(LearnerView):
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = OpmlImportReportSerializer

    @extend_schema(
        summary="Your subscriptions as OPML 2.0, for any other feed reader",
        responses={(200, "text/x-opml"): OpenApiResponse(OpenApiTypes.STR, description="The OPML file.")},
        examples=[OpenApiExample("OPML", value=OPML_EXAMPLE, response_only=True, media_type="text/x-opml")],
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(opml_export(user=self.learner), content_type="text/x-opml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{OPML_FILENAME}"'
        return response

    @extend_schema(
        summary="Follow every feed an OPML file lists (all or nothing); new feeds are fetched within minutes",
        request={"multipart/form-data": OpmlImportSerializer},
        responses=OpmlImportReportSerializer,
        examples=[OpenApiExample("Report", value=OPML_REPORT_EXAMPLE, response_only=True)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = validated(OpmlImportSerializer, request)["file"]
        with service_errors(FeedError):
            report = opml_import(user=self.learner, data=upload.read())
        return Response(OpmlImportReportSerializer(asdict(report)).data)
