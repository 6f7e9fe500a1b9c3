"""Tracks and items: the catalogue's filters, and which items a learner may open."""

from __future__ import annotations

import pytest

from tests.factories import ItemFactory, TrackFactory, UserFactory
from tracker.models import Tag
from tracker.selectors import catalogue_filtered, catalogue_tags, items_visible_to

pytestmark = pytest.mark.django_db


def test_the_catalogue_filters_by_tag_kind_and_text_and_lists_only_curated_tags():
    user = UserFactory()
    cuda = Tag.objects.create(slug="cuda")
    hidden = Tag.objects.create(slug="private-only")
    book = TrackFactory(kind="book", title_en="CUDA by example")
    book.tags.add(cuda)
    TrackFactory(kind="course", title_en="Deep learning")
    TrackFactory(owner=user).tags.add(hidden)
    assert [t.title_en for t in catalogue_filtered(user=user, tag="cuda")] == ["CUDA by example"]
    assert [t.title_en for t in catalogue_filtered(user=user, kind="course", query="deep")] == ["Deep learning"]
    assert list(catalogue_filtered(user=user, kind="book", query="nothing")) == []
    assert [t.slug for t in catalogue_tags()] == ["cuda"]


def test_a_learner_sees_items_of_published_curated_tracks_and_of_their_own_only():
    user = UserFactory()
    curated = ItemFactory(track=TrackFactory())
    own = ItemFactory(track=TrackFactory(owner=user, is_published=False))
    ItemFactory(track=TrackFactory(is_published=False))
    ItemFactory(track=TrackFactory(owner=UserFactory()))
    assert set(items_visible_to(user=user)) == {curated, own}
