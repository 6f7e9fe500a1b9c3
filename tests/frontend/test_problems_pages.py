"""The Interview section's problem pages, browser-free: each page in English and 简体中文, the forms without
JavaScript (and with htmx where the page uses it), Today's practice block, and each page's pinned queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.problems_support import load_sample
from tracker.models import ProblemAttempt, ProblemProgress, StudyProfile
from tracker.services.problems import problem_attempt_create

pytestmark = pytest.mark.django_db

PAGES = ["frontend:problems", "frontend:problems-mastery", "frontend:problems-import"]


@pytest.fixture
def practising(learner_client):
    """A learner with the sample catalogue, a few attempts and a re-solve due today."""
    learner, client = learner_client
    problems = load_sample()
    earlier = timezone.now() - dt.timedelta(days=3)
    problem_attempt_create(user=learner, problem=problems["two-sum"], outcome="solved_alone", minutes=9)
    problem_attempt_create(user=learner, problem=problems["3sum"], outcome="not_solved", minutes=40, now=earlier,
                           date=earlier.date())  # fmt: skip
    ProblemProgress.objects.filter(user=learner, problem=problems["3sum"]).update(due=timezone.now())
    return learner, client, problems


@pytest.fixture
def chinese(compiled_messages):
    if not compiled_messages:
        pytest.skip("needs gettext's msgfmt to compile locale/zh_Hans (make system-deps)")


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_in_english_with_the_interview_navigation(practising, name):
    _, client, _ = practising
    page = client.get(reverse(name)).content.decode()
    assert 'aria-label="Interview"' in page and ">Problems</a>" in page and ">Pattern mastery</a>" in page
    assert 'aria-current="page"' in page and "<script>" not in page and "style=" not in page


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("frontend:problems", ["题目", "题单", "两数之和"]),
        ("frontend:problems-mastery", ["模式掌握", "下一道题", "数组与哈希"]),
        ("frontend:problems-import", ["导入已做题目"]),
    ],
)
def test_each_page_renders_in_chinese(practising, chinese, name, words):
    _, client, _ = practising
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse(name)).content.decode()
    assert '<html lang="zh-Hans">' in page
    for word in words:
        assert word in page, word


def test_the_problem_page_in_both_languages(practising, chinese):
    _, client, problems = practising
    url = problems["two-sum"].get_absolute_url()
    english = client.get(url).content.decode()
    assert "1. Two Sum" in english and "https://leetcode.com/problems/two-sum/" in english
    assert "https://leetcode.cn/problems/two-sum/" in english and "Blind 75 (sample)" in english
    assert "Record an attempt" in english and "As proposed" in english and "Solved alone" in english
    client.cookies["django_language"] = "zh-hans"
    chinese_page = client.get(url).content.decode()
    assert "两数之和" in chinese_page and "记录一次尝试" in chinese_page


def test_problems_filter_by_set_pattern_difficulty_and_status_with_per_set_progress(practising):
    _, client, _ = practising
    page = client.get(reverse("frontend:problems")).content.decode()
    assert "1 / 6" in page and "1 / 5" in page and "0 / 1" in page  # two-sum is in two sets
    in_set = client.get(reverse("frontend:problems"), {"set": "grind-75"}).content.decode()
    assert in_set.index("Two Sum") < in_set.index("Valid Parentheses") < in_set.index("Climbing Stairs")
    assert "Group Anagrams" not in in_set
    trees = client.get(reverse("frontend:problems"), {"pattern": "trees"}).content.decode()
    assert "Path Sum" in trees and "Two Sum" not in trees
    tagged = client.get(reverse("frontend:problems"), {"pattern": "monotonic-stack"}).content.decode()
    assert "Daily Temperatures" in tagged and "Trapping Rain Water" in tagged and "Two Sum" not in tagged
    hard = client.get(reverse("frontend:problems"), {"difficulty": "hard"}).content.decode()
    assert "Trapping Rain Water" in hard and "Two Sum" not in hard
    solved = client.get(reverse("frontend:problems"), {"status": "solved"}).content.decode()
    assert "Two Sum" in solved and "3Sum" not in solved
    due = client.get(reverse("frontend:problems"), {"status": "due"}).content.decode()
    assert "3Sum" in due and "Two Sum" not in due
    unsolved = client.get(reverse("frontend:problems"), {"status": "unsolved", "q": "anagram"}).content.decode()
    assert "Valid Anagram" in unsolved and "Group Anagrams" in unsolved and "Two Sum" not in unsolved


def test_the_list_is_paginated_and_keeps_its_filters(practising, monkeypatch):
    from frontend.views import problems as view

    _, client, _ = practising
    monkeypatch.setattr(view, "PAGE_SIZE", 5)
    first = client.get(reverse("frontend:problems"), {"difficulty": "easy"}).content.decode()
    assert "Page 1 of 3" in first and "?difficulty=easy&amp;page=2" in first  # 11 easy problems
    last = client.get(reverse("frontend:problems"), {"difficulty": "easy", "page": 3}).content.decode()
    assert "Page 3 of 3" in last and last.count('class="entry"') == 1


def test_hiding_the_difficulty_hides_it_everywhere_while_practising(practising):
    learner, client, problems = practising
    response = client.post(
        reverse("frontend:problems-preferences"), {"hide_difficulty": "1", "next": "/interview/problems/"}
    )
    assert response.status_code == 302 and StudyProfile.objects.get(user=learner).hide_problem_difficulty
    page = client.get(reverse("frontend:problems")).content.decode()
    assert "Difficulty hidden" in page and "diff-easy" not in page and 'name="difficulty"' not in page
    assert "diff-easy" not in client.get(problems["two-sum"].get_absolute_url()).content.decode()


def test_an_attempt_saved_from_the_problem_page_shows_its_rating_and_next_re_solve(practising):
    learner, client, problems = practising
    url = reverse("frontend:problem-attempt", args=["valid-anagram"])
    data = {"outcome": "solved_with_hints", "minutes": "20", "hints": "1", "language": "C++",
            "time_complexity": "O(n)", "approach": "Count **letters**.", "rating": ""}  # fmt: skip
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "Attempt saved: rated Hard" in page and "Count <strong>letters</strong>." in page
    attempt = ProblemAttempt.objects.get(user=learner, problem=problems["valid-anagram"])
    assert (attempt.rating, attempt.proposed_rating, attempt.language, attempt.hints) == (2, 2, "C++", 1)


def test_the_proposed_rating_is_shown_before_saving_and_can_be_changed(practising):
    _learner, client, problems = practising
    url = reverse("frontend:problem-attempt", args=["valid-anagram"])
    preview = client.post(url, {"outcome": "solved_alone", "minutes": "5", "hints": "0", "preview": "1"})
    assert "Proposed rating: Easy" in preview.content.decode()
    assert not ProblemAttempt.objects.filter(problem=problems["valid-anagram"]).exists()
    client.post(url, {"outcome": "solved_alone", "minutes": "5", "hints": "0", "rating": "3"})
    attempt = ProblemAttempt.objects.get(problem=problems["valid-anagram"])
    assert (attempt.proposed_rating, attempt.rating) == (4, 3)
    fragment = client.get(
        reverse("frontend:problem-proposal", args=["valid-anagram"]), {"outcome": "read_solution", "minutes": "9"}
    )
    assert "Proposed rating: Again" in fragment.content.decode() and "<html" not in fragment.content.decode()


def test_a_bad_attempt_is_shown_back_with_the_error_and_nothing_saved(practising):
    _, client, problems = practising
    url = reverse("frontend:problem-attempt", args=["valid-anagram"])
    response = client.post(url, {"outcome": "solved_alone", "minutes": "5", "hints": "2"})
    assert response.status_code == 400 and "used no hints" in response.content.decode()
    assert not ProblemAttempt.objects.filter(problem=problems["valid-anagram"]).exists()


def test_notes_are_rendered_as_safe_markdown_and_the_revisit_flag_toggles(practising):
    learner, client, problems = practising
    client.post(reverse("frontend:problem-notes", args=["two-sum"]), {"notes": "**map** <script>alert(1)</script>"})
    page = client.get(problems["two-sum"].get_absolute_url()).content.decode()
    assert "<strong>map</strong>" in page and "<script>alert(1)</script>" not in page
    client.post(reverse("frontend:problem-revisit", args=["two-sum"]), {"revisit": "1"})
    assert ProblemProgress.objects.get(user=learner, problem=problems["two-sum"]).revisit
    fragment = client.post(
        reverse("frontend:problem-revisit", args=["two-sum"]), {"revisit": "0"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="revisit"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert not ProblemProgress.objects.get(user=learner, problem=problems["two-sum"]).revisit


def test_the_mastery_page_lists_the_weakest_patterns_and_next_problems_with_why(practising):
    _, client, _ = practising
    page = client.get(reverse("frontend:problems-mastery")).content.decode()
    weakest = page[page.index("Weakest patterns") :]
    assert weakest.index("Two Pointers") < weakest.index("Arrays &amp; Hashing")  # 3Sum failed; Two Sum solved
    assert "no problem solved alone yet" in page and "Why:" in page and "is one of your weakest patterns" in page


def test_importing_a_csv_from_the_web_reports_every_bad_line_or_what_it_imported(practising):
    learner, client, _ = practising
    url = reverse("frontend:problems-import")
    bad = client.post(url, {"file": SimpleUploadedFile("s.csv", b"two-sum,2026-01-02\nnope,2026-01-03\n")})
    assert bad.status_code == 400 and "Line 2:" in bad.content.decode() and "nope" in bad.content.decode()
    before = ProblemAttempt.objects.filter(user=learner).count()
    good = client.post(url, {"file": SimpleUploadedFile("s.csv", b"path-sum,2026-01-02\nclimbing-stairs,2026-01-03\n")})
    assert good.status_code == 200 and "2 attempts imported" in good.content.decode()
    assert ProblemAttempt.objects.filter(user=learner).count() == before + 2
    too_big = client.post(url, {"file": SimpleUploadedFile("s.csv", b"a" * (1024 * 1024 + 1))})
    assert too_big.status_code == 400 and "over the limit" in too_big.content.decode()


def test_today_lists_the_re_solves_due_with_a_one_step_attempt_form(practising):
    _learner, client, _problems = practising
    page = client.get(reverse("frontend:home")).content.decode()
    assert "Practice due" in page and "3Sum" in page and "About 25 minutes" in page
    assert reverse("frontend:problem-attempt", args=["3sum"]) in page
    response = client.post(
        reverse("frontend:problem-attempt", args=["3sum"]), {"outcome": "solved_alone", "minutes": "20", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Practice due" not in client.get(reverse("frontend:home")).content.decode()


def test_another_learners_attempt_cannot_be_deleted(practising):
    from tests.factories import UserFactory

    _, client, problems = practising
    other = UserFactory()
    theirs = problem_attempt_create(user=other, problem=problems["two-sum"], outcome="solved_alone").attempt
    assert client.post(reverse("frontend:problem-attempt-delete", args=[theirs.pk])).status_code == 404
    assert ProblemAttempt.objects.filter(pk=theirs.pk).exists()


# --- Pinned queries ---------------------------------------------------------------------------------------


def test_problems_page_queries(practising, django_assert_max_num_queries):
    _, client, _ = practising
    # session, user, profile, sets with progress, patterns, the count, the page (with the learner's progress
    # and the pattern joined), the page's tags
    with django_assert_max_num_queries(8):
        response = client.get(reverse("frontend:problems"), {"set": "blind-75", "status": "solved"})
    assert response.status_code == 200


def test_problem_page_queries(practising, django_assert_max_num_queries):
    _, client, problems = practising
    # session, user, the problem with its pattern, its tags, its set entries with their sets, the learner's
    # progress, profile, attempts
    with django_assert_max_num_queries(8):
        response = client.get(problems["3sum"].get_absolute_url())
    assert response.status_code == 200


def test_mastery_page_queries(practising, django_assert_max_num_queries):
    _, client, _ = practising
    # session, user, patterns, attempts, candidate problems, suggested problems, their tags, profile
    with django_assert_max_num_queries(8):
        response = client.get(reverse("frontend:problems-mastery"))
    assert response.status_code == 200


def test_import_page_queries(practising, django_assert_max_num_queries):
    _, client, _ = practising
    # session, user
    with django_assert_max_num_queries(2):
        response = client.get(reverse("frontend:problems-import"))
    assert response.status_code == 200


def test_a_search_with_a_nul_character_finds_nothing_instead_of_failing(practising):
    """PostgreSQL refuses NUL in a text comparison; the page treats it as text that matches nothing."""
    _, client, _ = practising
    assert client.get(reverse("frontend:problems"), {"q": "two\x00sum"}).status_code == 200
