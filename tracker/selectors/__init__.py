"""Reads for pages, e-mails and the API, by topic: querysets already joined and annotated, so a page
costs a fixed number of queries whatever the amount of data."""

from .curriculum import (
    catalogue_filtered,
    catalogue_tags,
    catalogue_tracks,
    items_visible_to,
    leaf_items,
    track_items_with_progress,
    track_visible_to,
    tracks_for_learner,
)
from .deadlines import deadlines_page, own_deadlines
from .enrollments import enrollment_for, enrollments_of, enrollments_with_progress, percent_done, progress_of
from .plans import plan_between, vacations_of
from .reading import reading_page, reading_queue
from .skills import skills_matrix, skills_with_level
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
    "percent_done",
    "plan_between",
    "progress_of",
    "reading_page",
    "reading_queue",
    "skills_matrix",
    "skills_with_level",
    "study_stats",
    "today_bundle",
    "track_items_with_progress",
    "track_visible_to",
    "tracks_for_learner",
    "vacations_of",
]
