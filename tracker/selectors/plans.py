"""A learner's plan over a range of dates, the vacations it plans around, and the items the planner
places."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from tracker.models import Item, PlanEntry, User, Vacation
from tracker.planning.types import PlanItem


def plan_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[PlanEntry]:
    """Plan entries from `start` to `end` inclusive, by day and order, with item and track. One query."""
    return (
        PlanEntry.objects.filter(user=user, date__gte=start, date__lte=end)
        .select_related("item", "item__track", "enrollment")
        .order_by("date", "position", "id")
    )


def vacations_of(*, user: User) -> QuerySet[Vacation]:
    """The learner's vacations, latest first."""
    return Vacation.objects.filter(user=user).select_related("user").order_by("-start_date", "-id")


# --- The items the planner places, per track -------------------------------------------------------------
#
# Every re-plan needs each of the learner's tracks as its ordered leaf items (id and minutes): ten thousand
# rows for five long tracks, the larger part of a re-plan's time. Learners study the same curated tracks,
# so each process keeps them, checked against the database on every use by a checksum of exactly the
# columns the planner reads (id, position, minutes, parent): an item added, removed, moved, re-timed or
# regrouped changes it, whatever wrote it (admin, curation sync, plan import), so nothing can forget to
# invalidate. The checksum is one aggregate query computed in the database; only a changed track's items
# are read again.

TRACK_ITEMS_CACHED = 256  # tracks kept per process (a curated catalogue is a few dozen)
_cache: OrderedDict[int, tuple[tuple[int, ...], tuple[PlanItem, ...]]] = OrderedDict()
_cache_lock = threading.Lock()


def _checksums(track_ids: list[int]) -> dict[int, tuple[int, ...]]:
    rows = (
        Item.objects.filter(track_id__in=track_ids)
        .order_by()
        .values("track_id")
        .annotate(
            n=Count("pk"),
            ids=Sum("pk"),
            by_position=Sum(F("pk") * F("position")),
            by_minutes=Sum(F("pk") * F("estimated_minutes")),
            by_parent=Coalesce(Sum(F("pk") * F("parent_id")), 0),
        )
        .values_list("track_id", "n", "ids", "by_position", "by_minutes", "by_parent")
    )
    return {track_id: tuple(int(v) for v in sums) for track_id, *sums in rows}


def _read_leaves(track_ids: list[int]) -> dict[int, tuple[PlanItem, ...]]:
    """Each track's items that are studied themselves (not groups), in order. One query."""
    items = list(
        Item.objects.filter(track_id__in=track_ids)
        .order_by("track_id", "position", "id")
        .values_list("pk", "track_id", "estimated_minutes", "parent_id")
    )
    # Telling leaves from groups here is cheaper than a NOT EXISTS per item.
    groups = {parent_id for *_, parent_id in items}
    leaves: dict[int, list[PlanItem]] = {track_id: [] for track_id in track_ids}
    for item_id, track_id, minutes, _ in items:
        if item_id not in groups:
            leaves[track_id].append(PlanItem(item_id, minutes))
    return {track_id: tuple(found) for track_id, found in leaves.items()}


def track_plan_items(*, track_ids: Iterable[int]) -> dict[int, tuple[PlanItem, ...]]:
    """Each track's leaf items as the planner takes them (id and minutes, in the track's order), from this
    process's cache where the track has not changed. Two queries when a track changed or is new here (the
    checksums, its items), one otherwise."""
    wanted = list(dict.fromkeys(track_ids))
    if not wanted:
        return {}
    checksums = _checksums(wanted)
    found: dict[int, tuple[PlanItem, ...]] = {}
    with _cache_lock:
        for track_id in wanted:
            cached = _cache.get(track_id)
            if cached is not None and cached[0] == checksums.get(track_id, ()):
                found[track_id] = cached[1]
                _cache.move_to_end(track_id)
    stale = [track_id for track_id in wanted if track_id not in found]
    if stale:
        fresh = _read_leaves(stale)
        with _cache_lock:
            for track_id, leaves in fresh.items():
                _cache[track_id] = (checksums.get(track_id, ()), leaves)
                _cache.move_to_end(track_id)
            while len(_cache) > TRACK_ITEMS_CACHED:
                _cache.popitem(last=False)
        found.update(fresh)
    return found


def track_plan_items_forget() -> None:
    """Empties this process's cache (tests that reuse ids across rolled-back transactions)."""
    with _cache_lock:
        _cache.clear()
