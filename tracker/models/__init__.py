"""Domain models, one module per topic."""

from .base import TimeStampedModel
from .curriculum import Item, Tag, Track
from .deadlines import Deadline
from .exercises import Exercise, ExerciseDraft, ExerciseVersion, Submission, SubmissionCaseResult
from .feeds import Feed, FeedPost, FeedSubscription
from .learning import Enrollment, Progress
from .planning import PlanEntry, ReviewCard, ReviewLog
from .reading import ReadingQueueEntry
from .reminders import ReminderDelivery
from .skills import Skill, SkillAssessment
from .state import LearnerState
from .system import WorkerHeartbeat
from .users import StudyProfile, User, Vacation

__all__ = [
    "Deadline",
    "Enrollment",
    "Exercise",
    "ExerciseDraft",
    "ExerciseVersion",
    "Feed",
    "FeedPost",
    "FeedSubscription",
    "Item",
    "LearnerState",
    "PlanEntry",
    "Progress",
    "ReadingQueueEntry",
    "ReminderDelivery",
    "ReviewCard",
    "ReviewLog",
    "Skill",
    "SkillAssessment",
    "StudyProfile",
    "Submission",
    "SubmissionCaseResult",
    "Tag",
    "TimeStampedModel",
    "Track",
    "User",
    "Vacation",
    "WorkerHeartbeat",
]
