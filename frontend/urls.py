from django.urls import path

from frontend import views_plan_markdown
from frontend.views import accounts, deadlines, plan, progress, reading, settings, skills, today, tracks

app_name = "frontend"

urlpatterns = [
    # Today is the learner's home: where signing in lands.
    path("", today.today, name="home"),
    path("items/<int:pk>/reading/", tracks.reading_add_item, name="item-reading"),
    path("items/<int:pk>/<slug:action>/", today.item_action, name="item-action"),
    path("tracks/", tracks.tracks, name="tracks"),
    path("tracks/<int:pk>/", tracks.track_detail, name="track"),
    path("tracks/<int:pk>/enrol/", tracks.track_enrol, name="track-enrol"),
    path("enrolments/<int:pk>/", tracks.enrollment_edit, name="enrollment-edit"),
    path("enrolments/<int:pk>/status/<slug:status>/", tracks.enrollment_status, name="enrollment-status"),
    path("enrolments/<int:pk>/leave/", tracks.enrollment_leave, name="enrollment-leave"),
    path("plan/", plan.plan, name="plan"),
    path("plan/limits/", plan.plan_limits, name="plan-limits"),
    path("plan/move/<int:pk>/<slug:direction>/", plan.plan_move, name="plan-move"),
    path("plan/markdown/", views_plan_markdown.plan_markdown, name="plan-markdown"),
    path("plan/markdown/export.md", views_plan_markdown.plan_markdown_download, name="plan-markdown-export"),
    path("progress/", progress.progress, name="progress"),
    path("reading/", reading.reading, name="reading"),
    path("reading/add/", reading.reading_add, name="reading-add"),
    path("reading/<int:pk>/move/", reading.reading_move, name="reading-move"),
    path("reading/<int:pk>/status/", reading.reading_status, name="reading-status"),
    path("reading/<int:pk>/delete/", reading.reading_delete, name="reading-delete"),
    path("skills/", skills.skills, name="skills"),
    path("skills/<int:pk>/", skills.skill_rate, name="skill-rate"),
    path("deadlines/", deadlines.deadlines, name="deadlines"),
    path("deadlines/add/", deadlines.deadline_add, name="deadline-add"),
    path("deadlines/<int:pk>/delete/", deadlines.deadline_remove, name="deadline-delete"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/profile/", settings.settings_profile, name="settings-profile"),
    path("settings/vacations/", settings.vacation_new, name="vacation-add"),
    path("settings/vacations/<int:pk>/delete/", settings.vacation_remove, name="vacation-delete"),
    path("settings/tokens/", settings.token_new, name="token-add"),
    path("settings/tokens/<int:pk>/revoke/", settings.token_revoke, name="token-revoke"),
    # Django's set_language, which also saves the choice on a signed-in learner's profile.
    path("i18n/setlang/", accounts.set_language, name="set-language"),
]
