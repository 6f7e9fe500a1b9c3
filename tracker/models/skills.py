from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import BilingualTitleMixin, Item, Track, slug_validator


class SkillTier(models.TextChoices):
    T3 = "T3", "T3 — core"
    T2 = "T2", "T2 — expected"
    T1 = "T1", "T1 — a plus"
    T0 = "T0", "T0 — interest"


class Skill(BilingualTitleMixin, TimeStampedModel):
    """A skill from job postings, in tiers: T3 is what employers ask for first, T0 nice to have."""

    Tier = SkillTier

    key = models.CharField(max_length=80, unique=True, validators=[slug_validator])
    tier = models.CharField(max_length=2, choices=Tier.choices)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    tracks = models.ManyToManyField(Track, blank=True, related_name="skills")
    items = models.ManyToManyField(Item, blank=True, related_name="skills")

    class Meta:
        ordering = ["-tier", "position", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=SkillTier.values), name="skill_tier_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.title_en or self.title}"


class SkillLevel(models.IntegerChoices):
    NONE = 0, _("None")
    AWARE = 1, _("Aware")
    WORKING = 2, _("Working knowledge")
    PROFICIENT = 3, _("Proficient")
    EXPERT = 4, _("Expert")


class SkillAssessment(TimeStampedModel):
    """A learner's own rating of a skill, 0 (none) to 4 (expert)."""

    Level = SkillLevel

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_assessments")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="assessments")
    level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.NONE, validators=[MaxValueValidator(4)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="skill_assessment_user_skill_unique"),
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=4), name="skill_assessment_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill}: {self.get_level_display()}"
