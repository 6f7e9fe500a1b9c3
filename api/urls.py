"""/api/v1/… endpoints, the OpenAPI schema at /api/schema/ and Swagger UI at /api/docs/."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from api.views import (
    auth,
    calendar,
    data,
    enrollments,
    exercises,
    feeds,
    leaderboards,
    me,
    mock_interviews,
    personal,
    planning,
    problems,
    progress,
    questions,
    readiness,
    tracks,
)
from api.views.base import NotFoundView
from api.views.docs import SwaggerView

app_name = "api"

v1 = [
    path("auth/tokens/", auth.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", auth.TokenDetailView.as_view(), name="token-detail"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/export/", data.MeExportView.as_view(), name="me-export"),
    path("me/calendar/", calendar.CalendarView.as_view(), name="me-calendar"),
    path("me/calendar/rotate/", calendar.CalendarRotateView.as_view(), name="me-calendar-rotate"),
    path("tracks/", tracks.TrackListView.as_view(), name="track-list"),
    path("tracks/<int:pk>/", tracks.TrackDetailView.as_view(), name="track-detail"),
    path("enrollments/", enrollments.EnrollmentListView.as_view(), name="enrollment-list"),
    path("enrollments/<int:pk>/", enrollments.EnrollmentDetailView.as_view(), name="enrollment-detail"),
    path("progress/", progress.ProgressListView.as_view(), name="progress-list"),
    path("progress/<int:item_id>/", progress.ProgressDetailView.as_view(), name="progress-detail"),
    path("progress/<int:item_id>/done/", progress.ProgressDoneView.as_view(), name="progress-done"),
    path("progress/<int:item_id>/time/", progress.ProgressTimeView.as_view(), name="progress-time"),
    path("progress/<int:item_id>/reviews/", progress.ReviewCreateView.as_view(), name="progress-review"),
    path("today/", planning.TodayView.as_view(), name="today"),
    path("plan/", planning.PlanView.as_view(), name="plan"),
    path("plan/import/", planning.PlanImportView.as_view(), name="plan-import"),
    path("plan/export/", planning.PlanExportView.as_view(), name="plan-export"),
    path("stats/", planning.StatsView.as_view(), name="stats"),
    path("vacations/", planning.VacationListView.as_view(), name="vacation-list"),
    path("vacations/<int:pk>/", planning.VacationDetailView.as_view(), name="vacation-detail"),
    path("deadlines/", personal.DeadlineListView.as_view(), name="deadline-list"),
    path("deadlines/<int:pk>/", personal.DeadlineDetailView.as_view(), name="deadline-detail"),
    path("reading/", personal.ReadingListView.as_view(), name="reading-list"),
    path("reading/<int:pk>/", personal.ReadingDetailView.as_view(), name="reading-detail"),
    path("exercises/", exercises.ExerciseListView.as_view(), name="exercise-list"),
    path("exercises/<slug:slug>/", exercises.ExerciseDetailView.as_view(), name="exercise-detail"),
    path(
        "exercises/<slug:slug>/submissions/",
        exercises.ExerciseSubmissionView.as_view(),
        name="exercise-submissions",
    ),
    path(
        "exercises/<slug:slug>/leaderboard/",
        leaderboards.ExerciseLeaderboardView.as_view(),
        name="exercise-leaderboard",
    ),
    path("submissions/", exercises.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/<int:pk>/", exercises.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<int:pk>/regrade/", exercises.SubmissionRegradeView.as_view(), name="submission-regrade"),
    path("skills/", personal.SkillListView.as_view(), name="skill-list"),
    path("skills/<int:pk>/", personal.SkillDetailView.as_view(), name="skill-detail"),
    path("skills/<int:pk>/level/", personal.SkillLevelView.as_view(), name="skill-level"),
    path("feeds/", feeds.FeedListView.as_view(), name="feed-list"),
    path("feeds/<int:pk>/", feeds.FeedDetailView.as_view(), name="feed-detail"),
    path("feeds/curated/", feeds.CuratedFeedListView.as_view(), name="feed-curated-list"),
    path("feeds/curated/<slug:slug>/follow/", feeds.CuratedFeedFollowView.as_view(), name="feed-curated-follow"),
    path("feeds/posts/", feeds.FeedPostListView.as_view(), name="feed-post-list"),
    path("feeds/posts/<int:pk>/queue/", feeds.FeedPostQueueView.as_view(), name="feed-post-queue"),
    path("feeds/opml/", feeds.OpmlView.as_view(), name="feed-opml"),
    path("problems/", problems.InterviewProblemListView.as_view(), name="problem-list"),
    path("problems/<slug:slug>/", problems.InterviewProblemDetailView.as_view(), name="problem-detail"),
    path("problems/<slug:slug>/attempts/", problems.ProblemAttemptCreateView.as_view(), name="problem-attempt-create"),
    path("problem-sets/", problems.ProblemSetListView.as_view(), name="problem-set-list"),
    path("problem-attempts/", problems.ProblemAttemptListView.as_view(), name="problem-attempt-list"),
    path("problem-attempts/<int:pk>/", problems.ProblemAttemptDetailView.as_view(), name="problem-attempt-detail"),
    path("problem-mastery/", problems.ProblemMasteryView.as_view(), name="problem-mastery"),
    path("problem-suggestions/", problems.ProblemSuggestionListView.as_view(), name="problem-suggestions"),
    path("problem-imports/", problems.ProblemImportView.as_view(), name="problem-import"),
    path("questions/", questions.QuestionListView.as_view(), name="question-list"),
    path("questions/review/", questions.QuestionReviewNextView.as_view(), name="question-review-next"),
    path("questions/<int:pk>/", questions.QuestionDetailView.as_view(), name="question-detail"),
    path("questions/<int:pk>/reviews/", questions.QuestionReviewView.as_view(), name="question-review"),
    path("mock-interviews/", mock_interviews.MockListView.as_view(), name="mock-list"),
    path("mock-interviews/trends/", mock_interviews.MockTrendView.as_view(), name="mock-trends"),
    path("mock-interviews/<int:pk>/", mock_interviews.MockDetailView.as_view(), name="mock-detail"),
    path("mock-interviews/<int:pk>/end/", mock_interviews.MockEndView.as_view(), name="mock-end"),
    path("mock-interviews/<int:pk>/score/", mock_interviews.MockScoreView.as_view(), name="mock-score"),
    path("readiness/", readiness.ReadinessView.as_view(), name="readiness"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="docs"),
    # Last: any other /api/ path is a 404 problem, never the site's HTML page.
    re_path(r"", NotFoundView.as_view(), name="not-found"),
]
