"""Links that work without signing in: unsubscribe from reminders, calendar feeds (frontend/views_public.py)."""

from django.urls import path

from frontend import views_public

app_name = "public"

urlpatterns = [
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
    # Before the private feed's pattern, which would otherwise take "public" for a token.
    path("calendar/public.ics", views_public.calendar_public, name="calendar-public"),
    path("calendar/<str:token>.ics", views_public.calendar_feed, name="calendar"),
]
