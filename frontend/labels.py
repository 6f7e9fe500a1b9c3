"""Translated names of the domain's choices. The models keep plain English labels (the admin and the
API use them); the dashboard shows these, in the learner's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, dict[str, Promise]] = {
    "kind": {
        "roadmap": _("Roadmap"),
        "course": _("Course"),
        "book": _("Book"),
        "problem_set": _("Problem set"),
        "reading_list": _("Reading list"),
        "project": _("Project"),
    },
    "item_kind": {
        "topic": _("Topic"),
        "lecture": _("Lecture"),
        "lab": _("Lab"),
        "chapter": _("Chapter"),
        "section": _("Section"),
        "problem": _("Problem"),
        "article": _("Article"),
        "resource": _("Resource"),
        "exercise": _("Exercise"),
        "milestone": _("Milestone"),
    },
    "difficulty": {"easy": _("Easy"), "medium": _("Medium"), "hard": _("Hard")},
    "enrollment": {"active": _("Active"), "paused": _("Paused"), "finished": _("Finished"), "dropped": _("Dropped")},
    "progress": {
        "todo": _("To do"),
        "doing": _("Doing"),
        "done": _("Done"),
        "skipped": _("Skipped"),
        "review": _("In review"),
    },
    "entry": {"planned": _("Planned"), "done": _("Done"), "skipped": _("Skipped"), "missed": _("Missed")},
    "reading": {"queued": _("Queued"), "reading": _("Reading"), "read": _("Read"), "dropped": _("Dropped")},
    "tier": {
        "T3": _("T3 — core: what employers ask for first"),
        "T2": _("T2 — expected"),
        "T1": _("T1 — a plus"),
        "T0": _("T0 — interest"),
    },
    "level": {
        "0": _("None"),
        "1": _("Aware"),
        "2": _("Working knowledge"),
        "3": _("Proficient"),
        "4": _("Expert"),
    },
    "deadline": {"conference": _("Conference"), "course": _("Course"), "exam": _("Exam"), "personal": _("Personal")},
    "pace": {"minutes": _("minutes a day"), "items": _("items a day")},
    "weekday": {
        "0": _("Monday"),
        "1": _("Tuesday"),
        "2": _("Wednesday"),
        "3": _("Thursday"),
        "4": _("Friday"),
        "5": _("Saturday"),
        "6": _("Sunday"),
    },
}


def label(group: str, value: object) -> str:
    """The translated name of `value` in `group`, or the value itself when it has none."""
    found = LABELS.get(group, {}).get(str(value))
    return str(found) if found is not None else str(value)


def choices(group: str) -> list[tuple[str, str]]:
    return [(key, str(name)) for key, name in LABELS[group].items()]
