"""A learner's self-assessment of skills."""

from __future__ import annotations

from django.db import transaction

from tracker.models import Skill, SkillAssessment, User


class SkillError(Exception):
    """An assessment that cannot be saved."""


@transaction.atomic
def skill_assess(*, user: User, skill: Skill, level: int) -> SkillAssessment:
    """Sets the learner's level for the skill, 0 (none) to 4 (expert)."""
    if level not in SkillAssessment.Level.values:
        raise SkillError("Level must be 0 (none), 1 (aware), 2 (working), 3 (proficient) or 4 (expert).")
    assessment, _ = SkillAssessment.objects.update_or_create(user=user, skill=skill, defaults={"level": level})
    return assessment
