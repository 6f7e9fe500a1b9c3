"""Importing a markdown plan: seed 004 becomes the learner's tracks, items, progress, plan and deadlines."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import DatabaseError

from tests.factories import EnrollmentFactory, ItemFactory, ProgressFactory, TrackFactory, UserFactory
from tracker.models import Deadline, Enrollment, Item, PlanEntry, Progress, StudyProfile, Track
from tracker.plan_markdown import (
    MAX_PLAN_BYTES,
    PlanDocument,
    PlanImportError,
    Resource,
    decode_plan_bytes,
    parse_plan,
    unclassified_lines,
)
from tracker.services.plan_import import deadline_kind_for, plan_markdown_import

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
TODAY = dt.date(2021, 4, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The reference plan {SEED} is missing; CI must have it.")
        pytest.skip(f"The reference plan {SEED} is not checked out next to the repository.")
    return SEED.read_bytes()


@pytest.fixture(scope="module")
def seed_doc(seed_bytes: bytes) -> PlanDocument:
    return parse_plan(decode_plan_bytes(seed_bytes))


@pytest.fixture
def learner():
    user = UserFactory(username="yaqi")
    StudyProfile.objects.filter(user=user).update(time_zone="Asia/Shanghai")
    return user


def seed_line(seed_bytes: bytes, text: str) -> int:
    """The 1-based number of the first line of the seed that starts with `text`."""
    lines = decode_plan_bytes(seed_bytes).split("\n")
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(text))


def row_counts() -> dict[str, int]:
    """Rows of every model of the tracker app (users included), to prove nothing was written."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("tracker").get_models()}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def expected_rows(doc: PlanDocument) -> int:
    """Items a document should become: its titled sections, checkbox items (nested too) and links."""
    return sum(
        (section.title is not None) + len(list(section.all_items())) + len(section.resources)
        for track in doc.tracks
        for section in track.sections
    )


def test_seed_becomes_one_own_track_per_heading_with_every_item_link_and_section(learner, seed_bytes, seed_doc):
    report = plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    tracks = list(Track.objects.filter(owner=learner).order_by("enrollments__priority"))
    assert [track.title for track in tracks] == [track.title for track in seed_doc.tracks]
    assert all(track.title_en == track.title for track in tracks)
    items = seed_doc.tracks
    all_items = [item for track in items for item in track.all_items()]
    assert report.tracks_created == len(seed_doc.tracks) and report.tracks_updated == 0
    assert report.items_created == Item.objects.filter(track__owner=learner).count() == expected_rows(seed_doc)
    assert report.resources == sum(len(track.resources) for track in seed_doc.tracks)
    assert report.resources == Item.objects.filter(track__owner=learner, kind=Item.Kind.RESOURCE).count()
    assert report.progress_done == sum(item.done for item in all_items)
    assert report.progress_done == Progress.objects.filter(user=learner, status=Progress.Status.DONE).count()
    dated = [item for item in all_items if item.start is not None]
    assert report.plan_entries == len(dated) == PlanEntry.objects.filter(user=learner, origin="pinned").count()
    deadlines = [item for item in all_items if item.is_deadline]
    assert report.deadlines_created == len(deadlines) == Deadline.objects.filter(owner=learner).count()
    assert report.items_updated == 0 and report.warnings == []


def test_seed_cuda_book_chapters_hold_their_items_done_on_their_dates(learner, seed_bytes):
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    book = Track.objects.get(owner=learner, title="CUDA C 编程权威指南")
    chapter_1 = book.items.get(title="第1章　基于CUDA的异构并行计算")
    assert (chapter_1.kind, chapter_1.depth, chapter_1.parent, chapter_1.estimated_minutes) == ("section", 0, None, 0)
    children = list(chapter_1.children.order_by("position"))
    assert [(c.title, c.kind, c.depth, c.estimated_minutes) for c in children] == [
        ("1.1　并行计算", "topic", 1, 30),
        ("1.2　异构计算", "topic", 1, 30),
    ]
    done = {p.item.title: p for p in Progress.objects.filter(user=learner, item__track=book).select_related("item")}
    assert done["1.1　并行计算"].done_at == local(dt.date(2021, 3, 22), 20)
    assert done["1.2　异构计算"].done_at == local(dt.date(2021, 3, 23), 20)
    assert set(done) == {
        "1.1　并行计算",
        "1.2　异构计算",
        "2.1　CUDA编程模型概述",
        "2.2　给核函数计时",
        "2.3　组织并行线程",
    }
    entries = {
        e.item.title: e
        for e in PlanEntry.objects.filter(user=learner, item__track=book, origin="pinned").select_related("item")
    }
    assert (entries["1.1　并行计算"].date, entries["1.1　并行计算"].status) == (dt.date(2021, 3, 22), "done")
    # Not done and before today: missed. Not done and from today on: planned.
    assert (entries["2.4　设备管理"].date, entries["2.4　设备管理"].status) == (dt.date(2021, 3, 27), "missed")
    assert (entries["7.2　程序优化指令"].date, entries["7.2　程序优化指令"].status) == (dt.date(2021, 4, 20), "planned")
    assert {(e.origin, e.kind, e.minutes, e.end_date) for e in entries.values()} == {("pinned", "new", 30, None)}
    assert [item.key for item in book.items.filter(parent=chapter_1).order_by("position")] == ["s1.1", "s1.2"]


def test_seed_deeplearning_ai_course_keeps_its_links_and_sections_in_file_order(learner, seed_bytes, seed_doc):
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    course = Track.objects.get(owner=learner, title="深度学习工程师")
    sections = list(course.items.filter(kind="section").order_by("position").values_list("title", flat=True))
    assert sections == [s.title for s in seed_doc.track("深度学习工程师").sections if s.title is not None]
    assert sections[2:] == ["神经网络和深度学习", "改善深层神经网络：超参数调试、正则化以及优化", "结构化机器学习项目",
                            "卷积神经网络", "序列模型"]  # fmt: skip
    links = course.items.filter(parent=None, kind="resource").order_by("position")
    assert links[0].url == "https://www.coursera.org/learn/neural-networks-deep-learning?action=enroll"
    assert (links[0].title, links[0].depth) == (links[0].url, 0)
    convnets = course.items.get(title="卷积神经网络")
    states = [
        Progress.objects.filter(user=learner, item=item, status="done").exists()
        for item in convnets.children.order_by("position")
    ]
    assert states == [True, True, False, False, False, False, False, False]
    positions = list(course.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions)))


def test_seed_thirty_one_empty_days_become_dated_milestones(learner, seed_bytes):
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    os_track = Track.objects.get(owner=learner, title="自制操作系统")
    days = list(os_track.items.filter(kind="milestone").order_by("position"))
    assert len(days) == 31
    assert {day.title for day in days} == {""}
    entries = PlanEntry.objects.filter(user=learner, item__in=days, origin="pinned").order_by("date")
    assert [e.date for e in entries] == [dt.date(2021, 12, 1) + dt.timedelta(days=n) for n in range(31)]
    assert {e.status for e in entries} == {"planned"}
    assert os_track.kind == Track.Kind.PROJECT


def test_seed_submission_and_exam_dates_become_deadlines_in_the_learners_zone(learner, seed_bytes):
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    time_track = Track.objects.get(owner=learner, title="TIME")
    cvpr = Deadline.objects.get(owner=learner, title="CVPR 2022 投稿截至日期")
    assert (cvpr.kind, cvpr.track, cvpr.time_zone) == ("conference", time_track, "Asia/Shanghai")
    assert cvpr.due_at == local(dt.date(2021, 11, 16), 23, 59)
    assert Deadline.objects.get(owner=learner, title="全国大学英语六级笔试").kind == "exam"
    assert Deadline.objects.get(owner=learner, title="第2周星期二_软件架构理论与实践 A3302 开课").kind == "course"
    assert Deadline.objects.get(owner=learner, title="全国大学英语六级报名").kind == "personal"
    milestone = time_track.items.get(title="CVPR 2022 投稿截至日期")
    assert milestone.kind == "milestone"
    # A range is one plan entry spanning its days.
    design = PlanEntry.objects.get(
        user=learner, item__track=time_track, item__title="深度学习模型设计", origin="pinned"
    )
    assert (design.date, design.end_date, design.status) == (dt.date(2021, 11, 17), dt.date(2021, 11, 30), "planned")


def test_seed_lines_kept_as_notes_are_reported_with_their_numbers(learner, seed_bytes, seed_doc):
    report = plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    assert report.notes == unclassified_lines(seed_doc)
    line = seed_line(seed_bytes, "吴恩达 Andrew Ng")
    assert (line, "吴恩达 Andrew Ng") in report.notes
    prose = seed_line(seed_bytes, "  之后开始考虑PCL")
    assert any(number == prose and text.startswith("  之后开始考虑PCL") for number, text in report.notes)
    course = Track.objects.get(owner=learner, title="深度学习工程师")
    assert "吴恩达 Andrew Ng" in course.notes
    lead = next(text for number, text in report.notes if number == seed_line(seed_bytes, "每天阅读并总结"))
    assert lead in Track.objects.get(owner=learner, title="每日一Blog").notes


def test_seed_enrolls_the_learner_in_every_track_after_their_current_ones(learner, seed_bytes, seed_doc):
    EnrollmentFactory(user=learner, priority=3)

    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    imported = Enrollment.objects.filter(user=learner, track__owner=learner).order_by("priority")
    assert [e.track.title for e in imported] == [track.title for track in seed_doc.tracks]
    assert [e.priority for e in imported] == list(range(4, 4 + len(seed_doc.tracks)))
    assert {(e.pace_unit, e.pace_per_day) for e in imported} == {("minutes", 60)}
    cuda = imported.get(track__title="CUDA C 编程权威指南")
    assert (cuda.status, cuda.start_date) == ("active", dt.date(2021, 3, 22))
    skills = imported.get(track__title="职业技能")  # no dates at all: starts today
    assert skills.start_date == TODAY


def test_a_track_whose_every_item_is_done_is_a_finished_enrollment(learner):
    plan = "# Finished\n- [x] 2021/01/02 one\n- [x] two\n  - [x] two.a\n\n# Open\n- [x] a\n- [ ] b\n"

    plan_markdown_import(user=learner, data=plan.encode(), today=TODAY)

    statuses = dict(Enrollment.objects.filter(user=learner).values_list("track__title", "status"))
    assert statuses == {"Finished": "finished", "Open": "active"}
    undated = Progress.objects.get(user=learner, item__title="two")
    assert undated.status == "done" and undated.done_at is not None


def test_slugs_are_ascii_unique_per_learner_with_a_fallback_for_chinese_titles(learner):
    TrackFactory(owner=learner, slug="cuda-c", title="old")
    plan = "# CUDA C 编程\n# 自制操作系统\n# CUDA C 编程\n# My_Plan  Notes\n"

    plan_markdown_import(user=learner, data=plan.encode(), today=TODAY)

    slugs = list(Track.objects.filter(owner=learner).exclude(title="old").order_by("id").values_list("slug", flat=True))
    assert slugs == ["cuda-c-2", "plan-2", "cuda-c-3", "my-plan-notes"]


def test_reimporting_the_seed_duplicates_nothing_and_reports_updates(learner, seed_bytes, seed_doc):
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)
    before = row_counts()

    report = plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    assert row_counts() == before
    assert (report.tracks_created, report.tracks_updated) == (0, len(seed_doc.tracks))
    assert (report.items_created, report.items_updated) == (0, expected_rows(seed_doc))
    assert report.deadlines_created == 0


def test_reimporting_an_edited_plan_follows_the_file_and_deletes_no_item(learner):
    first = "# Plan\n- [x] 2021/03/01 read\n- [ ] 2021/03/02 write\n- [ ] later\n"
    plan_markdown_import(user=learner, data=first.encode(), today=TODAY)
    read = Item.objects.get(track__owner=learner, title="read")

    second = "# Plan\n- [ ] 2021/03/05 read\n- [x] 2021/03/02 write\n"
    report = plan_markdown_import(user=learner, data=second.encode(), today=TODAY)

    assert (report.tracks_created, report.tracks_updated, report.items_created, report.items_updated) == (0, 1, 0, 2)
    read.refresh_from_db()
    assert Progress.objects.get(user=learner, item=read).status == "todo"
    assert list(PlanEntry.objects.filter(user=learner, item=read, origin="pinned").values_list("date", "status")) == [
        (dt.date(2021, 3, 5), "missed")
    ]
    write = Progress.objects.get(user=learner, item__title="write")
    assert (write.status, write.done_at) == ("done", dt.datetime(2021, 3, 2, 20, tzinfo=SHANGHAI))
    later = Item.objects.get(track__owner=learner, title="later")  # not in the file any more: kept, last
    assert later.position == 2
    assert Track.objects.filter(owner=learner).count() == 1


def test_reimport_moves_a_pinned_date_and_the_replan_leaves_the_pinned_item_alone(learner):
    plan_markdown_import(user=learner, data=b"# Plan\n- [ ] 2021/05/01 read\n- [ ] other\n", today=TODAY)
    item = Item.objects.get(track__owner=learner, title="read")
    other = Item.objects.get(track__owner=learner, title="other")
    # The planner's entries from an earlier plan, on days still ahead.
    PlanEntry.objects.create(user=learner, item=item, date=dt.date(2021, 5, 3), origin="planner")

    plan_markdown_import(user=learner, data=b"# Plan\n- [ ] 2021/05/02 read\n- [ ] other\n", today=TODAY)

    assert list(PlanEntry.objects.filter(user=learner, item=item).values_list("date", "origin")) == [
        (dt.date(2021, 5, 2), "pinned")
    ]
    # The undated item is the planner's to place, from the track's start (its earliest date in the file).
    assert PlanEntry.objects.get(user=learner, item=other, origin="planner").date == dt.date(2021, 5, 1)


def test_import_never_touches_another_learners_track_of_the_same_title(learner):
    other = UserFactory()
    plan_markdown_import(user=other, data=b"# Plan\n- [x] a\n", today=TODAY)

    report = plan_markdown_import(user=learner, data=b"# Plan\n- [ ] a\n", today=TODAY)

    assert report.tracks_created == 1
    assert Progress.objects.get(user=other).status == "done"
    assert Track.objects.filter(title="Plan").count() == 2


def test_a_long_link_is_kept_as_a_note_and_a_long_title_is_refused_with_its_line(learner):
    url = "https://example.org/" + "a" * 600
    report = plan_markdown_import(user=learner, data=f"# Links\n\n{url}\n".encode(), today=TODAY)
    assert report.notes == [(3, url)] and "Line 3" in report.warnings[0]
    assert url in Track.objects.get(owner=learner).notes

    before = row_counts()
    with pytest.raises(PlanImportError) as error:
        plan_markdown_import(user=learner, data=f"# T\n\n- [ ] {'x' * 301}\n".encode(), today=TODAY)
    assert error.value.line == 3 and "301 characters" in error.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("CVPR 2022 投稿截至日期", "conference"),
        ("NeurIPS submission deadline", "conference"),
        ("第18周星期一 教学周结束/考试周开始", "exam"),
        ("Linear algebra exam", "exam"),
        ("第10周星期一_工程伦理 A1205 开课", "course"),
        ("全国大学英语六级报名", "personal"),
    ],
)
def test_deadline_kind_follows_the_words_of_the_title(title, kind):
    assert deadline_kind_for(title) == kind


def _existing_data(seed_bytes: bytes):
    learner = UserFactory()
    plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)
    item = ItemFactory()
    ProgressFactory(user=learner, item=item)
    return learner


@pytest.mark.parametrize(
    ("data", "words", "line"),
    [
        pytest.param("# Plan\n- [x] caf\xe9\n".encode("latin-1"), "not UTF-8", 2, id="latin-1"),
        pytest.param(b"# Plan\n" + b"- [ ] x\n" * (MAX_PLAN_BYTES // 8 + 1), "over the limit", None, id="over 2 MB"),
        pytest.param(b"# Plan\n\n- [x] a\n- [ ] 2021/02/30 b\n", "2021/02/30 is not a real date", 4, id="bad date"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "looks binary", 3, id="binary"),
        pytest.param(b"just prose, no heading\n", "no `#` or `##` heading", 1, id="no heading"),
    ],
)
def test_a_bad_file_raises_a_clear_error_naming_the_line_and_saves_nothing(learner, seed_bytes, data, words, line):
    _existing_data(seed_bytes)
    before = row_counts()

    with pytest.raises(PlanImportError) as error:
        plan_markdown_import(user=learner, data=data, today=TODAY)

    assert words in error.value.message
    assert error.value.line == line
    if line is not None:
        assert f"line {line}" in error.value.message.lower()
    assert row_counts() == before


def test_a_failure_while_writing_rolls_back_everything_already_written(learner, seed_bytes, monkeypatch):
    before = row_counts()

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Deadline.objects, "bulk_create", fail)
    with pytest.raises(DatabaseError):
        plan_markdown_import(user=learner, data=seed_bytes, today=TODAY)

    assert row_counts() == before


def test_links_under_a_heading_become_resources_of_that_track_written_back_the_same_way(learner):
    plan = "# Reading\n\n[Paper](https://arxiv.org/abs/1)\n![fig](assets/a.png)\nhttps://example.org/x\n"

    report = plan_markdown_import(user=learner, data=plan.encode(), today=TODAY)

    track = Track.objects.get(owner=learner)
    assert track.kind == Track.Kind.READING_LIST
    links = list(track.items.order_by("position").values_list("title", "url", "external_id", "kind"))
    assert links == [
        ("Paper", "https://arxiv.org/abs/1", "md:link", "resource"),
        ("fig", "assets/a.png", "md:image:joined", "resource"),
        ("https://example.org/x", "https://example.org/x", "md:url:joined", "resource"),
    ]
    assert report.resources == 3 and report.notes == []
    assert isinstance(parse_plan(plan).tracks[0].sections[0].blocks[0], Resource)
