"""The admin: curators edit curated content and see nothing private of learners'."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ItemFactory,
    ProgressFactory,
    TrackFactory,
    UserFactory,
)
from tracker.models import (
    Deadline,
    Enrollment,
    PlanEntry,
    Progress,
    ReadingQueueEntry,
    ReviewCard,
    ReviewLog,
    SkillAssessment,
    StudyProfile,
    Track,
)
from tracker.services.users import curator_grant

pytestmark = pytest.mark.django_db

CURATED = {"track", "item", "tag", "deadline", "skill", "pattern", "problem", "problemset"}
PRIVATE = [Progress, Enrollment, ReadingQueueEntry, SkillAssessment, StudyProfile, PlanEntry, ReviewCard, ReviewLog]


@pytest.fixture
def curator_client() -> Client:
    curator = UserFactory(username="cura")
    curator_grant(user=curator)
    client = Client()
    client.force_login(curator)
    return client


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def tracker_models() -> list[type]:
    return [model for model in admin.site._registry if model._meta.app_label == "tracker"]


def some_data() -> None:
    learner = UserFactory()
    item = ItemFactory()
    EnrollmentFactory(user=learner, track=item.track)
    ProgressFactory(user=learner, item=item, note="private thoughts")
    DeadlineFactory(key="public-one")
    DeadlineFactory(owner=learner, title="My thesis")


def test_every_changelist_and_add_page_renders_for_a_superuser(superuser_client: Client):
    some_data()
    for model in tracker_models():
        meta = model._meta
        changelist = superuser_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, meta.model_name
        add = superuser_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        assert add.status_code in {200, 403}, meta.model_name  # heartbeats are written by workers only


def test_every_curated_changelist_and_add_page_renders_for_a_curator(curator_client: Client):
    some_data()
    for name in CURATED:
        assert curator_client.get(reverse(f"admin:tracker_{name}_changelist")).status_code == 200, name
        assert curator_client.get(reverse(f"admin:tracker_{name}_add")).status_code == 200, name


def test_a_curator_cannot_open_learners_progress_or_other_private_data(curator_client: Client):
    some_data()
    for model in PRIVATE:
        url = reverse(f"admin:tracker_{model._meta.model_name}_changelist")
        assert curator_client.get(url).status_code == 403, model.__name__
    progress = Progress.objects.get()
    assert curator_client.get(reverse("admin:tracker_progress_change", args=[progress.pk])).status_code == 403
    index = curator_client.get(reverse("admin:index")).content.decode()
    assert "Progress" not in index and "Tracks" in index


def test_a_curator_sees_only_public_deadlines_and_curated_tracks(curator_client: Client):
    some_data()
    own_track = TrackFactory(owner=UserFactory(), title_en="Someone's private plan")
    deadlines = curator_client.get(reverse("admin:tracker_deadline_changelist")).content.decode()
    assert "My thesis" not in deadlines
    assert Deadline.objects.get(key="public-one").title in deadlines
    tracks = curator_client.get(reverse("admin:tracker_track_changelist")).content.decode()
    assert own_track.title_en not in tracks
    assert curator_client.get(reverse("admin:tracker_track_change", args=[own_track.pk])).status_code == 302


def test_a_curator_edits_a_track_with_its_items_inline(curator_client: Client):
    item = ItemFactory(title_en="Old title")
    track = item.track
    url = reverse("admin:tracker_track_change", args=[track.pk])
    page = curator_client.get(url)
    assert page.status_code == 200 and "Old title" in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in ("slug", "kind", "title", "title_en", "summary", "source_url")}
    data.update(
        {
            "is_published": "on",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-id": str(item.pk),
            "items-0-track": str(track.pk),
            "items-0-position": "3",
            "items-0-key": item.key,
            "items-0-kind": "lecture",
            "items-0-title": item.title,
            "items-0-title_en": "New title",
            "items-0-estimated_minutes": "50",
            "items-0-url": "",
            "items-0-difficulty": "",
            "items-0-parent": "",
        }
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    item.refresh_from_db()
    assert (item.title_en, item.position, item.estimated_minutes) == ("New title", 3, 50)
    assert Track.objects.get(pk=track.pk).owner is None
