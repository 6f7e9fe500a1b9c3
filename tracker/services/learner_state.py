"""Versions of what a learner's Today is built from (LearnerState), raised by every write that can change it.

Every service that can change a learner's Today, plan or the pages' bundles calls `learner_state_bump` in
its own transaction, after its writes; `tests/tracker/services/test_learner_state.py` calls every public
service and fails naming any that neither bumps nor has a reason on its allow-list. Changes to curated
content (the seed, the admin) raise the content version instead, which every Today's key also holds.

A bump is one `UPDATE ... SET version = version + 1`: no read, and since it locks the row until the
transaction ends, two writers' bumps both count. A missing row (a new account, or a test database flushed) is
created and then bumped (two more queries, once), so the version still goes up from the 0 a reader
assumes for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from tracker.models import LearnerState


def learner_states_bump(*, user_ids: Iterable[int]) -> None:
    """Raises the versions of these learners (one UPDATE whatever their number)."""
    ids = set(user_ids)
    if not ids:
        return
    if LearnerState.objects.filter(user_id__in=ids).update(version=F("version") + 1) == len(ids):
        return
    # Some rows are missing: create them (a row made meanwhile by another writer is left alone), then
    # bump all again; going up by two is as good as by one.
    LearnerState.objects.bulk_create([LearnerState(user_id=pk) for pk in ids], ignore_conflicts=True)
    LearnerState.objects.filter(user_id__in=ids).update(version=F("version") + 1)


def learner_state_bump(*, user_id: int) -> None:
    """Raises one learner's version: whatever Today, the plan or a page showed of them may have changed."""
    learner_states_bump(user_ids=(user_id,))


def curated_content_bump() -> None:
    """Raises the version of the curated content (tracks, items, public deadlines), which every learner's
    Today shows."""
    if LearnerState.objects.filter(user__isnull=True).update(version=F("version") + 1):
        return
    LearnerState.objects.bulk_create([LearnerState(user=None)], ignore_conflicts=True)
    LearnerState.objects.filter(user__isnull=True).update(version=F("version") + 1)
