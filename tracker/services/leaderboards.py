"""Leaderboards' writes: a curator's decision on a speed-up held for review.

The grader holds a speed-up it finds implausible (over 10× the baseline: `timing.held_for_review`);
`submission_grade` stores such a submission with `review` pending, and no leaderboard ranks it until a
curator approves it in the admin. A decision is a guarded update (pending → approved or rejected), so two
curators deciding at once record one decision, and a decided submission is never decided again.
The learner's handle is a study-profile setting (`users.study_profile_update(public_handle=...)`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from tracker.models import Submission, User

DECISIONS = (Submission.Review.APPROVED, Submission.Review.REJECTED)


class ReviewError(ValueError):
    """A decision that cannot be recorded; the message says why."""


def submission_reviews_decide(*, submission_ids: Iterable[int], decision: str, curator: User) -> int:
    """Records `decision` (approved or rejected) on those of the submissions still pending review, by
    `curator`; returns how many it decided (one UPDATE). Submissions not pending are left as they are."""
    if decision not in DECISIONS:
        raise ReviewError(f"Unknown decision {decision!r}: use {' or '.join(DECISIONS)}.")
    now = timezone.now()
    return Submission.objects.filter(pk__in=list(submission_ids), review=Submission.Review.PENDING).update(
        review=decision, reviewed_by=curator, reviewed_at=now, updated_at=now
    )
