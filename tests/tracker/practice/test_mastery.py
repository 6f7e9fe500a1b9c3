"""Pattern mastery and the next problems (tracker/practice/mastery.py): properties and worked examples."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.practice.mastery import (
    NONE_ALONE_FLOOR,
    RECENT,
    UNPRACTISED,
    AttemptRecord,
    Candidate,
    PatternRef,
    next_problems,
    pattern_mastery,
    weakest_patterns,
)
from tracker.practice.rating import OUTCOMES

PATTERNS = [PatternRef("arrays-hashing", 1), PatternRef("two-pointers", 2), PatternRef("trees", 7)]
DAY = dt.date(2026, 3, 2)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

attempt_records = st.builds(
    AttemptRecord,
    problem=st.sampled_from([f"p{i}" for i in range(8)]),
    pattern=st.sampled_from([p.slug for p in PATTERNS]),
    difficulty=st.sampled_from(["easy", "medium", "hard"]),
    date=st.dates(min_value=dt.date(2025, 1, 1), max_value=DAY),
    outcome=st.sampled_from(OUTCOMES),
    minutes=st.none() | st.integers(1, 120),
    order=st.integers(0, 10_000),
)
candidates = st.builds(
    Candidate,
    problem=st.sampled_from([f"c{i}" for i in range(30)]),
    pattern=st.sampled_from([p.slug for p in PATTERNS]),
    difficulty=st.sampled_from(["easy", "medium", "hard"]),
    tried=st.booleans(),
    sets=st.integers(0, 6),
    first_position=st.integers(0, 150),
)


def attempt(problem: str, pattern: str, outcome: str, minutes: int | None = None, days_ago: int = 0, difficulty="easy"):
    return AttemptRecord(problem, pattern, difficulty, DAY - dt.timedelta(days=days_ago), outcome, minutes)  # type: ignore[arg-type]


@PROPERTY_SETTINGS
@given(st.lists(attempt_records, max_size=40))
def test_mastery_numbers_stay_in_their_ranges(records):
    for m in pattern_mastery(patterns=PATTERNS, attempts=records):
        assert 0 <= m.weakness <= 1
        assert m.recent_attempts == min(m.attempts, RECENT)
        assert m.success_rate is None or 0 <= m.success_rate <= 1
        assert m.solved_alone <= len({r.problem for r in records if r.pattern == m.pattern})
        assert m.reasons
        if m.attempts == 0:
            assert m.weakness == UNPRACTISED and m.success_rate is None
        elif m.solved_alone == 0:
            assert m.weakness >= NONE_ALONE_FLOOR


@PROPERTY_SETTINGS
@given(st.lists(attempt_records, max_size=40), st.lists(candidates, max_size=40, unique_by=lambda c: c.problem))
def test_suggestions_are_deterministic_unsolved_distinct_and_independent_of_input_order(records, pool):
    masteries = pattern_mastery(patterns=PATTERNS, attempts=records)
    first = next_problems(masteries=masteries, candidates=pool, count=5)
    shuffled = list(pool)
    random.Random(7).shuffle(shuffled)
    again = next_problems(masteries=list(reversed(masteries)), candidates=shuffled, count=5)
    assert first == again
    assert len(first) == min(5, len(pool))
    assert len({s.problem for s in first}) == len(first)
    assert {s.problem for s in first} <= {c.problem for c in pool}
    assert all(s.reasons[0].code == "weak_pattern" for s in first)


def test_a_pattern_failed_recently_is_weaker_than_one_never_practised_and_one_mastered():
    records = [
        attempt("two-sum", "arrays-hashing", "solved_alone", 6),
        attempt("contains-duplicate", "arrays-hashing", "solved_alone", 5),
        attempt("path-sum", "trees", "not_solved", 40),
        attempt("path-sum", "trees", "read_solution", 30, days_ago=1),
    ]
    masteries = pattern_mastery(patterns=PATTERNS, attempts=records)
    assert [m.pattern for m in weakest_patterns(masteries)] == ["trees", "two-pointers", "arrays-hashing"]
    trees = next(m for m in masteries if m.pattern == "trees")
    assert {r.code for r in trees.reasons} == {"none_alone", "low_success", "slow"}
    assert trees.success_rate == 0 and trees.median_ratio == (40 / 15 + 30 / 15) / 2
    arrays = next(m for m in masteries if m.pattern == "arrays-hashing")
    assert arrays.level == "medium" and arrays.solved_alone == 2 and arrays.reasons[0].code == "strong"


def test_only_the_last_ten_attempts_count_for_the_success_rate():
    old_failures = [attempt(f"p{i}", "trees", "not_solved", days_ago=30 + i) for i in range(10)]
    recent = [attempt(f"q{i}", "trees", "solved_alone", 10, days_ago=i) for i in range(10)]
    (trees,) = pattern_mastery(patterns=[PatternRef("trees", 7)], attempts=old_failures + recent)
    assert trees.success_rate == 1 and trees.attempts == 20 and trees.recent_attempts == 10


def test_the_level_rises_with_problems_solved_alone():
    def level(records):
        return pattern_mastery(patterns=[PatternRef("trees", 7)], attempts=records)[0].level

    assert level([attempt("a", "trees", "solved_alone")]) == "easy"
    assert level([attempt("a", "trees", "solved_alone"), attempt("b", "trees", "solved_alone")]) == "medium"
    mediums = [attempt(p, "trees", "solved_alone", 20, difficulty="medium") for p in "abc"]
    assert level(mediums) == "hard"
    assert level([attempt("h", "trees", "solved_alone", 30, difficulty="hard")]) == "hard"


def test_next_problems_take_the_weakest_patterns_in_turn_at_the_learners_level_and_say_why():
    records = [attempt("path-sum", "trees", "not_solved", 40)]
    masteries = pattern_mastery(patterns=PATTERNS, attempts=records)
    pool = [
        Candidate("maximum-depth-of-binary-tree", "trees", "easy", sets=5, first_position=3),
        Candidate("invert-binary-tree", "trees", "easy", sets=6, first_position=9),
        Candidate("path-sum", "trees", "easy", tried=True, sets=9),
        Candidate("binary-tree-maximum-path-sum", "trees", "hard", sets=4),
        Candidate("valid-palindrome", "two-pointers", "easy", sets=4),
        Candidate("3sum", "two-pointers", "medium", sets=6),
        Candidate("group-anagrams", "arrays-hashing", "medium", sets=5),
    ]
    chosen = next_problems(masteries=masteries, candidates=pool, count=4)
    # trees (weakest), then arrays-hashing and two-pointers (never practised, in roadmap order), then trees again
    assert [s.problem for s in chosen] == [
        "invert-binary-tree",  # untried easy problems first, the one in more sets first
        "group-anagrams",  # no easy one in the pattern: the nearest harder level
        "valid-palindrome",
        "maximum-depth-of-binary-tree",
    ]
    codes = [r.code for r in chosen[0].reasons]
    assert codes[0] == "weak_pattern" and "at_level" in codes and "in_sets" in codes
    assert "nearest_level" in [r.code for r in chosen[1].reasons]


def test_no_candidates_no_suggestions():
    assert next_problems(masteries=pattern_mastery(patterns=PATTERNS, attempts=[]), candidates=[], count=5) == []
    assert next_problems(masteries=[], candidates=[Candidate("a", "trees", "easy")], count=5) == []
