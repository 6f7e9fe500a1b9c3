"""The feeds admin: curators see each feed's health in a fixed number of queries and can refresh one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import FeedFactory, FeedSubscriptionFactory, UserFactory
from tracker.models import Feed
from tracker.services.users import curator_grant
from tracker.tasks import feeds_fetch_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client() -> Client:
    curator = UserFactory(username="feedcurator")
    curator_grant(user=curator)
    client = Client()
    client.force_login(curator)
    return client


def test_the_feed_list_shows_health_and_subscribers_in_a_fixed_number_of_queries(
    curator_client: Client, django_assert_max_num_queries
):
    for n in range(8):
        feed = FeedFactory(last_error=f"network_error: boom {n}", error_count=n, status=Feed.Status.ERROR)
        FeedSubscriptionFactory.create_batch(2, feed=feed)
    # session, user, permissions (2), the count, the page of feeds with subscriber counts, filter choices
    with django_assert_max_num_queries(12):
        response = curator_client.get(reverse("admin:tracker_feed_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "network_error: boom 7" in body and "Failing" in body


def test_refresh_now_enqueues_one_fetch_and_not_a_second(
    curator_client: Client, monkeypatch, django_capture_on_commit_callbacks
):
    feed = FeedFactory()
    sent: list[list[int]] = []
    monkeypatch.setattr(feeds_fetch_batch, "delay", lambda ids: sent.append(ids))
    url = reverse("admin:tracker_feed_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(url, {"action": "refresh_now", "_selected_action": [feed.pk]})
        curator_client.post(url, {"action": "refresh_now", "_selected_action": [feed.pk]})
    assert sent == [[feed.pk]]


def test_curators_cannot_open_subscriptions(curator_client: Client):
    assert curator_client.get(reverse("admin:tracker_feedsubscription_changelist")).status_code == 403
