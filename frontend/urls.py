from django.urls import path

from frontend import views, views_plan_markdown

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/<int:pk>/", views.track_detail, name="track"),
    path("tracks/<int:pk>/enrol/", views.track_enrol, name="track-enrol"),
    path("plan/markdown/", views_plan_markdown.plan_markdown, name="plan-markdown"),
    path("plan/markdown/export.md", views_plan_markdown.plan_markdown_download, name="plan-markdown-export"),
]
