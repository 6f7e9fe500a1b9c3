"""The FSRS rating an attempt at a problem proposes, from what the learner did, not how they felt.

`propose_rating` is pure and total. Rules, in order:

1. Read the solution, or did not solve: **again** (whatever the minutes).
2. Solved with hints: **hard**; with 3 hints or more, or taking more than twice the target time, **again**.
3. Solved alone: by the minutes against the difficulty's target (easy 15, medium 25, hard 40):
   at most half the target **easy**, at most the target **good**, more **hard**.
   Unknown minutes (an imported attempt) count as on target: **good**.

Properties the tests check: the rating is one of 1..4; more minutes never propose a better rating, nor do
more hints; solving alone never rates below solving with hints for the same minutes, which never rates below
not solving; a harder problem never rates worse for the same minutes (its target is longer).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

Difficulty = Literal["easy", "medium", "hard"]
Outcome = Literal["solved_alone", "solved_with_hints", "read_solution", "not_solved"]

TARGET_MINUTES: dict[str, int] = {"easy": 15, "medium": 25, "hard": 40}
OUTCOMES: tuple[str, ...] = ("solved_alone", "solved_with_hints", "read_solution", "not_solved")
MANY_HINTS = 3


class Rating(IntEnum):
    """FSRS's ratings, numbered as py-fsrs numbers them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True, slots=True)
class AttemptFacts:
    """What happened in an attempt. `minutes` None: not known. `hints` counts only with hints."""

    difficulty: Difficulty
    outcome: Outcome
    minutes: int | None = None
    hints: int = 0

    def __post_init__(self) -> None:
        if self.difficulty not in TARGET_MINUTES:
            raise ValueError(f"difficulty must be easy, medium or hard, got {self.difficulty!r}.")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {self.outcome!r}.")
        if self.minutes is not None and self.minutes < 0:
            raise ValueError(f"minutes must be 0 or more, got {self.minutes}.")
        if self.hints < 0:
            raise ValueError(f"hints must be 0 or more, got {self.hints}.")


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed rating and why, as a code the page turns into a sentence (see `REASONS`)."""

    rating: Rating
    reason: str
    target_minutes: int


# The reasons a proposal gives; the web and the API translate or show them.
REASONS = (
    "not_solved",
    "read_solution",
    "many_hints",
    "hints_and_slow",
    "hints",
    "alone_fast",
    "alone_on_target",
    "alone_slow",
    "alone_unknown_time",
)


def propose_rating(facts: AttemptFacts) -> Proposal:
    """The rating `facts` propose (module docstring); the learner may choose another."""
    target = TARGET_MINUTES[facts.difficulty]
    minutes = facts.minutes
    if facts.outcome == "not_solved":
        return Proposal(Rating.AGAIN, "not_solved", target)
    if facts.outcome == "read_solution":
        return Proposal(Rating.AGAIN, "read_solution", target)
    if facts.outcome == "solved_with_hints":
        if facts.hints >= MANY_HINTS:
            return Proposal(Rating.AGAIN, "many_hints", target)
        if minutes is not None and minutes > 2 * target:
            return Proposal(Rating.AGAIN, "hints_and_slow", target)
        return Proposal(Rating.HARD, "hints", target)
    if minutes is None:
        return Proposal(Rating.GOOD, "alone_unknown_time", target)
    if 2 * minutes <= target:
        return Proposal(Rating.EASY, "alone_fast", target)
    if minutes <= target:
        return Proposal(Rating.GOOD, "alone_on_target", target)
    return Proposal(Rating.HARD, "alone_slow", target)
