"""Names of the domain's choices in the learner's language, for the dashboard's `label` filter and its
forms. They are the models' own labels (translated), except where the dashboard words them on purpose
(`DASHBOARD_WORDING`), and the weekdays, which Django names."""

from __future__ import annotations

from django.db.models import Choices
from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    Deadline,
    Enrollment,
    Item,
    PlanEntry,
    Problem,
    ProblemAttempt,
    ProblemProgress,
    Progress,
    ReadingQueueEntry,
    Skill,
    SkillAssessment,
    Track,
)

MODEL_CHOICES: dict[str, type[Choices]] = {
    "kind": Track.Kind,
    "item_kind": Item.Kind,
    "difficulty": Item.Difficulty,
    "enrollment": Enrollment.Status,
    "progress": Progress.Status,
    "entry": PlanEntry.Status,
    "reading": ReadingQueueEntry.Status,
    "level": SkillAssessment.Level,
    "deadline": Deadline.Kind,
    "problem_difficulty": Problem.Difficulty,
    "problem_status": ProblemProgress.Status,
    "problem_outcome": ProblemAttempt.Outcome,
    "problem_rating": ProblemAttempt.Rating,
}

# The skills page heads each tier with what it means, and a pace is read inside a sentence ("45 minutes
# a day"), so these differ from the models' labels; tests check they name the same values.
DASHBOARD_WORDING: dict[str, tuple[type[Choices], dict[str, Promise]]] = {
    "tier": (
        Skill.Tier,
        {
            "T3": _("T3 — core: what employers ask for first"),
            "T2": _("T2 — expected"),
            "T1": _("T1 — a plus"),
            "T0": _("T0 — interest"),
        },
    ),
    "pace": (Enrollment.PaceUnit, {"minutes": _("minutes a day"), "items": _("items a day")}),
}

LABELS: dict[str, dict[str, Promise | str]] = {
    **{group: {str(value): name for value, name in model.choices} for group, model in MODEL_CHOICES.items()},
    **{group: dict(names) for group, (_model, names) in DASHBOARD_WORDING.items()},
    "weekday": {str(day): name for day, name in WEEKDAYS.items()},
}


def label(group: str, value: object) -> str:
    """The translated name of `value` in `group`, or the value itself when it has none."""
    found = LABELS.get(group, {}).get(str(value))
    return str(found) if found is not None else str(value)


def choices(group: str) -> list[tuple[str, str]]:
    return [(key, str(name)) for key, name in LABELS[group].items()]
