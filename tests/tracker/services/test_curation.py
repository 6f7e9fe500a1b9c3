"""`manage.py seed`: idempotent upserts, validation that names the place of a mistake, all or nothing."""

from __future__ import annotations

import itertools
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Max

from tests.factories import ProgressFactory, UserFactory
from tracker.models import Deadline, Enrollment, Item, Progress, ReadingQueueEntry, Skill, Tag, Track, User
from tracker.services import curation

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "tracks": Track.objects.count(),
        "items": Item.objects.count(),
        "skills": Skill.objects.count(),
        "deadlines": Deadline.objects.count(),
        "tags": Tag.objects.count(),
        "item links": Item.tags.through.objects.count(),
        "last change": Item.objects.aggregate(m=Max("updated_at"))["m"],
        "users": User.objects.count(),
    }


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, target)
    return target


def test_seed_twice_gives_the_same_rows_and_touches_nothing_the_second_time():
    seed("--no-demo")
    first = snapshot()
    output = seed("--no-demo")
    assert snapshot() == first
    assert "already up to date" in output
    assert first["tracks"] == len(list((settings.FIXTURES_DIR / "tracks").glob("*.yaml")))


def test_every_item_of_every_file_is_loaded_in_study_order():
    seed("--no-demo")
    for path in sorted((settings.FIXTURES_DIR / "tracks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        keys: list[str] = []

        def walk(items: list[dict], keys: list[str] = keys) -> None:
            for item in items:
                keys.append(str(item["key"]))
                walk(item.get("items", []))

        walk(data["items"])
        loaded = list(Item.objects.filter(track__slug=data["slug"]).order_by("position").values_list("key", flat=True))
        assert loaded == keys, path.name


def test_children_point_at_their_parent_with_the_right_depth():
    seed("--no-demo")
    for item in Item.objects.filter(parent__isnull=False).select_related("parent")[:500]:
        assert item.parent.track_id == item.track_id
        assert item.depth == item.parent.depth + 1
        assert item.parent.position < item.position


def test_a_bad_value_names_the_file_and_the_path_and_nothing_is_loaded(fixtures_copy: Path):
    track_file = next(iter(sorted((fixtures_copy / "tracks").glob("*.yaml"))))
    data = yaml.safe_load(track_file.read_text(encoding="utf-8"))
    data["items"][0]["kind"] = "podcast"
    track_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        seed("--no-demo", "--fixtures", str(fixtures_copy))

    message = str(error.value)
    assert track_file.name in message
    assert "items[0].kind" in message
    assert "'podcast' is not one of" in message
    assert Track.objects.count() == 0 and Item.objects.count() == 0


def test_a_duplicate_item_key_is_reported_where_it_repeats(fixtures_copy: Path):
    track_file = fixtures_copy / "tracks" / "zz-broken.yaml"
    track_file.write_text(
        "slug: zz-broken\nkind: course\ntitle: T\ntitle_en: T\nitems:\n"
        "  - {key: a, kind: lecture, title: A, title_en: A}\n"
        "  - {key: b, kind: lecture, title: B, title_en: B,\n"
        "     items: [{key: a, kind: lab, title: C, title_en: C}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"zz-broken.yaml: items\[1\]\.items\[0\]\.key: key 'a' is already used"):
        seed("--no-demo", "--fixtures", str(fixtures_copy))


def test_broken_yaml_reports_its_line(fixtures_copy: Path):
    (fixtures_copy / "deadlines.yaml").write_text("deadlines:\n  - key: x\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"deadlines.yaml: line \d+, column \d+: not valid YAML"):
        seed("--no-demo", "--fixtures", str(fixtures_copy))


def test_an_impossible_due_date_is_refused(fixtures_copy: Path):
    path = fixtures_copy / "deadlines.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["deadlines"][0]["due"] = "2021-02-30 23:59"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match=r"deadlines\[0\]\.due: '2021-02-30 23:59' is not a real date"):
        seed("--no-demo", "--fixtures", str(fixtures_copy))


def test_a_failure_midway_rolls_everything_back(monkeypatch: pytest.MonkeyPatch):
    def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(curation, "_upsert_deadlines", explode)
    with pytest.raises(RuntimeError):
        seed("--no-demo")
    assert Track.objects.count() == 0 and Item.objects.count() == 0 and Skill.objects.count() == 0


def test_an_edited_title_updates_in_place(fixtures_copy: Path):
    seed("--no-demo", "--fixtures", str(fixtures_copy))
    path = fixtures_copy / "tracks" / "cuda-c-programming.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0]["title_en"] = "Chapter one, renamed"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ids_before = set(Item.objects.values_list("pk", flat=True))

    seed("--no-demo", "--fixtures", str(fixtures_copy))

    assert set(Item.objects.values_list("pk", flat=True)) == ids_before
    key = data["items"][0]["key"]
    assert Item.objects.get(track__slug="cuda-c-programming", key=key).title_en == "Chapter one, renamed"


def test_an_item_removed_from_its_file_goes_unless_a_learner_has_progress_on_it(fixtures_copy: Path):
    path = fixtures_copy / "tracks" / "zz-small.yaml"
    head = "slug: zz-small\nkind: course\ntitle: T\ntitle_en: T\nitems:\n"
    lines = {key: f"  - {{key: {key}, kind: lecture, title: {key}, title_en: {key}}}\n" for key in "abc"}
    path.write_text(head + "".join(lines.values()), encoding="utf-8")
    seed("--no-demo", "--fixtures", str(fixtures_copy))
    ProgressFactory(user=UserFactory(), item=Item.objects.get(track__slug="zz-small", key="b"))
    path.write_text(head + lines["a"], encoding="utf-8")

    err = StringIO()
    call_command("seed", "--no-demo", "--fixtures", str(fixtures_copy), stdout=StringIO(), stderr=err)

    assert sorted(Item.objects.filter(track__slug="zz-small").values_list("key", flat=True)) == ["a", "b"]
    assert "item 'b' is no longer in the file but learners have progress on it" in err.getvalue()
    assert Progress.objects.count() == 1


def test_demo_accounts_are_created_once_and_their_passwords_shown_once():
    first = seed()
    assert "superuser  admin" in first and "curator    curator" in first and "learner    demo" in first
    before = snapshot(), Enrollment.objects.count(), Progress.objects.count(), Deadline.objects.count()

    second = seed()

    assert "passwords are shown" not in second
    assert (
        snapshot(),
        Enrollment.objects.count(),
        Progress.objects.count(),
        Deadline.objects.count(),
    ) == before
    curator = User.objects.get(username="curator")
    assert curator.is_staff and not curator.is_superuser and curator.groups.filter(name="Curators").exists()


def test_the_demo_learner_follows_the_daily_list_of_the_source_plan():
    seed()
    demo = yaml.safe_load((settings.FIXTURES_DIR / "demo.yaml").read_text(encoding="utf-8"))
    learner = User.objects.get(username=demo["username"])
    enrolled = list(Enrollment.objects.filter(user=learner).order_by("priority").values_list("track__slug", flat=True))
    assert enrolled == [e["track"] for e in demo["enrollments"]]
    assert learner.study_profile.parallel_limit == 5
    ticked = {
        (e["track"], d if isinstance(d, str) else d["item"]) for e in demo["enrollments"] for d in e.get("done", [])
    }
    assert ticked
    # A ticked group (a LeetCode day) means the problems under it were done too; nothing else is done.
    expected = set()
    for slug, key in ticked:
        stack = [Item.objects.get(track__slug=slug, track__owner=None, key=key)]
        while stack:
            item = stack.pop()
            expected.add(item.pk)
            stack.extend(item.children.all())
    done = set(Progress.objects.filter(user=learner, status=Progress.Status.DONE).values_list("item_id", flat=True))
    assert done == expected and len(expected) > len(ticked)
    assert Deadline.objects.filter(owner=learner).count() == len(demo.get("deadlines", []))
    assert ReadingQueueEntry.objects.filter(user=learner).count() == len(demo.get("reading", []))


def test_the_demo_plan_is_moved_so_its_last_study_day_is_yesterday_keeping_every_interval():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from tracker.selectors import study_stats

    seed()
    demo = yaml.safe_load((settings.FIXTURES_DIR / "demo.yaml").read_text(encoding="utf-8"))
    learner = User.objects.get(username=demo["username"])
    zone = ZoneInfo(learner.study_profile.time_zone)
    today = dt.datetime.now(zone).date()
    done_days = sorted({p.done_at.astimezone(zone).date() for p in Progress.objects.filter(user=learner)})
    source_days = sorted(
        {dt.date.fromisoformat(d["on"]) for e in demo["enrollments"] for d in e.get("done", []) if "on" in d}
    )
    assert done_days[-1] == today - dt.timedelta(days=1)
    assert [b - a for a, b in itertools.pairwise(done_days)] == [b - a for a, b in itertools.pairwise(source_days)]
    assert study_stats(user=learner, profile=learner.study_profile, today=today).current_streak >= 1
