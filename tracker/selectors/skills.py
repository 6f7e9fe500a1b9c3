"""Skills with the learner's self-assessment."""

from __future__ import annotations

from typing import TypedDict

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django_stubs_ext import WithAnnotations

from tracker.models import Skill, SkillAssessment, Track, User
from tracker.selectors.curriculum import track_visible_to


class SkillLevel(TypedDict):
    """What `skills_with_level` adds to each skill."""

    my_level: int | None


class SkillMatrixFields(SkillLevel):
    """What `skills_matrix` adds to each skill (`visible_tracks`: a prefetch)."""

    visible_tracks: list[Track]


type SkillWithLevel = WithAnnotations[Skill, SkillLevel]
type SkillMatrixRow = WithAnnotations[Skill, SkillMatrixFields]


def _with_level(user: User) -> QuerySet[SkillWithLevel]:
    """Every skill, T3 first, with `my_level`: the learner's self-assessment, None when unrated."""
    return Skill.objects.annotate(
        my_level=Subquery(
            SkillAssessment.objects.filter(user=user, skill=OuterRef("pk")).values("level")[:1],
            output_field=IntegerField(),
        )
    ).order_by("-tier", "position", "key")


def skills_matrix(*, user: User) -> QuerySet[SkillMatrixRow]:
    """Every skill, T3 first, with `my_level` (None when unrated) and `visible_tracks`, the tracks
    that teach it which the learner may open. Two queries."""
    return _with_level(user).prefetch_related(
        Prefetch(
            "tracks",
            queryset=track_visible_to(user=user).order_by("title_en", "id"),
            to_attr="visible_tracks",
        )
    )


def skills_with_level(*, user: User) -> QuerySet[SkillWithLevel]:
    """Every skill with `my_level`, the learner's self-assessment (null when unrated). Two queries."""
    return _with_level(user).prefetch_related("tracks")
