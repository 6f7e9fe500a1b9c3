"""Parsing markdown plans: the reference plan (seed 004) line by line, and each rule on a small example."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tracker.plan_markdown import (
    DEADLINE_WORDS,
    Item,
    Note,
    ParsedTrack,
    PlanDocument,
    PlanImportError,
    Resource,
    ResourceKind,
    decode_plan_bytes,
    is_deadline_text,
    parse_plan,
    source_lines,
    unclassified_lines,
)

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"


def _seed_text() -> str:
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The reference plan {SEED} is missing; CI must have it.")
        pytest.skip(f"The reference plan {SEED} is not checked out next to the repository.")
    return decode_plan_bytes(SEED.read_bytes())


@pytest.fixture(scope="module")
def seed_text() -> str:
    return _seed_text()


@pytest.fixture(scope="module")
def seed(seed_text: str) -> PlanDocument:
    return parse_plan(seed_text)


def _track(text: str) -> ParsedTrack:
    doc = parse_plan(text)
    assert len(doc.tracks) == 1
    return doc.tracks[0]


def _only_item(text: str) -> Item:
    items = list(_track("# T\n" + text).all_items())
    assert len(items) == 1
    return items[0]


def _days(year: int, month: int, first: int, last: int) -> list[date]:
    return [date(year, month, day) for day in range(first, last + 1)]


# --- Seed 004, the reference plan ---------------------------------------------------------------------


def test_seed_accounts_for_every_non_blank_line_exactly_once(seed_text: str, seed: PlanDocument) -> None:
    non_blank = [number for number, line in enumerate(seed_text.split("\n"), start=1) if line.strip()]
    assert len(non_blank) == 462
    assert source_lines(seed) == non_blank


def test_seed_tracks_are_its_hash_and_double_hash_headings_in_order(seed: PlanDocument) -> None:
    assert [(track.title, track.level, track.line) for track in seed.tracks] == [
        ("TIME", 1, 1),
        ("职业技能", 2, 73),
        ("会议与期刊", 2, 114),
        ("Daily", 1, 138),
        ("To be a Scientist", 2, 156),
        ("深度学习工程师", 2, 188),
        ("LeetCode 每日一题/专题", 2, 290),
        ("每日一Blog", 2, 390),
        ("概率图模型", 2, 407),
        ("生成模型", 2, 455),
        ("CUDA C 编程权威指南", 2, 469),
        ("English", 2, 648),
        ("Music", 2, 658),
        ("全栈深度学习训练营", 2, 668),
        ("深度学习原理与实践", 2, 732),
        ("深度学习模型设计-轻量化网络", 2, 796),
        ("自制操作系统", 2, 846),
        ("自制游戏引擎", 2, 902),
    ]
    assert seed.preamble_notes == ()


def test_seed_time_track_holds_its_dated_entries_with_done_states(seed: PlanDocument) -> None:
    time = seed.track("TIME")
    assert [section.title for section in time.sections] == [None]
    items = list(time.all_items())
    assert len(items) == 35  # line 41 is prose under an item, not an item
    first = items[0]
    assert (first.line, first.start, first.done) == (3, date(2021, 3, 9), True)
    assert first.title == "第2周星期二_软件架构理论与实践 A3302 开课"
    assert [item.done for item in items[:5]] == [True] * 5
    assert not any(item.done for item in items[5:])
    assert items[-1].start == date(2022, 3, 1)
    assert all(item.start is not None for item in items)


def test_seed_time_track_flags_deadlines_by_their_words(seed: PlanDocument) -> None:
    items = {item.line: item for item in seed.track("TIME").all_items()}
    cvpr = items[66]
    assert (cvpr.title, cvpr.start, cvpr.is_deadline) == ("CVPR 2022 投稿截至日期", date(2021, 11, 16), True)
    flagged = sorted(line for line, item in items.items() if item.is_deadline)
    # 开课/结课 (course start and end), 报名 (sign-up), 笔试/考试 (exams), 投稿截至/截止 (submissions).
    assert flagged == [3, 5, 7, 9, 11, 19, 23, 27, 29, 33, 35, 45, 47, 49, 51, 53, 55, 57, 64, 65, 66, 69]
    assert not items[13].is_deadline  # reading about a Science paper is study, not a deadline
    assert not items[59].is_deadline  # a term ending is not a deadline


def test_seed_ranges_keep_their_start_and_end(seed: PlanDocument) -> None:
    items = {item.line: item for item in seed.track("TIME").all_items()}
    assert (items[67].start, items[67].end, items[67].title) == (
        date(2021, 11, 17),
        date(2021, 11, 30),
        "深度学习模型设计",
    )
    assert (items[68].start, items[68].end, items[68].title) == (
        date(2021, 12, 1),
        date(2021, 12, 31),
        "30天自制操作系统",
    )
    assert items[3].end is None


def test_seed_indented_prose_under_an_item_is_a_note_not_an_item(seed: PlanDocument) -> None:
    notes = seed.track("TIME").notes
    assert [(note.line, note.text[:12]) for note in notes] == [(41, "  之后开始考虑PCL，")]


def test_seed_cuda_book_has_its_ten_chapters_with_dated_items(seed: PlanDocument) -> None:
    book = seed.track("CUDA C 编程权威指南")
    chapters = [section for section in book.sections if section.title is not None]
    assert len(chapters) == 10
    assert chapters[0].title == "第1章　基于CUDA的异构并行计算"
    assert chapters[9].title == "第10章　程序实现的注意事项"
    chapter_1 = book.section("第1章　基于CUDA的异构并行计算")
    # The date follows the title here, after tabs or runs of spaces.
    assert [(item.title, item.start, item.done) for item in chapter_1.items] == [
        ("1.1　并行计算", date(2021, 3, 22), True),
        ("1.2　异构计算", date(2021, 3, 23), True),
    ]
    assert [note.text for note in chapter_1.notes] == [
        "  1.3　用GPU输出Hello　World",
        "  1.4　使用CUDA　C编程难吗",
        "  1.5　总结",
        "  1.6　习题",
    ]
    chapter_2 = book.section("第2章　CUDA编程模型")
    assert [item.done for item in chapter_2.items] == [True, True, True, False]
    assert [item.start for item in chapter_2.items] == _days(2021, 3, 24, 27)
    # A date glued to a Chinese title still counts.
    item_4_5 = book.section("第4章　全局内存").items[4]
    assert (item_4_5.title, item_4_5.start) == ("4.5　使用统一内存的矩阵加法", date(2021, 4, 7))
    assert len(list(book.all_items())) == 47
    assert not any(item.is_deadline for item in book.all_items())


def test_seed_cuda_book_keeps_its_links_and_schedule_notes(seed: PlanDocument) -> None:
    book = seed.track("CUDA C 编程权威指南")
    lead = book.section(None)
    assert [(note.line, note.text) for note in lead.notes] == [
        (471, "每日一节，共46天 = 6 星期 4 天 "),
        (473, "2021/03/22  -  2021/05/07"),
    ]
    assert [resource.url for resource in lead.resources] == [
        "https://blog.csdn.net/god_weiyang/article/details/113156246",
        "https://face2ai.com/categories/CUDA/",
        "http://antkillerfarm.github.io/ai/2021/02/08/NVIDIA.html#cuda%E5%AE%9E%E6%88%98",
    ]
    appendix = book.section("第10章　程序实现的注意事项").notes[-2]
    assert (appendix.line, appendix.text.startswith("附录　推荐阅读")) == (640, True)


def test_seed_deeplearning_ai_course_sections_hold_dated_items_and_done_states(seed: PlanDocument) -> None:
    course = seed.track("深度学习工程师")
    assert [section.title for section in course.sections] == [
        None,
        "note",
        "课后作业",
        "神经网络和深度学习",
        "改善深层神经网络：超参数调试、正则化以及优化",
        "结构化机器学习项目",
        "卷积神经网络",
        "序列模型",
    ]
    first = course.section("神经网络和深度学习").items
    assert [item.start for item in first] == _days(2021, 3, 22, 29)
    assert all(item.done for item in first)
    assert first[1].title == "第二周 神经网络基础 2.1-2.6 + 2.18"
    cnn = course.section("卷积神经网络").items
    assert [item.done for item in cnn] == [True, True, False, False, False, False, False, False]
    assert [item.start for item in cnn] == _days(2021, 4, 12, 19)
    sequence = course.section("序列模型").items
    assert [item.start for item in sequence] == _days(2021, 4, 20, 25)
    assert not any(item.done for item in sequence)
    lead = course.section(None)
    assert [note.text for note in lead.notes] == ["吴恩达 Andrew Ng", "deeplearning.ai"]
    assert len(lead.resources) == 3
    assert [r.url for r in course.section("note").resources][-1] == "http://www.ai-start.com/dl2017/"


def test_seed_leetcode_topics_are_sections_and_links_stay_where_they_were(seed: PlanDocument) -> None:
    leetcode = seed.track("LeetCode 每日一题/专题")
    assert [section.title for section in leetcode.sections] == [
        None,
        "「代码随想录」二叉树专题精讲（v1.1）",
        "链表",
        "双指针法",
        "栈与队列",
        "哈希表",
        "字符串",
        "回溯算法",
    ]
    trees = leetcode.section("「代码随想录」二叉树专题精讲（v1.1）")
    # The album link sits after the last tree item: it stays there, in order, not in a list of its own.
    assert [type(block) for block in trees.blocks] == [Item] * 9 + [Resource]
    assert trees.items[0].title == "树左下角的值、路经总和"  # the trailing space is not part of it
    hashing = leetcode.section("哈希表").items
    assert [item.done for item in hashing] == [True, True, False, False, False]
    backtracking = leetcode.section("回溯算法").items
    assert [item.start for item in backtracking] == _days(2021, 4, 22, 30)
    assert all(item.is_empty_day and not item.done for item in backtracking)


def test_seed_os_plan_has_thirty_one_empty_days_to_fill(seed: PlanDocument) -> None:
    os_plan = seed.track("自制操作系统")
    days = list(os_plan.all_items())
    assert len(days) == 31
    assert [item.start for item in days] == _days(2021, 12, 1, 31)
    assert all(item.title == "" and item.is_empty_day for item in days)
    assert not any(item.done or item.is_deadline for item in days)
    assert len(os_plan.resources) == 7
    assert [note.text for note in os_plan.notes] == ["30天自制操作系统"]


def test_seed_indented_checkboxes_nest_under_the_item_above(seed: PlanDocument) -> None:
    track = seed.track("深度学习模型设计-轻量化网络")
    parents = track.section(None).items
    assert [(item.line, item.title, item.start) for item in parents] == [
        (821, "深度学习模型加速与压缩常用方法", date(2021, 11, 17)),
        (832, "深度学习模型设计-轻量化网络", date(2021, 11, 28)),
    ]
    children = parents[0].children
    assert [(child.line, child.depth, child.start) for child in children] == [
        (822, 1, None),
        (823, 1, None),
        (824, 1, None),
    ]
    assert children[2].title == "深度学习模型加速与压缩常用方法（三）剪枝"
    assert [child.title for child in parents[1].children] == ["轻量化网络理论", "轻量化网络实战"]


def test_seed_images_are_resources_of_kind_image(seed: PlanDocument) -> None:
    images = [
        (resource.line, resource.text, resource.url)
        for track in seed.tracks
        for resource in track.resources
        if resource.kind is ResourceKind.IMAGE
    ]
    assert images == [
        (800, "img", "assets/c294368fa2104459b397e1f89192f37f.jpeg"),
        (808, "在这里插入图片描述", "assets/93c8dcc0cbf742e7d35c323d288b93a3.png"),
        (828, "图片", "assets/640.png"),
        (904, "preview", "assets/a9424160c873b3214659dc5a7286d4b4_r.jpg"),
    ]


def test_seed_course_weeks_mix_dated_and_undated_items(seed: PlanDocument) -> None:
    week_1 = seed.track("全栈深度学习训练营").section("Week 1: Fundamentals").items
    assert [(item.title, item.start, item.done) for item in week_1] == [
        ("Lecture 1: DL Fundamentals", date(2021, 3, 24), True),
        ("Notebook: Coding a neural net from scratch", None, False),
        ("Lab 1: Setup and Introduction", date(2021, 3, 25), True),
        ("How the backpropagation algorithm works", None, False),
    ]


def test_seed_prose_bullets_struck_text_and_rules_are_notes_with_line_numbers(seed: PlanDocument) -> None:
    notes = dict(unclassified_lines(seed))
    assert len(notes) == 88
    assert notes[77].startswith("- 熟悉常用LIDAR点云算法")  # a plain bullet, no checkbox
    assert notes[118] == "~~ACM MM~~/ ~~SIGGRAPH~~"
    assert notes[122].startswith("**AAAI2021**/~~NIPS2021~~")  # bold pieces, not one bold line
    assert notes[136] == "---"
    assert notes[186] == "------"
    assert notes[150] == "Brain Queue"
    assert notes[810].startswith("1. 轻量化设计")
    assert notes[652] == "访问码：bwi8"
    daily = seed.track("Daily")
    assert daily.level == 1
    assert [section.title for section in daily.sections] == [None]
    assert len(daily.notes) == 7
    assert list(daily.all_items()) == []


def test_seed_lines_written_together_are_marked_joined(seed: PlanDocument) -> None:
    english = seed.track("English").section(None).blocks
    assert [(type(block).__name__, block.joined) for block in english if not isinstance(block, Item)] == [
        ("Note", False),
        ("Resource", True),
        ("Note", True),
        ("Note", False),
    ]


# --- Headings and sections ----------------------------------------------------------------------------


def test_hash_and_double_hash_headings_start_tracks_with_bold_marks_stripped() -> None:
    doc = parse_plan("# TIME\n\n## **职业技能**\n## Plain\n")
    assert [(t.title, t.level, t.line) for t in doc.tracks] == [
        ("TIME", 1, 1),
        ("职业技能", 2, 3),
        ("Plain", 2, 4),
    ]


def test_a_hash_heading_with_only_notes_is_still_a_track() -> None:
    doc = parse_plan("# Daily\nsome prose\n## Sub\n- [ ] 2021/01/01 x\n")
    assert [t.title for t in doc.tracks] == ["Daily", "Sub"]
    assert [n.text for n in doc.track("Daily").notes] == ["some prose"]


def test_bold_lines_and_deeper_headings_start_sections() -> None:
    track = _track("## Course\n**Week 1**\n- [ ] a\n### Week 2\n- [ ] b\n#### **Week 3**\n")
    assert [(s.title, s.line) for s in track.sections] == [("Week 1", 2), ("Week 2", 4), ("Week 3", 6)]
    assert [i.title for i in track.section("Week 2").items] == ["b"]


def test_items_before_the_first_section_go_in_an_untitled_section() -> None:
    track = _track("## Course\n- [ ] a\n**Week 1**\n- [ ] b\n")
    assert [(s.title, s.line) for s in track.sections] == [(None, None), ("Week 1", 3)]


def test_a_line_with_bold_pieces_is_a_note_not_a_section() -> None:
    track = _track("## T\n**a**/**b**\n")
    assert track.sections[0].notes == (Note("**a**/**b**", 2),)


def test_headings_without_text_are_notes() -> None:
    doc = parse_plan("## T\n####\n**   **\n")
    assert [n.text for n in doc.track("T").notes] == ["####", "**   **"]


def test_lines_before_the_first_heading_are_preamble_notes_even_checkboxes() -> None:
    doc = parse_plan("My plan\n- [ ] 2021/01/01 early\nhttps://a.example\n**bold**\n### deep\n# T\n")
    assert [(n.line, n.text) for n in doc.preamble_notes] == [
        (1, "My plan"),
        (2, "- [ ] 2021/01/01 early"),
        (3, "https://a.example"),
        (4, "**bold**"),
        (5, "### deep"),
    ]


def test_a_heading_inside_a_fenced_code_block_is_a_note() -> None:
    doc = parse_plan("# T\n```python\n# not a track\n- [ ] not an item\n```\n## U\n")
    assert [t.title for t in doc.tracks] == ["T", "U"]
    assert [n.text for n in doc.track("T").notes] == [
        "```python",
        "# not a track",
        "- [ ] not an item",
        "```",
    ]


# --- Items and dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "done", "title"),
    [("- [x] a", True, "a"), ("- [X] a", True, "a"), ("- [ ] a", False, "a"), ("* [ ] a", False, "a")],
)
def test_checkbox_lines_are_items_done_or_not(line: str, done: bool, title: str) -> None:
    item = _only_item(line)
    assert (item.done, item.title, item.start, item.line) == (done, title, None, 2)


@pytest.mark.parametrize(
    "line",
    [
        "- [x] 2021/03/09 Read",
        "- [x] 2021/3/9 Read",
        "- [x] 2021-03-09 Read",
        "- [x] 2021/03/09\t\tRead",
        "- [x] Read 2021/3/9",
        "- [x] Read\t\t2021/3/9",
        "- [x] Read                 2021-03-09  ",
    ],
)
def test_a_date_before_or_after_the_text_is_the_items_date(line: str) -> None:
    item = _only_item(line)
    assert (item.title, item.start, item.end, item.done) == ("Read", date(2021, 3, 9), None, True)


def test_a_date_glued_to_chinese_text_is_still_a_date() -> None:
    item = _only_item("- [ ] 矩阵加法2021/4/07")
    assert (item.title, item.start) == ("矩阵加法", date(2021, 4, 7))


def test_a_date_alone_is_an_empty_day_to_fill() -> None:
    item = _only_item("- [ ] 2021/12/01   ")
    assert (item.title, item.start, item.is_empty_day) == ("", date(2021, 12, 1), True)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("- [ ] 2021/11/17 - 2021/11/30  深度学习模型设计", "深度学习模型设计"),
        ("- [ ] 2021/11/17-2021/11/30 深度学习模型设计", "深度学习模型设计"),
        ("- [ ] 深度学习模型设计 2021/11/17 - 2021/11/30", "深度学习模型设计"),
        ("- [ ] 2021/11/17 - 2021/11/30", ""),
    ],
)
def test_a_range_gives_start_and_end(line: str, title: str) -> None:
    item = _only_item(line)
    assert (item.title, item.start, item.end) == (title, date(2021, 11, 17), date(2021, 11, 30))


def test_dates_inside_versions_or_paths_are_not_dates() -> None:
    assert _only_item("- [ ] read v2021/01/01").start is None
    assert _only_item("- [ ] 2021/01/01abc").start is None


def test_a_date_in_front_wins_over_one_at_the_end() -> None:
    item = _only_item("- [ ] 2021/01/01 review 2021/02/02")
    assert (item.start, item.title) == (date(2021, 1, 1), "review 2021/02/02")


def test_an_impossible_date_is_an_error_naming_its_line() -> None:
    with pytest.raises(PlanImportError, match=r"Line 3: 2021/02/30 is not a real date") as caught:
        parse_plan("# T\n- [ ] 2021/02/28 fine\n- [ ] 2021/02/30 bad\n")
    assert caught.value.line == 3


def test_a_range_that_ends_before_it_starts_is_an_error_naming_its_line() -> None:
    with pytest.raises(PlanImportError, match=r"Line 2: .* ends before it starts") as caught:
        parse_plan("# T\n- [ ] 2021/12/31 - 2021/12/01 x\n")
    assert caught.value.line == 2


def test_an_impossible_date_in_a_note_is_left_alone() -> None:
    assert parse_plan("# T\nsee 2021/02/30\n").track("T").notes[0].text == "see 2021/02/30"


@pytest.mark.parametrize(
    "title",
    [
        "CVPR 2022 投稿截至日期",
        "ICRA 2022 投稿截止日期",
        "六级笔试",
        "第18周 考试周开始",
        "六级报名",
        "工程伦理 结课",
        "工程伦理 A1205 开课",
        "Paper deadline",
        "Homework DUE",
        "Final exam",
        "Camera-ready submission",
    ],
)
def test_dated_items_that_read_as_deadlines_are_flagged(title: str) -> None:
    item = _only_item(f"- [ ] 2021/06/01 {title}")
    assert item.is_deadline
    assert item.title == title  # the item is kept: a deadline is an item with a flag


@pytest.mark.parametrize("title", ["Read the procedure", "Worked example", "阅读GraphAF", ""])
def test_ordinary_dated_items_are_not_deadlines(title: str) -> None:
    assert not _only_item(f"- [ ] 2021/06/01 {title}").is_deadline


def test_an_undated_item_is_never_a_deadline() -> None:
    assert not _only_item("- [ ] CVPR 投稿").is_deadline


def test_the_deadline_words_are_documented_and_matched() -> None:
    assert all(is_deadline_text(f"x {word} y") for word in DEADLINE_WORDS)


def test_indented_checkboxes_are_children_with_their_depth() -> None:
    track = _track("# T\n- [ ] a\n  - [x] b\n    - [ ] c\n  - [ ] d\n- [ ] e\n")
    a, e = track.section(None).items
    assert [(i.title, i.depth, i.line) for i in a.walk()] == [
        ("a", 0, 2),
        ("b", 1, 3),
        ("c", 2, 4),
        ("d", 1, 5),
    ]
    assert [child.title for child in a.children] == ["b", "d"]
    assert e.children == ()


def test_a_tab_indented_checkbox_is_a_child_too() -> None:
    (parent,) = _track("# T\n- [ ] a\n\t- [ ] b 2021/01/02\n").section(None).items
    assert [(c.title, c.start, c.depth) for c in parent.children] == [("b", date(2021, 1, 2), 1)]


def test_a_note_between_items_ends_the_nesting() -> None:
    blocks = _track("# T\n- [ ] a\nprose\n  - [ ] b\n").section(None).blocks
    assert [(type(b).__name__, b.line) for b in blocks] == [("Item", 2), ("Note", 3), ("Item", 4)]
    orphan = blocks[2]
    assert isinstance(orphan, Item)
    assert orphan.depth == 0


# --- Resources and notes ------------------------------------------------------------------------------


def test_links_on_their_own_line_are_resources_of_their_section() -> None:
    track = _track(
        "# T\nhttps://a.example/x?y=1#z\n**S**\n[The book](https://b.example)\n![alt](img/c.png)\n"
        "see https://not.alone\n"
    )
    assert track.section(None).resources == (Resource("https://a.example/x?y=1#z", ResourceKind.URL, 2),)
    section = track.section("S")
    assert section.resources == (
        Resource("https://b.example", ResourceKind.LINK, 4, text="The book"),
        Resource("img/c.png", ResourceKind.IMAGE, 5, text="alt", joined=True),
    )
    assert [n.text for n in section.notes] == ["see https://not.alone"]


def test_an_item_whose_text_is_a_url_stays_an_item() -> None:
    item = _only_item("- [ ] 2021/04/05    http://www.tensorinfinity.com/paper_32.html")
    assert item.title == "http://www.tensorinfinity.com/paper_32.html"


@pytest.mark.parametrize(
    "line", ["- plain bullet", "1. numbered", "~~struck~~", "---", "------", "  indented prose", "- []"]
)
def test_everything_else_is_kept_verbatim_as_a_note(line: str) -> None:
    doc = parse_plan(f"# T\n{line}\n")
    assert unclassified_lines(doc) == [(2, line)]


def test_unclassified_lines_lists_preamble_and_track_notes_in_line_order() -> None:
    doc = parse_plan("intro\n# T\n- [ ] a\nprose\n**S**\nmore\n")
    assert unclassified_lines(doc) == [(1, "intro"), (4, "prose"), (6, "more")]


def test_notes_written_on_consecutive_lines_are_joined() -> None:
    notes = _track("# T\none\ntwo\n\nthree\n").notes
    assert [(n.text, n.joined) for n in notes] == [("one", False), ("two", True), ("three", False)]


def test_line_numbers_count_blank_lines_and_survive_crlf() -> None:
    doc = parse_plan("# T\r\n\r\n\r\n- [ ] a\r\n")
    (item,) = doc.track("T").all_items()
    assert (item.line, item.title) == (4, "a")


def test_inline_code_on_one_line_does_not_open_a_fence() -> None:
    doc = parse_plan("# T\n```x``` is inline\n## U\n")
    assert [t.title for t in doc.tracks] == ["T", "U"]
