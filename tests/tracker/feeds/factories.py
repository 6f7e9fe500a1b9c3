"""Factories for the feed models (kept beside the feed tests while tests/factories.py is being edited by others)."""

from __future__ import annotations

import factory
from django.utils import timezone

from tests.factories import UserFactory
from tracker.models import Feed, FeedPost, FeedSubscription


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    url = factory.Sequence(lambda n: f"https://blog{n}.example.org/feed")
    title = factory.Sequence(lambda n: f"Blog {n}")
    next_fetch_at = factory.LazyFunction(timezone.now)


class FeedSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedSubscription

    user = factory.SubFactory(UserFactory)
    feed = factory.SubFactory(FeedFactory)


class FeedPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedPost

    feed = factory.SubFactory(FeedFactory)
    guid_hash = factory.Sequence(lambda n: f"{n:064x}")
    title = factory.Sequence(lambda n: f"Post {n}")
    url = factory.Sequence(lambda n: f"https://blog.example.org/p/{n}")
