"""Reads about blog feeds for the dashboard, the API and the admin: joined and annotated querysets, so a
page costs a fixed number of queries whatever the number of feeds and posts."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Value
from django_stubs_ext import WithAnnotations

from tracker.models import Feed, FeedPost, FeedSubscription, ReadingQueueEntry, User


class SubscriptionPosts(TypedDict):
    """What `feed_subscriptions_of` adds to each subscription."""

    post_count: int
    latest_post_at: dt.datetime | None


type SubscriptionWithPosts = WithAnnotations[FeedSubscription, SubscriptionPosts]


def feed_subscriptions_of(*, user: User) -> QuerySet[SubscriptionWithPosts]:
    """The learner's subscriptions with their feed (status and health included), `post_count` and
    `latest_post_at`. One query."""
    live = Q(feed__posts__deleted_at__isnull=True)
    return (
        FeedSubscription.objects.filter(user=user)
        .select_related("feed")
        .annotate(post_count=Count("feed__posts", filter=live), latest_post_at=Max("feed__posts__published_at"))
        .order_by("feed__title", "feed__url", "pk")
    )


def feed_subscription_of(*, user: User, feed_id: int) -> FeedSubscription | None:
    return FeedSubscription.objects.filter(user=user, feed_id=feed_id).select_related("feed").first()


class CuratedFeedFields(TypedDict):
    """What `curated_feeds` adds to each feed."""

    is_subscribed: bool
    subscriber_count: int


type CuratedFeed = WithAnnotations[Feed, CuratedFeedFields]


def curated_feeds(*, user: User | None = None) -> QuerySet[CuratedFeed]:
    """The curated feeds a learner can follow with one click, with `is_subscribed` for `user` and
    `subscriber_count`. One query."""
    mine = FeedSubscription.objects.filter(feed=OuterRef("pk"), user=user) if user is not None else None
    return (
        Feed.objects.filter(is_curated=True)
        .annotate(
            is_subscribed=Exists(mine) if mine is not None else Value(False),
            subscriber_count=Count("subscriptions", distinct=True),
        )
        .order_by("title", "pk")
    )


class PostInQueue(TypedDict):
    """What `feed_posts_for` adds to each post."""

    in_queue: bool


type PostWithQueue = WithAnnotations[FeedPost, PostInQueue]


def feed_posts_for(*, user: User, feed_id: int | None = None) -> QuerySet[PostWithQueue]:
    """Posts of the feeds the learner follows (or of one of them), newest first, with their feed and
    `in_queue` (already in the learner's reading queue). Deleted posts are left out. One query."""
    in_queue = ReadingQueueEntry.objects.filter(user=user, post=OuterRef("pk"))
    followed = FeedSubscription.objects.filter(user=user, feed=OuterRef("feed_id"))
    posts = FeedPost.objects.filter(Exists(followed), deleted_at__isnull=True)
    if feed_id is not None:
        posts = posts.filter(feed_id=feed_id)
    return posts.select_related("feed").annotate(in_queue=Exists(in_queue)).order_by("-published_at", "-pk")


def reading_entries_with_posts(*, user: User) -> QuerySet[ReadingQueueEntry]:
    """The learner's reading queue with the item, the post and the post's feed joined. One query."""
    return (
        ReadingQueueEntry.objects.filter(user=user)
        .select_related("item", "item__track", "post", "post__feed")
        .order_by("position", "pk")
    )


class FeedHealth(TypedDict):
    """What `feeds_health` adds to each feed."""

    subscriber_count: int


type FeedWithHealth = WithAnnotations[Feed, FeedHealth]


def feeds_health() -> QuerySet[FeedWithHealth]:
    """Every feed with `subscriber_count`, the curators' health view. One query."""
    return Feed.objects.annotate(subscriber_count=Count("subscriptions"))
