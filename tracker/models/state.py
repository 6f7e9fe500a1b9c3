from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from .users import User


class LearnerState(models.Model):
    """A version of everything a learner's Today is built from, raised by every write that can change it
    (tracker/services/learner_state.py), so a Today can be named, cached and revalidated without building it.

    The row without a user versions the curated content every learner sees (tracks, items, public deadlines).
    Only `learner_state_bump` writes `version`, with an UPDATE that adds one: never saved from memory, it can
    only go up, and a cache key holding a version can never name older data than that version's.
    """

    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.CASCADE, related_name="learner_state")
    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [
            # One row per learner and exactly one for the curated content (user NULL counts as 0 here).
            models.UniqueConstraint(Coalesce("user", Value(0)), name="learner_state_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"State {self.version} of {self.user or 'curated content'}"
