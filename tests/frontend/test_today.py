"""Today: the day's bundle, and inline actions that answer htmx with a fragment and plain forms with a
redirect; a new day re-plans once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import PlanEntry, Progress, StudyProfile

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def day(learner_client):
    learner, client = learner_client
    track = TrackFactory(title_en="CUDA book", title="CUDA 编程")
    items = [ItemFactory(track=track, position=i, estimated_minutes=20, title_en=f"Part {i}") for i in range(6)]
    EnrollmentFactory(user=learner, track=track, start_date=dt.date(2026, 1, 1), pace_per_day=40)
    return learner, client, items


def test_today_shows_the_days_items_and_the_empty_state_teaches_the_next_step(learner_client):
    _, client = learner_client
    page = client.get(reverse("frontend:home")).content.decode()
    assert "Nothing to study yet" in page and 'href="/tracks/"' in page


def test_today_replans_when_the_day_has_turned(day):
    learner, client, items = day
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        page = client.get(reverse("frontend:home")).content.decode()
    assert "Part 0" in page and "Part 1" in page and "Part 2" not in page
    assert StudyProfile.objects.get(user=learner).plan_built_on == dt.date(2026, 3, 2)
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)):
        page = client.get(reverse("frontend:home")).content.decode()
    # Yesterday's two were missed: they roll forward to today, first in line.
    assert page.index("Part 0") < page.index("Part 1")
    assert PlanEntry.objects.filter(user=learner, date=dt.date(2026, 3, 3), item=items[0]).exists()
    assert PlanEntry.objects.filter(user=learner, date=dt.date(2026, 3, 2), status="missed").count() == 2


def test_done_by_htmx_returns_the_day_fragment_and_by_plain_form_a_redirect(day):
    learner, client, items = day
    client.get(reverse("frontend:home"))
    url = reverse("frontend:item-action", args=[items[0].pk, "done"])

    fragment = client.post(url, {"next": "/"}, **HTMX)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="today"') and "<html" not in body
    assert "Done: “Part 0”. Well done!" in body
    assert Progress.objects.get(user=learner, item=items[0]).status == "done"

    plain = client.post(reverse("frontend:item-action", args=[items[1].pk, "skip"]), {"next": "/"})
    assert plain.status_code == 302 and plain["Location"] == "/"
    assert "Skipped “Part 1”" in client.get("/").content.decode()
    undo = client.post(reverse("frontend:item-action", args=[items[0].pk, "undo"]), **HTMX)
    assert "is back on your list" in undo.content.decode()
    assert Progress.objects.get(user=learner, item=items[0]).status == "todo"


def test_a_note_is_rendered_as_sanitised_markdown(day):
    _learner, client, items = day
    client.get("/")
    note = "**warp** divergence <script>alert(1)</script> [x](javascript:alert(1))"
    client.post(reverse("frontend:item-action", args=[items[0].pk, "note"]), {"note": note}, **HTMX)
    page = client.get("/").content.decode()
    assert "<strong>warp</strong>" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page


def test_time_and_rating_errors_are_explained_and_change_nothing(day):
    learner, client, items = day
    client.get("/")
    bad_time = client.post(reverse("frontend:item-action", args=[items[0].pk, "time"]), {"minutes": "lots"}, **HTMX)
    assert "Enter the minutes you spent as a whole number" in bad_time.content.decode()
    early = client.post(reverse("frontend:item-action", args=[items[0].pk, "rate"]), {"rating": "good"}, **HTMX)
    assert "Mark the item done before rating it" in early.content.decode()
    assert not Progress.objects.filter(user=learner, item=items[0], time_spent_minutes__gt=0).exists()
    ok = client.post(reverse("frontend:item-action", args=[items[0].pk, "time"]), {"minutes": "25", "next": "/"})
    assert ok.status_code == 302
    assert Progress.objects.get(user=learner, item=items[0]).time_spent_minutes == 25


def test_rating_a_done_item_schedules_its_review(day):
    learner, client, items = day
    client.get("/")
    client.post(reverse("frontend:item-action", args=[items[0].pk, "done"]), **HTMX)
    response = client.post(reverse("frontend:item-action", args=[items[0].pk, "rate"]), {"rating": "good"}, **HTMX)
    assert "Review saved: “Part 0” comes back on" in response.content.decode()
    assert Progress.objects.get(user=learner, item=items[0]).status == "review"


def test_a_learner_cannot_act_on_someone_elses_items_or_unknown_actions(day):
    _, client, items = day
    item = ItemFactory(track=TrackFactory(owner=UserFactory()))
    assert client.post(reverse("frontend:item-action", args=[item.pk, "done"])).status_code == 404
    assert client.post(reverse("frontend:item-action", args=[items[0].pk, "fly"])).status_code == 404
    assert client.get(reverse("frontend:item-action", args=[items[0].pk, "done"])).status_code == 405


def test_a_fragment_swapped_in_by_htmx_sends_its_forms_back_to_the_page_not_to_the_action(day):
    """Forms in a swapped fragment still post without htmx (a click before htmx processes them): their
    `next` is the page the learner is on, not the action's URL, which answers POST only."""
    _, client, items = day
    client.get(reverse("frontend:home"))
    start = reverse("frontend:item-action", args=[items[0].pk, "start"])

    body = client.post(start, {"next": "/"}, HTTP_HX_CURRENT_URL="http://testserver/", **HTMX).content.decode()

    assert 'name="next" value="/"' in body
    assert f'name="next" value="{start}"' not in body
    done = client.post(reverse("frontend:item-action", args=[items[0].pk, "done"]), {"next": "/"})
    assert done.status_code == 302 and client.get(done["Location"]).status_code == 200
