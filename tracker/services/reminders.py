"""Reminder e-mails: the daily one at each learner's local hour, and deadline reminders.

Exactly once, whatever happens:

1. Each profile carries `next_reminder_at`, the next instant (UTC) at which its local clock shows
   `reminder_hour`. Beat's "Reminders dispatcher" (every 5 minutes) locks the profiles whose time has
   come (SKIP LOCKED, so a second beat passes over them), inserts one `ReminderDelivery` row per reminder
   (the claim; unique per learner and local date, or per learner, deadline and kind, so a second insert
   is ignored), moves `next_reminder_at` on to the next day, and enqueues the claimed rows in batches on
   the `email` queue, all in one transaction (the tasks are enqueued on commit).
2. The send task takes the rows over with a guarded update on their claim token: of two copies of a
   task, one gets them and the other nothing. It sends each e-mail on one SMTP connection per batch and
   marks the rows sent right after each one. On an SMTP failure it hands the unsent rows back and the
   task retries with back-off.
3. A claim left unsent longer than REMINDERS_CLAIM_STALE_AFTER (a worker was killed between claim and
   send, a task was lost) is claimed again by the next tick; a sent row is never claimed again.

The one gap no database can close: a worker killed after the SMTP server accepted a message and before
the row was marked sent; the next tick sends that one again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from tracker import emails
from tracker.bulk_sql import update_from_values
from tracker.jobs import tracker_task
from tracker.models import Deadline, Enrollment, ReminderDelivery, StudyProfile
from tracker.models.reminders import DEADLINE_KIND_FOR_DAYS, ReminderKind, ReminderStatus
from tracker.selectors.accounts import verified_email_exists
from tracker.selectors.reminders import ReminderDigest, reminder_digests, vacations_by_user
from tracker.services.planning import plans_ensure_current

logger = logging.getLogger(__name__)

# --- When -----------------------------------------------------------------------------------------------


def next_reminder_time(*, time_zone: str, hour: int, after: dt.datetime) -> dt.datetime:
    """The first instant after `after` at which the clock in `time_zone` shows `hour`:00, in UTC.

    Across daylight-saving changes the wall clock wins: 07:00 stays 07:00 local. On the night the clocks
    spring forward an hour that does not exist (02:00 in New York) is read with the offset before the
    change, which lands on the hour after the gap (03:00); on the night they fall back, an hour that
    happens twice is the first of the two.
    """
    zone = ZoneInfo(time_zone)
    day = after.astimezone(zone).date()
    for offset in range(3):
        local = dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(hour), tzinfo=zone)
        candidate = local.astimezone(dt.UTC)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a day later is always after")  # pragma: no cover


def reminder_schedule(*, profile: StudyProfile, now: dt.datetime | None = None, save: bool = True) -> StudyProfile:
    """Recomputes the profile's `next_reminder_at` after a change of zone, hour or switch.

    A reminder already due but not yet dispatched keeps its time, so changing a setting a minute after
    the hour does not lose today's e-mail (and the claim's unique constraint stops a second one).
    """
    now = now or timezone.now()
    if not profile.reminders_enabled:
        profile.next_reminder_at = None
    elif profile.next_reminder_at is None or profile.next_reminder_at > now:
        profile.next_reminder_at = next_reminder_time(
            time_zone=profile.time_zone, hour=profile.reminder_hour, after=now
        )
    if save:
        StudyProfile.objects.filter(pk=profile.pk).update(next_reminder_at=profile.next_reminder_at)
    return profile


def reminders_schedule_missing(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Gives a reminder time to enabled profiles that have none (made by the admin, the demo, before
    reminders existed). Returns how many it scheduled."""
    now = now or timezone.now()
    profiles = list(
        StudyProfile.objects.filter(reminders_enabled=True, next_reminder_at__isnull=True).order_by("pk")[:limit]
    )
    for profile in profiles:
        reminder_schedule(profile=profile, now=now, save=False)
    update_from_values(StudyProfile, ["next_reminder_at"], [(p.pk, p.next_reminder_at) for p in profiles])
    return len(profiles)


def is_study_day(*, day: dt.date, rest_weekdays: Iterable[int], vacations: tuple[tuple[dt.date, dt.date], ...]) -> bool:
    """Not a rest weekday and not in a vacation."""
    return day.weekday() not in set(rest_weekdays) and not any(first <= day <= last for first, last in vacations)


def deadline_reminder_kind(*, days_left: int, days: Iterable[int]) -> ReminderKind | None:
    """The reminder due for a deadline `days_left` local days away: the closest of the learner's reminder
    days that it is within (3 days away with [7, 1]: the 7-day one, late; 1 day away: the 1-day one)."""
    within = sorted(d for d in days if d in DEADLINE_KIND_FOR_DAYS and 0 <= days_left <= d)
    return DEADLINE_KIND_FOR_DAYS[within[0]] if within else None


# --- Claiming and dispatching ---------------------------------------------------------------------------


def _deadline_candidates(user_ids: Sequence[int], now: dt.datetime) -> dict[int, list[tuple[int, dt.datetime]]]:
    """Deadlines a reminder may be due for, by learner: their own, and the public deadlines of tracks they
    study. Two queries."""
    horizon = now + dt.timedelta(days=max(DEADLINE_KIND_FOR_DAYS) + 2)
    found: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    own = Deadline.objects.filter(owner_id__in=user_ids, due_at__gt=now, due_at__lte=horizon)
    for pk, owner_id, due_at in own.values_list("pk", "owner_id", "due_at"):
        found[owner_id].append((pk, due_at))
    public = Enrollment.objects.filter(
        user_id__in=user_ids,
        status=Enrollment.Status.ACTIVE,
        track__deadlines__owner__isnull=True,
        track__deadlines__due_at__gt=now,
        track__deadlines__due_at__lte=horizon,
    )
    for user_id, pk, due_at in public.values_list("user_id", "track__deadlines__pk", "track__deadlines__due_at"):
        found[user_id].append((pk, due_at))
    return found


def _claims_for(
    profile: StudyProfile,
    slot: dt.datetime,
    *,
    vacations: tuple[tuple[dt.date, dt.date], ...],
    deadlines: list[tuple[int, dt.datetime]],
    tick: str,
    now: dt.datetime,
) -> list[ReminderDelivery]:
    zone = ZoneInfo(profile.time_zone)
    day = slot.astimezone(zone).date()
    rows = []
    if is_study_day(day=day, rest_weekdays=profile.rest_weekdays, vacations=vacations):
        rows.append(
            ReminderDelivery(
                user_id=profile.user_id, kind=ReminderKind.DAILY, local_date=day, claim_token=tick, claimed_at=now
            )
        )
    # Deadlines do not wait for study days: on a rest day their reminder comes alone.
    for deadline_id, due_at in deadlines:
        days_left = (due_at.astimezone(zone).date() - day).days
        kind = deadline_reminder_kind(days_left=days_left, days=profile.deadline_reminder_days or [])
        if kind is not None:
            rows.append(
                ReminderDelivery(
                    user_id=profile.user_id,
                    kind=kind,
                    deadline_id=deadline_id,
                    local_date=day,
                    claim_token=tick,
                    claimed_at=now,
                )
            )
    return rows


def _enqueue_send(delivery_ids: list[int], token: str) -> None:
    transaction.on_commit(lambda: tracker_task("reminders_send_batch").delay(delivery_ids, token))


def _batches(claimed: Sequence[tuple[int, int]], size: int) -> list[list[int]]:
    """Delivery ids in batches of `size` learners; a learner's rows stay together (one e-mail)."""
    batches: list[list[int]] = []
    current: list[int] = []
    users: set[int] = set()
    for pk, user_id in claimed:
        if user_id not in users and len(users) >= size:
            batches.append(current)
            current, users = [], set()
        users.add(user_id)
        current.append(pk)
    if current:
        batches.append(current)
    return batches


def reminders_dispatch(*, now: dt.datetime | None = None) -> int:
    """The periodic dispatcher: claims the reminders of every learner whose hour has come, claims again
    what was left unsent, and enqueues send batches. Returns how many reminders it enqueued."""
    now = now or timezone.now()
    tick = uuid.uuid4().hex
    reminders_schedule_missing(now=now)
    with transaction.atomic():
        due = list(
            StudyProfile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reminders_enabled=True, next_reminder_at__lte=now)
            # Only to an address its owner verified: an unverified one moves on to the next day unclaimed.
            .annotate(email_verified=verified_email_exists("user"))
            .select_related("user")
            .order_by("next_reminder_at", "pk")[: settings.REMINDERS_DISPATCH_LIMIT]
        )
        user_ids = [p.user_id for p in due]
        vacations = vacations_by_user(user_ids=user_ids) if due else {}
        deadlines = _deadline_candidates(user_ids, now) if due else {}
        rows: list[ReminderDelivery] = []
        for profile in due:
            slot = profile.next_reminder_at
            assert slot is not None  # noqa: S101 (filtered on it)
            profile.next_reminder_at = next_reminder_time(
                time_zone=profile.time_zone, hour=profile.reminder_hour, after=max(now, slot)
            )
            if not profile.user.email or not profile.user.is_active or not profile.email_verified:
                continue
            if now - slot > settings.REMINDERS_MAX_LATENESS:
                logger.warning("reminders: skipped user %s, whose hour passed at %s", profile.user_id, slot)
                continue
            rows += _claims_for(
                profile,
                slot,
                vacations=vacations.get(profile.user_id, ()),
                deadlines=deadlines.get(profile.user_id, []),
                tick=tick,
                now=now,
            )
        # A reminder claimed before (the same day, another beat) is not inserted again.
        ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        update_from_values(StudyProfile, ["next_reminder_at"], [(p.pk, p.next_reminder_at) for p in due])
        # Claims left unsent (a worker died between claim and send, a task was lost): this tick's now.
        stale = ReminderDelivery.objects.filter(
            status=ReminderStatus.CLAIMED, claimed_at__lt=now - settings.REMINDERS_CLAIM_STALE_AFTER
        ).update(claim_token=tick, claimed_at=now)
        if stale:
            logger.warning("reminders: claimed again %d reminders left unsent", stale)
        claimed = list(
            ReminderDelivery.objects.filter(claim_token=tick, status=ReminderStatus.CLAIMED)
            .order_by("user_id", "pk")
            .values_list("pk", "user_id")
        )
        for batch in _batches(claimed, max(settings.REMINDERS_BATCH_SIZE, 1)):
            _enqueue_send(batch, tick)
    if claimed:
        logger.info("reminders: dispatched %d reminders of %d learners", len(claimed), len(due))
    return len(claimed)


# --- Sending --------------------------------------------------------------------------------------------


def _skip(rows: Sequence[ReminderDelivery], token: str, note: str) -> None:
    ReminderDelivery.objects.filter(
        pk__in=[r.pk for r in rows], claim_token=token, status=ReminderStatus.CLAIMED
    ).update(status=ReminderStatus.SKIPPED, note=note[:200])


def _message_for(rows: list[ReminderDelivery], digests: dict[int, ReminderDigest]) -> EmailMultiAlternatives:
    deadline_rows = [r for r in rows if r.kind != ReminderKind.DAILY]
    digest = digests.get(rows[0].user_id)
    if digest is not None:
        return emails.daily_reminder_email(digest=digest, deadline_rows=deadline_rows)
    user = rows[0].user
    return emails.deadline_reminder_email(user=user, profile=user.study_profile, deadline_rows=deadline_rows)


def reminders_send(*, delivery_ids: Sequence[int], token: str, now: dt.datetime | None = None) -> int:
    """Sends the claimed reminders `delivery_ids` (claimed under `token`), one e-mail per learner on one
    SMTP connection. Returns how many e-mails went out.

    Queries: the take-over, the rows with user and profile, the digests (a fixed number for the batch),
    then one update per e-mail. An SMTP failure hands the unsent rows back under `token` and re-raises,
    so the task's retry (or the next tick) sends them.
    """
    now = now or timezone.now()
    mine = uuid.uuid4().hex
    taken = ReminderDelivery.objects.filter(
        pk__in=list(delivery_ids), claim_token=token, status=ReminderStatus.CLAIMED
    ).update(claim_token=mine, claimed_at=now)
    if not taken:
        return 0
    rows = list(
        ReminderDelivery.objects.filter(claim_token=mine, status=ReminderStatus.CLAIMED)
        .annotate(email_verified=verified_email_exists("user"))
        .select_related("user", "user__study_profile", "deadline")
        .order_by("user_id", "kind", "pk")
    )
    by_user: dict[int, list[ReminderDelivery]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    for user_id, user_rows in list(by_user.items()):
        user = user_rows[0].user
        profile = getattr(user, "study_profile", None)
        if profile is None or not profile.reminders_enabled or not user.email or not user.is_active:
            _skip(user_rows, mine, "reminders turned off or no e-mail address")
            del by_user[user_id]
        elif not getattr(user_rows[0], "email_verified", False):  # changed to an unverified one since the claim
            _skip(user_rows, mine, "the e-mail address is not verified")
            del by_user[user_id]
    dates = {u: r.local_date for u, rs in by_user.items() for r in rs if r.kind == ReminderKind.DAILY}
    profiles = [rs[0].user.study_profile for rs in by_user.values()]
    plans_ensure_current(profiles=profiles, now=now)  # a learner away for weeks still gets today's plan
    digests = reminder_digests(profiles=profiles, dates=dates, now=now)

    sent = 0
    unsent = {r.pk for rs in by_user.values() for r in rs}
    try:
        with get_connection(timeout=settings.REMINDERS_SMTP_TIMEOUT) as connection:
            for user_rows in by_user.values():
                ids = [r.pk for r in user_rows]
                message = _message_for(user_rows, digests)
                try:
                    connection.send_messages([message])
                except smtplib.SMTPRecipientsRefused as exc:  # this address, not the server: do not retry
                    _skip(user_rows, mine, f"the SMTP server refused the address: {exc.recipients}")
                    unsent.difference_update(ids)
                    continue
                ReminderDelivery.objects.filter(pk__in=ids, claim_token=mine, status=ReminderStatus.CLAIMED).update(
                    status=ReminderStatus.SENT, sent_at=timezone.now(), message_id=message.extra_headers["Message-ID"]
                )
                unsent.difference_update(ids)
                sent += 1
    except Exception:
        if unsent:
            ReminderDelivery.objects.filter(pk__in=unsent, claim_token=mine, status=ReminderStatus.CLAIMED).update(
                claim_token=token
            )
        raise
    return sent
