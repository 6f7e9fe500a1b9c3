"""Exporting a learner's tracks and plan as markdown, and the round trip through import."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.factories import EnrollmentFactory, ItemFactory, ProgressFactory, TrackFactory, UserFactory
from tracker.models import Item, PlanEntry, Progress, Track, User
from tracker.plan_markdown import decode_plan_bytes, parse_plan, render_plan
from tracker.services.plan_export import plan_markdown_export
from tracker.services.plan_import import plan_markdown_import

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
TODAY = dt.date(2021, 4, 15)


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The reference plan {SEED} is missing; CI must have it.")
        pytest.skip(f"The reference plan {SEED} is not checked out next to the repository.")
    return SEED.read_bytes()


def snapshot(user: User) -> list[tuple[object, ...]]:
    """A learner's own tracks as comparable rows: track, then each item with its depth, state and dates."""
    done = set(Progress.objects.filter(user=user, status="done").values_list("item_id", flat=True))
    dates = {
        e.item_id: (e.date, e.end_date, e.status)
        for e in PlanEntry.objects.filter(user=user, origin="pinned").only("item_id", "date", "end_date", "status")
    }
    rows: list[tuple[object, ...]] = []
    for track in Track.objects.filter(owner=user).order_by("enrollments__priority"):
        rows.append(("track", track.title, track.kind, track.slug, track.notes))
        for item in Item.objects.filter(track=track).order_by("position"):
            rows.append(
                (
                    item.key,
                    item.title,
                    item.kind,
                    item.depth,
                    item.position,
                    item.url,
                    item.pk in done,
                    dates.get(item.pk),
                )
            )
    return rows


def test_export_of_the_imported_seed_writes_back_every_line_in_place(seed_bytes):
    learner = UserFactory()
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    text = plan_markdown_export(user=learner)

    # The parser's own canonical rendering of the seed: same tracks, sections, items, states, dates,
    # links and notes in the same order; only spacing and date formats are normalised.
    assert text == render_plan(parse_plan(decode_plan_bytes(seed_bytes)))
    assert "天翼链接\nhttps://cloud.189.cn/t/J77ramVn63ua\n访问码：bwi8\n" in text
    assert "- [x] 2021/03/22 1.1　并行计算\n" in text
    assert "## 职业技能\n" in text and text.startswith("# TIME\n")


def test_round_trip_through_a_second_learner_gives_the_same_text_and_rows(seed_bytes):
    first, second = UserFactory(), UserFactory()
    plan_markdown_import(user=first, data=seed_bytes, today=TODAY)
    text1 = plan_markdown_export(user=first)

    plan_markdown_import(user=second, data=text1.encode(), today=TODAY)
    text2 = plan_markdown_export(user=second)

    assert text1 == text2
    assert snapshot(first) == snapshot(second)
    assert len(snapshot(first)) > 300  # the comparison is over the whole seed, not an empty list


def test_exporting_twice_gives_identical_text(seed_bytes):
    learner = UserFactory()
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    assert plan_markdown_export(user=learner) == plan_markdown_export(user=learner)


def test_export_of_a_learner_without_tracks_is_empty():
    assert plan_markdown_export(user=UserFactory()) == ""


def test_own_tracks_come_by_priority_then_curated_enrolled_tracks_with_their_states():
    learner = UserFactory()
    plan_markdown_import(user=learner, data=b"# Zeta\n- [ ] z\n\n# Alpha\n- [ ] a\n", today=TODAY)
    unenrolled = TrackFactory(owner=learner, slug="later", title="Beta")
    ItemFactory(track=unenrolled, key="b", title="b", kind="topic", position=0)
    curated = TrackFactory(title="TensorRT 实战")
    chapter = ItemFactory(track=curated, key="c1", title="第1章", kind="chapter", position=0)
    done = ItemFactory(track=curated, parent=chapter, key="c1.1", title="1.1 安装", kind="section", position=1)
    ItemFactory(track=curated, parent=chapter, key="c1.2", title="1.2 构建引擎", kind="section", position=2)
    EnrollmentFactory(user=learner, track=curated, priority=1)
    ProgressFactory(user=learner, item=done)
    TrackFactory(title="Not enrolled")

    text = plan_markdown_export(user=learner)

    assert text == (
        "# Zeta\n\n- [ ] z\n\n# Alpha\n\n- [ ] a\n\n# Beta\n\n- [ ] b\n\n"
        "# TensorRT 实战\n\n- [ ] 第1章\n  - [x] 1.1 安装\n  - [ ] 1.2 构建引擎\n"
    )


def test_reimporting_an_exported_curated_track_makes_an_own_copy():
    learner = UserFactory()
    curated = TrackFactory(title="CUDA 入门")
    ProgressFactory(user=learner, item=ItemFactory(track=curated, key="x", title="核函数", kind="lecture"))
    EnrollmentFactory(user=learner, track=curated)

    plan_markdown_import(user=learner, data=plan_markdown_export(user=learner).encode(), today=TODAY)

    copy = Track.objects.get(owner=learner, title="CUDA 入门")
    assert copy.pk != curated.pk and curated.owner is None
    assert Progress.objects.get(user=learner, item__track=copy).item.title == "核函数"


def test_notes_typed_into_a_track_outside_an_import_are_exported_at_its_end():
    learner = UserFactory()
    track = TrackFactory(owner=learner, slug="mine", title="Mine", notes="remember the deadline\nand the slides")
    section = ItemFactory(track=track, key="w1", title="Week 1", kind="section", position=0)
    ItemFactory(track=track, parent=section, key="w1.1", title="a", kind="topic", position=1)

    text = plan_markdown_export(user=learner)

    assert text == "# Mine\n\n**Week 1**\n\n- [ ] a\n\nremember the deadline\nand the slides\n"


def test_a_note_that_reads_like_a_storage_marker_survives_the_round_trip():
    learner = UserFactory()
    plan = "# Plan\n\n<!-- plan: after s1 -->\n\n- [ ] a\n"

    plan_markdown_import(user=learner, data=plan.encode(), today=TODAY)

    assert plan_markdown_export(user=learner) == plan


def test_preamble_notes_before_the_first_heading_come_back_first():
    learner = UserFactory()
    plan = "My plan for 2021\nkeep going\n\n# One\n\n- [x] 2021/01/01 - 2021/01/03 a\n"

    plan_markdown_import(user=learner, data=plan.encode(), today=TODAY)

    assert plan_markdown_export(user=learner) == plan


def test_export_of_the_seed_costs_a_fixed_number_of_queries(seed_bytes, django_assert_num_queries):
    learner = UserFactory()
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    # enrollments, tracks, items, done progress, pinned plan entries
    with django_assert_num_queries(5):
        plan_markdown_export(user=learner)
