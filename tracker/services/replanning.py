"""The nightly re-plan: each learner's plan is re-made at their local midnight, so requests only read.

Exactly once per learner and local date, whoever comes first:

1. Each profile carries `replan_due_at`, the instant (UTC) its local date moves past `plan_built_on`
   (the next local midnight; null for a learner never planned: due now), set by every re-plan. Beat's
   "Nightly re-plan" (every 5 minutes) locks the due profiles (SKIP LOCKED, so a second beat passes over
   them), claims them by moving `replan_due_at` on by REPLAN_CLAIM_LEASE, and enqueues them in batches on
   the planning queue, all in one transaction (the tasks are enqueued on commit). A learner claimed by one
   tick is not due for the next one.
2. A batch re-plans each learner in their own transaction through `plan_ensure_current`, the service the
   requests and the daily e-mail use: it locks the profile row and re-plans only if `plan_built_on` is
   still not the learner's local date. Of two at once (the job and a request, two copies of a task) the
   second waits for the first and then finds the day planned; it writes nothing but the due time.
3. A claim whose batch never ran (a worker was killed, a task was lost) comes due again when the lease
   ends and the next tick claims it again; a learner re-planned meanwhile (by a request) is not due.

If the job does not run at all (no worker), the first request of the day re-plans, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from tracker.jobs import tracker_task
from tracker.models import StudyProfile, User
from tracker.services.planning import plan_ensure_current

logger = logging.getLogger(__name__)


def _enqueue_batch(user_ids: list[int]) -> None:
    transaction.on_commit(lambda: tracker_task("replans_run_batch").delay(user_ids))


def replans_dispatch(*, now: dt.datetime | None = None) -> int:
    """The periodic dispatcher: claims the learners whose local date has moved past their plan's and
    enqueues them in batches. Returns how many learners it claimed."""
    now = now or timezone.now()
    size = max(settings.REPLAN_BATCH_SIZE, 1)
    # Learners never planned (a new account, one made by the admin) are due now; so the claim below is
    # one range of the index.
    StudyProfile.objects.filter(replan_due_at__isnull=True).update(replan_due_at=now)
    with transaction.atomic():
        due = list(
            StudyProfile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(replan_due_at__lte=now)
            .order_by("replan_due_at", "pk")
            .values_list("pk", "user_id", "user__is_active")[: settings.REPLAN_DISPATCH_LIMIT]
        )
        # The claim: no later tick sees these learners until the lease ends (a deactivated account
        # waits a day).
        lease_end = now + settings.REPLAN_CLAIM_LEASE
        for start in range(0, len(due), size):
            batch = due[start : start + size]
            StudyProfile.objects.filter(pk__in=[pk for pk, _, active in batch if active]).update(
                replan_due_at=lease_end
            )
            StudyProfile.objects.filter(pk__in=[pk for pk, _, active in batch if not active]).update(
                replan_due_at=now + dt.timedelta(days=1)
            )
            user_ids = [user_id for _, user_id, active in batch if active]
            if user_ids:
                _enqueue_batch(user_ids)
    if due:
        logger.info("replans: claimed %d learners for the nightly re-plan", len(due))
    return len(due)


def replans_run(*, user_ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """Re-plans the claimed learners `user_ids` whose day has turned, each in their own transaction.
    Returns how many it re-planned (a learner already planned today by a request, or by a copy of this
    batch, is not re-planned)."""
    replanned = 0
    for user in User.objects.filter(pk__in=list(user_ids)).order_by("pk"):
        try:
            replanned += plan_ensure_current(user=user, now=now or timezone.now()) is not None
        except (OperationalError, InterfaceError):
            raise  # the database, not the learner: the task retries, and skips who is planned by then
        except Exception:
            # One learner's failure does not hold the others back; their lease ends and a tick retries.
            logger.exception("replans: re-planning user %s failed", user.pk)
    return replanned
