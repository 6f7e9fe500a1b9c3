"""fixtures/feeds.yaml: loaded by `manage.py seed` idempotently, followed with one click, and a feed that moved
at run time is not moved back by seeding again."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tracker.models import Feed
from tracker.selectors.feeds import curated_feeds
from tracker.services import feeds as svc

pytestmark = pytest.mark.django_db


def seed(fixtures: Path | None = None) -> str:
    out = StringIO()
    args = ["--no-demo"] + (["--fixtures", str(fixtures)] if fixtures else [])
    call_command("seed", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, target)
    return target


def write_feeds(directory: Path, feeds: list[dict[str, object]]) -> None:
    (directory / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}, allow_unicode=True), encoding="utf-8")


def test_every_curated_feed_loads_once_and_a_second_seed_changes_nothing():
    seed()
    data = yaml.safe_load((settings.FIXTURES_DIR / "feeds.yaml").read_text(encoding="utf-8"))
    assert Feed.objects.filter(is_curated=True).count() == len(data["feeds"])
    rows = list(Feed.objects.order_by("pk").values())
    assert "already up to date" in seed()
    assert list(Feed.objects.order_by("pk").values()) == rows


def test_the_source_blog_of_seed_000_is_curated_and_due_for_its_first_fetch():
    seed()
    oldpan = Feed.objects.get(curated_slug="oldpan")
    assert oldpan.url.startswith("https://oldpan.me/") and oldpan.site_url == "https://oldpan.me/"
    assert oldpan.next_fetch_at is not None and oldpan.status == Feed.Status.ACTIVE


def test_a_learner_follows_a_curated_feed_with_one_click():
    seed()
    user = UserFactory()
    subscription, created = svc.feed_subscribe_curated(user=user, slug="nvidia-technical-blog")
    assert created and svc.feed_subscribe_curated(user=user, slug="nvidia-technical-blog") == (subscription, False)
    listed = {f.curated_slug: f.is_subscribed for f in curated_feeds(user=user)}
    assert listed["nvidia-technical-blog"] is True and listed["oldpan"] is False
    with pytest.raises(svc.FeedError, match="no curated feed"):
        svc.feed_subscribe_curated(user=user, slug="nope")


def test_a_url_moved_at_run_time_stays_and_a_changed_file_url_applies(fixtures_copy: Path):
    write_feeds(
        fixtures_copy,
        [{"slug": "blog", "title": "Blog", "url": "https://a.example/feed", "site_url": "https://a.example/"}],
    )
    seed(fixtures_copy)
    Feed.objects.filter(curated_slug="blog").update(url="https://a.example/feed.xml")  # a 301 moved it
    seed(fixtures_copy)
    assert Feed.objects.get(curated_slug="blog").url == "https://a.example/feed.xml"
    write_feeds(
        fixtures_copy,
        [{"slug": "blog", "title": "Blog", "url": "https://b.example/rss", "site_url": "https://b.example/"}],
    )
    seed(fixtures_copy)
    assert Feed.objects.get(curated_slug="blog").url == "https://b.example/rss"


def test_a_feed_learners_already_follow_becomes_the_curated_one(fixtures_copy: Path):
    Feed.objects.create(url="https://a.example/feed")
    write_feeds(
        fixtures_copy,
        [{"slug": "blog", "title": "Blog", "url": "https://a.example/feed", "site_url": "https://a.example/"}],
    )
    seed(fixtures_copy)
    assert Feed.objects.count() == 1 and Feed.objects.get().curated_slug == "blog"


@pytest.mark.parametrize(
    ("feeds", "where"),
    [
        (
            [{"slug": "a", "title": "A", "url": "https://a.example/f", "site_url": "https://a.example/"}] * 2,
            "feeds[1].slug",
        ),
        ([{"slug": "a", "title": "A", "url": "ftp://a.example/f", "site_url": "https://a.example/"}], "feeds[0].url"),
        ([{"slug": "a", "title": "A", "site_url": "https://a.example/"}], "feeds[0]"),
    ],
    ids=["duplicate-slug", "not-http", "no-url"],
)
def test_a_bad_feeds_file_names_the_place_and_loads_nothing(fixtures_copy: Path, feeds, where: str):
    write_feeds(fixtures_copy, feeds)
    with pytest.raises(CommandError, match=rf"feeds\.yaml: {where.replace('[', r'\[').replace(']', r'\]')}"):
        seed(fixtures_copy)
    assert not Feed.objects.exists()


def test_curators_may_see_and_change_feeds_but_not_subscriptions():
    codenames = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))
    assert {"view_feed", "change_feed", "view_feedpost"} <= codenames
    assert not {c for c in codenames if "feedsubscription" in c}
