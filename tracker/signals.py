"""Changes to curated content raise its version, which every learner's Today key holds.

Curators change tracks, items, tags and public deadlines in the admin, where no service runs; an
administrator may change anything there. So a saved or deleted track, item, tag or public deadline
bumps the content version, and so does every change the admin logs (one object at a time; a bulk
delete from the admin's list logs in bulk, without signals, and the deleted rows' own signals cover
the curated models). The seed (`curated_content_upsert`) bumps once more at its end.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tracker.models import Deadline, Item, Pattern, Problem, ProblemSet, ProblemSetEntry, Tag, Track
from tracker.services.learner_state import curated_content_bump


@receiver(post_save, sender=LogEntry, dispatch_uid="tracker.admin_change_bumps_content")
def admin_change_bumps_content(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created:
        curated_content_bump()


def curated_change_bumps_content(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # A learner's own deadline goes through the deadline services, which bump that learner.
    if isinstance(instance, Deadline) and instance.owner_id is not None:
        return
    curated_content_bump()


# Problems and patterns show on Today (re-solves due); the sets on the Problems page.
for model in (Track, Item, Tag, Deadline, Pattern, Problem, ProblemSet, ProblemSetEntry):
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(curated_change_bumps_content, sender=model, dispatch_uid=f"tracker.{model.__name__}.{name}")
