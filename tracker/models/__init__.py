"""Domain models, one module per topic."""

from .base import TimeStampedModel
from .curriculum import Item, Tag, Track
from .deadlines import Deadline
from .exercises import Exercise, ExerciseDraft, ExerciseVersion, Submission, SubmissionCaseResult
from .feeds import Feed, FeedPost, FeedSubscription
from .learning import Enrollment, Progress
from .mock_interviews import MockPart, MockSession
from .planning import PlanEntry, ReviewCard, ReviewLog
from .problems import Pattern, Problem, ProblemAttempt, ProblemProgress, ProblemSet, ProblemSetEntry
from .questions import CareerDirection, Question, QuestionCard, QuestionReview
from .reading import ReadingQueueEntry
from .reminders import ReminderDelivery
from .skills import Skill, SkillAssessment
from .state import LearnerState
from .system import WorkerHeartbeat
from .users import StudyProfile, User, Vacation

__all__ = [
    "CareerDirection",
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
    "MockPart",
    "MockSession",
    "Pattern",
    "PlanEntry",
    "Problem",
    "ProblemAttempt",
    "ProblemProgress",
    "ProblemSet",
    "ProblemSetEntry",
    "Progress",
    "Question",
    "QuestionCard",
    "QuestionReview",
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
