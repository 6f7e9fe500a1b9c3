from django.urls import path

from frontend import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/<int:pk>/", views.track_detail, name="track"),
    path("tracks/<int:pk>/enrol/", views.track_enrol, name="track-enrol"),
]
