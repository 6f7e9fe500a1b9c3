"""Property tests of the readiness score (tracker/readiness/score.py): each rule of its docstring."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.readiness.score import (
    MOCKS_SHOWN_AFTER,
    WEIGHTS,
    QuestionMemory,
    ReadinessInputs,
    SkillInput,
    readiness,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
PATTERNS = ["arrays-hashing", "two-pointers", "trees", "graphs", "dp-1d"]

levels = st.one_of(st.none(), st.integers(0, 4))
skills = st.lists(
    st.builds(
        SkillInput,
        key=st.sampled_from(["a", "b", "c", "d"]),
        tier=st.sampled_from(["T3", "T2", "T1", "T0"]),
        level=levels,
    ),
    max_size=6,
)


@st.composite
def memories(draw: st.DrawFn) -> QuestionMemory:
    now = draw(st.floats(0, 1))
    return QuestionMemory(now=now, week=draw(st.floats(0, now)), due=draw(st.booleans()))


@st.composite
def inputs(draw: st.DrawFn) -> ReadinessInputs:
    total = draw(st.integers(0, 60))
    questions = draw(st.integers(0, 80))
    return ReadinessInputs(
        skills=draw(skills),
        track_total=total,
        track_done=draw(st.integers(0, total)),
        solved_alone_by_pattern={p: draw(st.integers(0, 6)) for p in PATTERNS},
        questions_total=questions,
        memories=draw(st.lists(memories(), max_size=min(questions, 20))),
        exercises_total=(ex := draw(st.integers(0, 15))),
        exercises_passed=draw(st.integers(0, ex)),
        mock_scores=draw(st.lists(st.floats(1, 4), max_size=7)),
    )


@PROPERTY_SETTINGS
@given(inputs())
def test_every_part_is_capped_and_the_figure_stays_within_0_and_100(given_inputs: ReadinessInputs) -> None:
    result = readiness(given_inputs)
    for part in result.parts:
        assert 0 <= part.low <= part.value <= part.high <= 1
        assert part.points <= WEIGHTS[part.name]
    assert 0 <= result.low <= result.score <= result.high <= 100
    assert sum(WEIGHTS.values()) == 100


def _more(given: ReadinessInputs, which: int, data: st.DataObject) -> ReadinessInputs:
    """The same learner with more of one part."""
    if which == 0 and given.skills:
        i = data.draw(st.integers(0, len(given.skills) - 1))
        s = given.skills[i]
        raised = dataclasses.replace(s, level=min(4, (s.level or 0) + data.draw(st.integers(0, 4))))
        return dataclasses.replace(given, skills=[*given.skills[:i], raised, *given.skills[i + 1 :]])
    if which == 1:
        return dataclasses.replace(
            given, track_done=min(given.track_total, given.track_done + data.draw(st.integers(0, 9)))
        )
    if which == 2:
        counts = dict(given.solved_alone_by_pattern or {})
        pattern = data.draw(st.sampled_from(PATTERNS))
        counts[pattern] += data.draw(st.integers(0, 5))
        return dataclasses.replace(given, solved_alone_by_pattern=counts)
    if which == 3 and len(given.memories) < given.questions_total:
        return dataclasses.replace(given, memories=[*given.memories, data.draw(memories())])
    if which == 4 and given.memories:
        i = data.draw(st.integers(0, len(given.memories) - 1))
        m = given.memories[i]
        up = data.draw(st.floats(m.now, 1))
        better = QuestionMemory(now=up, week=data.draw(st.floats(m.week, up)), due=m.due)
        return dataclasses.replace(given, memories=[*given.memories[:i], better, *given.memories[i + 1 :]])
    if which == 5:
        return dataclasses.replace(
            given, exercises_passed=min(given.exercises_total, given.exercises_passed + data.draw(st.integers(0, 3)))
        )
    if which == 6 and given.mock_scores:
        i = data.draw(st.integers(0, len(given.mock_scores) - 1))
        scores = list(given.mock_scores)
        scores[i] = data.draw(st.floats(scores[i], 4))
        return dataclasses.replace(given, mock_scores=scores)
    if which == 7 and len(given.mock_scores) < MOCKS_SHOWN_AFTER:
        return dataclasses.replace(given, mock_scores=[*given.mock_scores, data.draw(st.floats(1, 4))])
    return given


@PROPERTY_SETTINGS
@given(inputs(), st.integers(0, 7), st.data())
def test_more_of_any_part_never_lowers_the_figure_nor_its_bounds(
    given_inputs: ReadinessInputs, which: int, data: st.DataObject
) -> None:
    before = readiness(given_inputs)
    after = readiness(_more(given_inputs, which, data))
    assert after.score >= before.score
    assert after.low >= before.low
    assert after.high >= before.high
    for old, new in zip(before.parts, after.parts, strict=True):
        assert new.value >= old.value - 1e-12


@PROPERTY_SETTINGS
@given(inputs())
def test_the_mock_part_counts_only_after_three_sessions(given_inputs: ReadinessInputs) -> None:
    mock = readiness(given_inputs).parts[-1]
    assert mock.name == "mocks"
    assert mock.shown == (len(given_inputs.mock_scores) >= MOCKS_SHOWN_AFTER)
    if not mock.shown:
        assert mock.value == mock.low == mock.high == 0


@PROPERTY_SETTINGS
@given(inputs())
def test_at_most_three_actions_each_gaining_points_largest_first(given_inputs: ReadinessInputs) -> None:
    actions = readiness(given_inputs).actions
    assert len(actions) <= 3
    assert all(a.gain > 0 for a in actions)
    assert [a.gain for a in actions] == sorted((a.gain for a in actions), reverse=True)
    assert len({a.kind for a in actions}) == len(actions)


def test_a_learner_with_nothing_done_scores_zero_and_is_told_where_to_start() -> None:
    result = readiness(
        ReadinessInputs(
            skills=[SkillInput("cuda", "T3", None)],
            track_total=40,
            solved_alone_by_pattern=dict.fromkeys(PATTERNS, 0),
            questions_total=30,
            exercises_total=4,
        )
    )
    assert (result.score, result.low, result.high) == (0, 0, 0)
    assert [a.kind for a in result.actions] == ["assess_skill", "review_questions", "solve_pattern"]
    assert result.actions[0].target == "cuda"


def test_a_learner_with_everything_done_scores_100_with_three_strong_mocks() -> None:
    full = ReadinessInputs(
        skills=[SkillInput("cuda", "T3", 4), SkillInput("tvm", "T1", 4)],
        track_total=10,
        track_done=10,
        solved_alone_by_pattern=dict.fromkeys(PATTERNS, 3),
        questions_total=50,
        memories=[QuestionMemory(1.0, 1.0, False)] * 50,
        exercises_total=10,
        exercises_passed=10,
        mock_scores=[4, 4, 4],
    )
    result = readiness(full)
    assert result.score == 100
    assert result.actions == ()
    assert readiness(dataclasses.replace(full, mock_scores=[4, 4])).score == 90


def test_self_assessed_skills_give_a_range_of_one_level_either_way() -> None:
    result = readiness(ReadinessInputs(skills=[SkillInput("cuda", "T3", 2)]))
    skills = result.parts[0]
    assert (skills.low, skills.value, skills.high) == (0.25, 0.5, 0.75)
    assert (result.low, result.score, result.high) == (6, 12, 19)
