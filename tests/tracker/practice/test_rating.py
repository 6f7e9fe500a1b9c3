"""The FSRS rating an attempt proposes (tracker/practice/rating.py): properties over every input, and the
rules' boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.practice.rating import OUTCOMES, TARGET_MINUTES, AttemptFacts, Rating, propose_rating

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)
difficulties = st.sampled_from(sorted(TARGET_MINUTES))
outcomes = st.sampled_from(OUTCOMES)
minutes = st.none() | st.integers(min_value=0, max_value=600)
hints = st.integers(min_value=0, max_value=20)
# Better outcomes first: solving alone never rates below solving with hints, which never rates below not solving.
OUTCOME_ORDER = ["solved_alone", "solved_with_hints", "read_solution", "not_solved"]


def rate(difficulty: str, outcome: str, minutes: int | None = None, hints: int = 0) -> Rating:
    return propose_rating(AttemptFacts(difficulty, outcome, minutes, hints)).rating  # type: ignore[arg-type]


@PROPERTY_SETTINGS
@given(difficulties, outcomes, minutes, hints)
def test_the_proposal_is_always_one_of_the_four_ratings_with_a_reason(difficulty, outcome, m, h):
    proposal = propose_rating(AttemptFacts(difficulty, outcome, m, h))
    assert proposal.rating in set(Rating)
    assert proposal.reason and proposal.target_minutes == TARGET_MINUTES[difficulty]


@PROPERTY_SETTINGS
@given(difficulties, outcomes, st.integers(min_value=0, max_value=599), st.integers(1, 60), hints)
def test_more_minutes_never_propose_a_better_rating(difficulty, outcome, m, more, h):
    assert rate(difficulty, outcome, m + more, h) <= rate(difficulty, outcome, m, h)


@PROPERTY_SETTINGS
@given(difficulties, minutes, st.integers(0, 19), st.integers(1, 5))
def test_more_hints_never_propose_a_better_rating(difficulty, m, h, more):
    assert rate(difficulty, "solved_with_hints", m, h + more) <= rate(difficulty, "solved_with_hints", m, h)


@PROPERTY_SETTINGS
@given(difficulties, minutes, hints)
def test_a_better_outcome_never_rates_below_a_worse_one(difficulty, m, h):
    ratings = [rate(difficulty, outcome, m, 0 if outcome == "solved_alone" else h) for outcome in OUTCOME_ORDER]
    assert ratings == sorted(ratings, reverse=True)


@PROPERTY_SETTINGS
@given(outcomes, minutes, hints)
def test_a_harder_problem_never_rates_worse_for_the_same_minutes(outcome, m, h):
    easy, medium, hard = (rate(d, outcome, m, h) for d in ("easy", "medium", "hard"))
    assert easy <= medium <= hard


@PROPERTY_SETTINGS
@given(difficulties, minutes, hints)
def test_not_solving_or_reading_the_solution_is_always_again(difficulty, m, h):
    assert rate(difficulty, "not_solved", m, h) == Rating.AGAIN
    assert rate(difficulty, "read_solution", m, h) == Rating.AGAIN


@pytest.mark.parametrize(
    ("difficulty", "outcome", "m", "h", "expected"),
    [
        ("easy", "solved_alone", 7, 0, Rating.EASY),  # within half of 15
        ("easy", "solved_alone", 8, 0, Rating.GOOD),
        ("easy", "solved_alone", 15, 0, Rating.GOOD),
        ("easy", "solved_alone", 16, 0, Rating.HARD),
        ("medium", "solved_alone", 12, 0, Rating.EASY),
        ("medium", "solved_alone", 25, 0, Rating.GOOD),
        ("hard", "solved_alone", 40, 0, Rating.GOOD),
        ("hard", "solved_alone", 41, 0, Rating.HARD),
        ("hard", "solved_alone", None, 0, Rating.GOOD),
        ("medium", "solved_with_hints", 50, 2, Rating.HARD),
        ("medium", "solved_with_hints", 51, 2, Rating.AGAIN),
        ("medium", "solved_with_hints", 10, 3, Rating.AGAIN),
    ],
)
def test_the_boundaries_of_the_rules(difficulty, outcome, m, h, expected):
    assert rate(difficulty, outcome, m, h) == expected


@pytest.mark.parametrize(
    "facts",
    [
        {"difficulty": "trivial", "outcome": "solved_alone"},
        {"difficulty": "easy", "outcome": "gave_up"},
        {"difficulty": "easy", "outcome": "solved_alone", "minutes": -1},
        {"difficulty": "easy", "outcome": "solved_with_hints", "hints": -1},
    ],
)
def test_bad_facts_are_refused_where_they_are_built(facts):
    with pytest.raises(ValueError, match=r"must be"):
        AttemptFacts(**facts)
