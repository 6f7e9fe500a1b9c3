"""The markdown plan page: upload to import with a report, download to export."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory
from tracker.models import Track
from tracker.plan_markdown import MAX_PLAN_BYTES
from tracker.services.plan_export import plan_markdown_export
from tracker.services.plan_import import plan_markdown_import

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
PAGE = reverse("frontend:plan-markdown")
DOWNLOAD = reverse("frontend:plan-markdown-export")


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The reference plan {SEED} is missing; CI must have it.")
        pytest.skip(f"The reference plan {SEED} is not checked out next to the repository.")
    return SEED.read_bytes()


@pytest.fixture
def learner_client(client):
    learner = UserFactory(username="dee")
    client.force_login(learner)
    return learner, client


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in apps.get_app_config("tracker").get_models()}


@pytest.mark.parametrize("url", [PAGE, DOWNLOAD])
def test_the_page_and_the_download_need_a_signed_in_learner(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_offers_an_upload_form_and_a_download_link(learner_client, django_assert_max_num_queries):
    _, client = learner_client

    # 1. the session, 2. the signed-in user
    with django_assert_max_num_queries(2):
        response = client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and 'accept=".md,.txt' in page
    assert f'href="{DOWNLOAD}"' in page
    # Reached from Settings, which the navigation marks as the current section on this page.
    assert 'href="/settings/" aria-current="page"' in page
    assert f'href="{PAGE}">Import a markdown plan</a>' in client.get("/settings/").content.decode()


def test_uploading_the_seed_imports_it_and_shows_the_report_with_note_lines(learner_client, seed_bytes):
    learner, client = learner_client

    response = client.post(PAGE, {"file": SimpleUploadedFile("plan.md", seed_bytes, "text/markdown")})

    page = response.content.decode()
    assert response.status_code == 200
    tracks = Track.objects.filter(owner=learner).count()
    assert tracks > 10
    assert f"Tracks: {tracks} created, 0 updated" in page
    assert '<li value="41"><span class="meta">line 41</span> <code>  之后开始考虑PCL' in page


def test_a_bad_upload_shows_the_error_with_its_line_and_saves_nothing(learner_client):
    _, client = learner_client
    before = row_counts()
    plan = b"# Plan\n- [x] 2021/02/28 fine\n- [ ] 2021/02/30 impossible\n"

    response = client.post(PAGE, {"file": SimpleUploadedFile("plan.md", plan, "text/markdown")})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: line 3 needs fixing." in page
    assert "2021/02/30 is not a real date" in page
    assert row_counts() == before


def test_an_upload_over_two_megabytes_is_refused_before_it_is_read(learner_client):
    _, client = learner_client
    before = row_counts()
    big = SimpleUploadedFile("plan.md", b"# P\n" + b"x" * MAX_PLAN_BYTES, "text/markdown")

    response = client.post(PAGE, {"file": big})

    assert response.status_code == 400
    assert "over the limit of 2097152 bytes (2 MB)" in response.content.decode()
    assert row_counts() == before


def test_the_download_is_the_exported_plan_as_an_attachment(learner_client, seed_bytes):
    learner, client = learner_client
    plan_markdown_import(user=learner, data=seed_bytes, today=dt.date(2021, 4, 15))

    response = client.get(DOWNLOAD)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="brainqueue-plan.md"'
    assert response.content.decode() == plan_markdown_export(user=learner)
    assert response.content.startswith(b"# TIME\n")
