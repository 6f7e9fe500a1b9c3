"""Reads for pages and the API: querysets already joined and annotated, so a page costs a fixed
number of queries whatever the amount of data."""

from .catalogue import (
    FINISHED_STATUSES,
    catalogue_tracks,
    enrollments_with_progress,
    leaf_items,
    track_items_with_progress,
    track_visible_to,
)
from .plans import plan_between
from .stats import StudyStats, study_stats
from .today import TodayBundle, today_bundle

__all__ = [
    "FINISHED_STATUSES",
    "StudyStats",
    "TodayBundle",
    "catalogue_tracks",
    "enrollments_with_progress",
    "leaf_items",
    "plan_between",
    "study_stats",
    "today_bundle",
    "track_items_with_progress",
    "track_visible_to",
]
