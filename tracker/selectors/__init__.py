"""Reads for pages and the API: querysets already joined and annotated, so a page costs a fixed
number of queries whatever the amount of data."""

from .catalogue import (
    catalogue_tracks,
    enrollments_with_progress,
    leaf_items,
    track_items_with_progress,
    track_visible_to,
)
from .dashboard import (
    catalogue_filtered,
    catalogue_tags,
    deadlines_page,
    enrollment_for,
    enrollments_of,
    items_visible_to,
    own_deadlines,
    progress_overview,
    reading_page,
    reading_queue,
    skills_matrix,
    vacations_of,
)
from .plans import plan_between
from .stats import StudyStats, study_stats
from .today import TodayBundle, today_bundle

__all__ = [
    "StudyStats",
    "TodayBundle",
    "catalogue_filtered",
    "catalogue_tags",
    "catalogue_tracks",
    "deadlines_page",
    "enrollment_for",
    "enrollments_of",
    "enrollments_with_progress",
    "items_visible_to",
    "leaf_items",
    "own_deadlines",
    "plan_between",
    "progress_overview",
    "reading_page",
    "reading_queue",
    "skills_matrix",
    "study_stats",
    "today_bundle",
    "track_items_with_progress",
    "track_visible_to",
    "vacations_of",
]
