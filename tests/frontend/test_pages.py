"""My plan, Progress, Reading, Skills, Deadlines and Settings: what each shows, what each changes, and
that every error is explained and saves nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EnrollmentFactory,
    ItemFactory,
    ReadingQueueEntryFactory,
    SkillFactory,
    TrackFactory,
    UserFactory,
)
from tracker.models import Deadline, Enrollment, ReadingQueueEntry, SkillAssessment, StudyProfile, Vacation
from tracker.services.tokens import api_tokens_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def two_tracks(learner, *, target=None):
    made = []
    for n in range(2):
        track = TrackFactory(title_en=f"Track {n}")
        for i in range(30):
            ItemFactory(track=track, position=i, estimated_minutes=30)
        made.append(
            EnrollmentFactory(
                user=learner, track=track, priority=n + 1, start_date=dt.date(2026, 1, 1), target_date=target
            )
        )
    return made


def test_the_plan_shows_one_lane_per_slot_and_a_lower_limit_remakes_it(learner_client):
    learner, client = learner_client
    two_tracks(learner)
    page = client.get(reverse("frontend:plan")).content.decode()
    assert "Slot 1" in page and "Slot 2" in page

    response = client.post(reverse("frontend:plan-limits"), {"parallel_limit": 1, "daily_minutes": 120}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="plan-body"')
    assert "Up to 1 tracks at once, 120 minutes a day: your plan was re-made." in body
    assert "Slot 2" not in body and "waiting for a free slot" in body
    assert StudyProfile.objects.get(user=learner).parallel_limit == 1


def test_a_bad_limit_is_explained_and_changes_nothing(learner_client):
    learner, client = learner_client
    two_tracks(learner)
    response = client.post(reverse("frontend:plan-limits"), {"parallel_limit": 0, "daily_minutes": 5}, follow=True)
    page = response.content.decode()
    assert "Nothing was changed." in page and "greater than or equal to 1" in page
    assert StudyProfile.objects.get(user=learner).parallel_limit == 5


def test_the_plan_warns_when_a_track_cannot_finish_by_its_target(learner_client):
    learner, client = learner_client
    two_tracks(learner, target=timezone.now().date() + dt.timedelta(days=2))
    page = client.get(reverse("frontend:plan")).content.decode()
    assert "Track 0 can’t finish by its target date" in page
    # By how much it misses, and what would make it: more time a day, or a later target.
    assert re.search(r"At this pace it finishes about \d{4}-\d{2}-\d{2}, \S+.{0,30} late\.", page)
    assert "give it more time each day" in page and "or move the target to" in page


def test_the_month_view_and_moving_a_track_down(learner_client):
    learner, client = learner_client
    first, second = two_tracks(learner)
    month = client.get(reverse("frontend:plan"), {"view": "month"}).content.decode()
    assert '<table class="month">' in month
    client.post(reverse("frontend:plan-move", args=[first.pk, "down"]))
    assert Enrollment.objects.get(pk=second.pk).priority == 1


def test_progress_draws_the_heatmap_and_a_burnup_per_track(learner_client):
    learner, client = learner_client
    first, _ = two_tracks(learner, target=timezone.now().date() + dt.timedelta(days=60))
    item = first.track.items.first()
    client.post(reverse("frontend:item-action", args=[item.pk, "done"]))
    page = client.get(reverse("frontend:progress")).content.decode()
    assert page.count('<rect class="hm') >= 365
    assert page.count('class="burnup"') == 2 and "bu-ideal" in page
    assert "1 of 30 done (3%)" in page


def test_the_reading_queue_reorders_marks_read_with_a_summary_and_adds_links(learner_client):
    learner, client = learner_client
    a = ReadingQueueEntryFactory(user=learner, position=1)
    b = ReadingQueueEntryFactory(user=learner, position=2)
    response = client.post(reverse("frontend:reading-move", args=[b.pk]), {"to": "top"}, **HTMX)
    assert response.content.decode().lstrip().startswith('<div id="reading"')
    assert ReadingQueueEntry.objects.get(pk=b.pk).position == 1
    client.post(reverse("frontend:reading-status", args=[a.pk]), {"status": "read", "summary": "*tiling* helps"})
    page = client.get(reverse("frontend:reading")).content.decode()
    assert "<em>tiling</em> helps" in page
    bad = client.post(reverse("frontend:reading-add"), {"url": "not a link"}, follow=True)
    assert "Enter a valid URL" in bad.content.decode()
    client.post(reverse("frontend:reading-add"), {"url": "https://example.org/post", "title": "A post"})
    assert ReadingQueueEntry.objects.filter(user=learner, title="A post").exists()


def test_read_later_on_a_track_page_queues_the_item(learner_client):
    learner, client = learner_client
    item = ItemFactory(kind="chapter")
    response = client.post(reverse("frontend:item-reading", args=[item.pk]), **HTMX)
    assert "In your reading queue" in response.content.decode()
    assert ReadingQueueEntry.objects.filter(user=learner, item=item).exists()


def test_read_later_refuses_an_item_that_is_not_read_or_watched(learner_client):
    learner, client = learner_client
    item = ItemFactory(kind="exercise", title_en="Fuse the kernels")
    page = client.post(reverse("frontend:item-reading", args=[item.pk]), follow=True).content.decode()
    assert "“Fuse the kernels” is not something to read" in page
    assert not ReadingQueueEntry.objects.filter(user=learner).exists()


def test_skills_are_rated_inline_and_link_their_tracks(learner_client):
    learner, client = learner_client
    skill = SkillFactory(tier="T3", title_en="TensorRT deployment")
    skill.tracks.add(TrackFactory(title_en="TensorRT in practice"))
    page = client.get(reverse("frontend:skills")).content.decode()
    assert "TensorRT in practice" in page and "Not rated" in page
    row = client.post(reverse("frontend:skill-rate", args=[skill.pk]), {"level": "3"}, **HTMX).content.decode()
    assert row.lstrip().startswith('<li class="card skill"') and "Saved: TensorRT deployment, Proficient." in row
    assert SkillAssessment.objects.get(user=learner, skill=skill).level == 3
    bad = client.post(reverse("frontend:skill-rate", args=[skill.pk]), {"level": "9"}, **HTMX).content.decode()
    assert "Level must be 0" in bad


def test_deadlines_count_down_and_a_learner_adds_and_deletes_their_own(learner_client):
    learner, client = learner_client
    StudyProfile.objects.filter(user=learner).update(time_zone="Asia/Shanghai")
    due = (timezone.now() + dt.timedelta(days=10)).date()
    response = client.post(
        reverse("frontend:deadline-add"),
        {"title": "Thesis draft", "due_date": due.isoformat(), "time_zone": "Asia/Shanghai", "kind": "personal"},
        follow=True,
    )
    page = response.content.decode()
    assert "Added “Thesis draft”." in page and "Thesis draft" in page and "(Asia/Shanghai)" in page
    deadline = Deadline.objects.get(owner=learner)
    assert deadline.local_due().hour == 23
    bad = client.post(reverse("frontend:deadline-add"), {"title": "", "due_date": "soon", "time_zone": "Mars/Base"})
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()
    client.post(reverse("frontend:deadline-delete", args=[deadline.pk]))
    assert not Deadline.objects.filter(owner=learner).exists()
    public = Deadline.objects.create(title="Conf", key="conf", due_at=timezone.now() + dt.timedelta(days=3))
    assert client.post(reverse("frontend:deadline-delete", args=[public.pk])).status_code == 404


def test_settings_save_the_profile_and_the_language_and_re_plan(learner_client):
    learner, client = learner_client
    data = {
        "time_zone": "Asia/Shanghai",
        "language": "zh-hans",
        "parallel_limit": 3,
        "daily_minutes": 90,
        "rest_weekdays": ["5", "6"],
        "reminders_enabled": "on",
        "reminder_hour": 8,
    }
    response = client.post(reverse("frontend:settings-profile"), data)
    assert response.status_code == 302 and response.cookies["django_language"].value == "zh-hans"
    profile = StudyProfile.objects.get(user=learner)
    assert (profile.time_zone, profile.language, profile.parallel_limit, profile.rest_weekdays) == (
        "Asia/Shanghai",
        "zh-hans",
        3,
        [5, 6],
    )
    every_day = client.post(reverse("frontend:settings-profile"), {**data, "rest_weekdays": [str(d) for d in range(7)]})
    assert every_day.status_code == 400


def test_vacations_and_api_tokens_on_settings(learner_client):
    learner, client = learner_client
    bad = client.post(reverse("frontend:vacation-add"), {"start_date": "2026-08-10", "end_date": "2026-08-01"})
    assert bad.status_code == 400 and "swap the dates" in bad.content.decode()
    client.post(reverse("frontend:vacation-add"), {"start_date": "2026-08-01", "end_date": "2026-08-10"})
    assert Vacation.objects.filter(user=learner).count() == 1

    made = client.post(reverse("frontend:token-add"), {"device_name": "Pixel 8"})
    page = made.content.decode()
    assert made.status_code == 200 and "copy it now, it is shown only once" in page
    assert made["Cache-Control"] == "no-store"
    assert "Pixel 8" in client.get(reverse("frontend:settings")).content.decode()
    assert "shown only once" not in client.get(reverse("frontend:settings")).content.decode()
    (token,) = api_tokens_for(user=learner)
    client.post(reverse("frontend:token-revoke", args=[token.pk]))
    assert not api_tokens_for(user=learner).exists()
    other = UserFactory()
    assert client.post(reverse("frontend:token-revoke", args=[token.pk + 1000 + other.pk])).status_code == 404
