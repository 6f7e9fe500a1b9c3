"""Writes of interview practice: attempts and their FSRS schedule, notes, the revisit flag, the CSV import
(bad rows, atomicity, idempotency) and loading the catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tests.factories import UserFactory
from tests.problems_support import SAMPLE, load_sample, sample_catalogue
from tracker.curation.files import FixtureError
from tracker.curation.interview import read_problem_catalogue
from tracker.models import Pattern, Problem, ProblemAttempt, ProblemProgress, ProblemSet, ProblemSetEntry, StudyProfile
from tracker.selectors.practice import practice_due
from tracker.services.problems import (
    ProblemError,
    ProblemImportError,
    problem_attempt_create,
    problem_attempt_delete,
    problem_catalogue_upsert,
    problem_note_set,
    problem_revisit_set,
    problems_import_csv,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def problems() -> dict[str, Problem]:
    return load_sample()


@pytest.fixture
def learner():
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(time_zone="Asia/Shanghai")
    return user


def test_an_attempt_proposes_its_rating_from_what_happened_and_schedules_the_re_solve(learner, problems):
    recorded = problem_attempt_create(
        user=learner, problem=problems["two-sum"], outcome="solved_alone", minutes=6, language="python", now=NOW
    )
    assert recorded.proposal.rating == 4 and recorded.attempt.rating == 4 == recorded.attempt.proposed_rating
    progress = recorded.progress
    assert progress.status == "solved" and progress.attempts_count == 1 and progress.solved_alone_count == 1
    assert progress.due is not None and progress.due > NOW + dt.timedelta(days=1)  # days, never minutes
    assert recorded.attempt.date == dt.date(2026, 3, 2)  # the learner's local date (Shanghai)


def test_the_learner_may_change_the_proposed_rating_and_the_schedule_follows_their_choice(learner, problems):
    kept = problem_attempt_create(user=learner, problem=problems["3sum"], outcome="solved_alone", minutes=10, now=NOW)
    other = UserFactory()
    changed = problem_attempt_create(
        user=other, problem=problems["3sum"], outcome="solved_alone", minutes=10, rating=1, now=NOW
    )
    assert changed.attempt.proposed_rating == kept.attempt.proposed_rating == 4
    assert changed.attempt.rating == 1
    assert changed.progress.due is not None and kept.progress.due is not None
    assert changed.progress.due < kept.progress.due


def test_a_failed_attempt_comes_back_sooner_than_a_solved_one_and_is_attempted_not_solved(learner, problems):
    failed = problem_attempt_create(user=learner, problem=problems["3sum"], outcome="not_solved", minutes=30, now=NOW)
    solved = problem_attempt_create(
        user=learner, problem=problems["two-sum"], outcome="solved_alone", minutes=10, now=NOW
    )
    assert failed.progress.status == "attempted" and failed.proposal.rating == 1
    assert failed.progress.due < solved.progress.due  # type: ignore[operator]


def test_an_attempt_entered_late_replays_the_schedule_in_date_order(learner, problems):
    problem = problems["valid-anagram"]
    problem_attempt_create(user=learner, problem=problem, outcome="solved_alone", minutes=10, now=NOW)
    late = problem_attempt_create(
        user=learner, problem=problem, outcome="not_solved", date=dt.date(2026, 2, 1), minutes=20, now=NOW
    )
    again = UserFactory()
    StudyProfile.objects.filter(user=again).update(time_zone="Asia/Shanghai")
    problem_attempt_create(
        user=again, problem=problem, outcome="not_solved", date=dt.date(2026, 2, 1), minutes=20, now=NOW
    )
    in_order = problem_attempt_create(user=again, problem=problem, outcome="solved_alone", minutes=10, now=NOW)
    assert late.progress.due == in_order.progress.due
    assert late.progress.last_attempted_on == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": "gave_up"}, "Choose what happened"),
        ({"minutes": 0}, "between 1 and 600"),
        ({"minutes": 601}, "between 1 and 600"),
        ({"outcome": "solved_alone", "hints": 2}, "no hints"),
        ({"date": dt.date(2026, 3, 5)}, "in the future"),
        ({"rating": 5}, "again, hard, good or easy"),
        ({"language": "x" * 31}, "keep it under 30"),
    ],
)
def test_a_bad_attempt_says_what_is_wrong_and_saves_nothing(learner, problems, changes, message):
    args = {"outcome": "solved_with_hints", "hints": 1, "minutes": 20, **changes}
    with pytest.raises(ProblemError, match=message):
        problem_attempt_create(user=learner, problem=problems["two-sum"], now=NOW, **args)
    assert not ProblemAttempt.objects.exists() and not ProblemProgress.objects.exists()


def test_the_database_refuses_an_attempt_solved_alone_with_hints(learner, problems):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemAttempt.objects.create(
            user=learner, problem=problems["two-sum"], date=NOW.date(), outcome="solved_alone", hints=1,
            proposed_rating=3, rating=3,
        )  # fmt: skip


def test_deleting_the_only_attempt_unschedules_the_problem(learner, problems):
    recorded = problem_attempt_create(user=learner, problem=problems["two-sum"], outcome="solved_alone", now=NOW)
    progress = problem_attempt_delete(attempt=recorded.attempt)
    assert progress.status == "unsolved" and progress.due is None and progress.attempts_count == 0


def test_notes_and_the_revisit_flag_are_kept_per_learner_and_problem(learner, problems):
    problem_note_set(user=learner, problem=problems["two-sum"], notes="  Use a **hash map**.  ")
    problem_revisit_set(user=learner, problem=problems["two-sum"], revisit=True)
    row = ProblemProgress.objects.get(user=learner, problem=problems["two-sum"])
    assert row.notes == "Use a **hash map**." and row.revisit and row.due is None
    with pytest.raises(ProblemError, match="keep them under"):
        problem_note_set(user=learner, problem=problems["two-sum"], notes="x" * 20_001)


def test_re_solves_due_are_practice_due_with_their_difficultys_minutes(learner, problems):
    problem_attempt_create(user=learner, problem=problems["3sum"], outcome="not_solved", now=NOW)
    assert practice_due(user=learner, until=NOW + dt.timedelta(hours=1)) == []
    (item,) = practice_due(user=learner, until=NOW + dt.timedelta(days=2))
    assert (item.kind, item.key, item.minutes, item.title) == ("problem", "3sum", 25, "3Sum")


def test_a_re_solve_due_shrinks_the_plans_budget_that_day(learner, problems):
    from tests.factories import EnrollmentFactory, make_track
    from tracker.models import PlanEntry

    StudyProfile.objects.filter(user=learner).update(daily_minutes=60, time_zone="UTC")
    track, _ = make_track(10, "Track")
    track.items.update(estimated_minutes=20)
    EnrollmentFactory(user=learner, track=track, start_date=dt.date(2026, 3, 1))
    with time_machine.travel(NOW, tick=False):
        problem_attempt_create(user=learner, problem=problems["3sum"], outcome="not_solved", now=NOW)
        due = ProblemProgress.objects.get(user=learner).due
        assert due is not None and due.date() == dt.date(2026, 3, 3)
        minutes = {
            day: sum(PlanEntry.objects.filter(user=learner, date=day).values_list("minutes", flat=True))
            for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3))
        }
    assert minutes == {dt.date(2026, 3, 2): 60, dt.date(2026, 3, 3): 20}  # 60 - 25 leaves one 20-minute item


# --- The CSV import -------------------------------------------------------------------------------------


def test_a_csv_imports_solved_problems_by_slug_or_exact_title(learner, problems):
    data = "slug,date,outcome\ntwo-sum,2026-01-02\nValid Anagram,2026-01-03,hints\n有效的括号,2026-01-04,no\n"
    report = problems_import_csv(user=learner, data=data.encode(), now=NOW)
    assert (report.created, report.already, report.problems) == (3, 0, 3)
    rows = ProblemAttempt.objects.filter(user=learner).order_by("date")
    assert [(a.problem.slug, a.outcome, a.source) for a in rows] == [
        ("two-sum", "solved_alone", "imported"),
        ("valid-anagram", "solved_with_hints", "imported"),
        ("valid-parentheses", "not_solved", "imported"),
    ]
    assert ProblemProgress.objects.filter(user=learner, due__isnull=False).count() == 3


def test_importing_the_same_file_again_adds_nothing(learner, problems):
    data = b"two-sum,2026-01-02\n3sum,2026-01-03\n"
    problems_import_csv(user=learner, data=data, now=NOW)
    due = list(ProblemProgress.objects.filter(user=learner).order_by("pk").values_list("due", flat=True))
    report = problems_import_csv(user=learner, data=data, now=NOW)
    assert (report.created, report.already) == (0, 2)
    assert ProblemAttempt.objects.filter(user=learner).count() == 2
    assert list(ProblemProgress.objects.filter(user=learner).order_by("pk").values_list("due", flat=True)) == due


def test_a_file_with_an_unknown_or_bad_row_imports_nothing_and_lists_every_bad_line(learner, problems):
    data = b"two-sum,2026-01-02\nnot-a-problem,2026-01-03\n=cmd|' /C calc'!A0,2026-01-04\n3sum,someday\n"
    with pytest.raises(ProblemImportError) as caught:
        problems_import_csv(user=learner, data=data, now=NOW)
    lines = [(e.line, e.message) for e in caught.value.errors]
    assert [line for line, _ in lines] == [2, 3, 4]
    assert "not-a-problem" in lines[0][1] and "formula" in lines[1][1] and "YYYY-MM-DD" in lines[2][1]
    assert not ProblemAttempt.objects.exists() and not ProblemProgress.objects.exists()


def test_a_file_that_is_not_text_is_refused_whole(learner, problems):
    with pytest.raises(ProblemImportError, match="not UTF-8"):
        problems_import_csv(user=learner, data=b"\xff\xfe\x00t\x00w\x00o", now=NOW)


# --- The catalogue ---------------------------------------------------------------------------------------


def test_loading_the_catalogue_twice_changes_nothing_the_second_time():
    first = problem_catalogue_upsert(catalogue=sample_catalogue())
    assert first.created["problem"] == 16 and first.created["pattern"] == 24 and first.created["problem set"] == 3
    counts = (Problem.objects.count(), ProblemSet.objects.count(), ProblemSetEntry.objects.count())
    second = problem_catalogue_upsert(catalogue=sample_catalogue())
    assert not second.changed
    assert (Problem.objects.count(), ProblemSet.objects.count(), ProblemSetEntry.objects.count()) == counts


def test_a_problem_in_several_sets_is_one_row_and_solving_it_counts_in_each(learner):
    from tracker.selectors.problems import problem_sets_with_progress

    problems = load_sample()
    assert Problem.objects.filter(slug="two-sum").count() == 1
    assert ProblemSetEntry.objects.filter(problem=problems["two-sum"]).count() == 2
    problem_attempt_create(user=learner, problem=problems["two-sum"], outcome="solved_alone", now=NOW)
    solved = {s.slug: (s.solved, s.total) for s in problem_sets_with_progress(user=learner)}
    assert solved == {"blind-75": (1, 6), "grind-75": (1, 5), "jianzhi-offer-2": (0, 1)}


def test_editing_the_files_updates_the_rows_in_place(tmp_path):
    for name in ("patterns.yaml", "problems.yaml", "sets.yaml"):
        (tmp_path / name).write_text((SAMPLE / name).read_text(encoding="utf-8"), encoding="utf-8")
    problem_catalogue_upsert(catalogue=sample_catalogue())
    two_sum = Problem.objects.get(slug="two-sum").pk
    text = (
        (tmp_path / "problems.yaml").read_text(encoding="utf-8").replace("title_zh: 两数之和", "title_zh: 两数之和！")
    )
    (tmp_path / "problems.yaml").write_text(text, encoding="utf-8")
    catalogue = read_problem_catalogue(tmp_path)
    assert catalogue is not None
    report = problem_catalogue_upsert(catalogue=catalogue)
    assert report.updated["problem"] == 1
    assert Problem.objects.get(pk=two_sum).title_zh == "两数之和！"


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("problems.yaml", "pattern: trees", "pattern: dfs", "not a primary pattern"),
        ("problems.yaml", "slug: 3sum", "slug: two-sum", "listed twice"),
        ("sets.yaml", "[two-sum, valid-parentheses", "[no-such-problem, valid-parentheses", "no problem"),
        ("problems.yaml", "difficulty: hard", "difficulty: brutal", "is not one of"),
    ],
)
def test_a_bad_file_is_reported_with_its_place_and_loads_nothing(tmp_path, file, old, new, where):
    for name in ("patterns.yaml", "problems.yaml", "sets.yaml"):
        text = (SAMPLE / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(old, new, 1) if name == file else text, encoding="utf-8")
    with pytest.raises(FixtureError, match=where) as caught:
        read_problem_catalogue(tmp_path)
    assert caught.value.file.endswith(file) and caught.value.where.startswith("[")
    assert not Pattern.objects.exists()


def test_a_missing_folder_is_no_catalogue(tmp_path):
    assert read_problem_catalogue(tmp_path / "interview") is None


def test_a_problem_a_source_lists_under_two_sections_counts_once_at_its_first_place(tmp_path):
    for name in ("patterns.yaml", "problems.yaml", "sets.yaml"):
        text = (SAMPLE / name).read_text(encoding="utf-8")
        if name == "sets.yaml":  # as Blind 75 lists Merge k Sorted Lists under Linked List and Heap
            text = text.replace("problems: [maximum-depth-of-binary-tree, number-of-islands]",
                                "problems: [maximum-depth-of-binary-tree, 3sum, number-of-islands]")  # fmt: skip
        (tmp_path / name).write_text(text, encoding="utf-8")
    catalogue = read_problem_catalogue(tmp_path)
    assert catalogue is not None
    blind = next(s for s in catalogue.sets if s.slug == "blind-75")
    assert [e.problem for e in blind.entries].count("3sum") == 1 and len(blind.entries) == blind.expected_size
    assert next(e for e in blind.entries if e.problem == "3sum").section == "Array"
