"""Links that work without signing in: unsubscribe from reminders, calendar feeds (frontend/views/public.py)."""

from django.urls import path

from frontend.views import public

app_name = "public"

urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    # Before the private feed's pattern, which would otherwise take "public" for a token.
    path("calendar/public.ics", public.calendar_public, name="calendar-public"),
    path("calendar/<str:token>.ics", public.calendar_feed, name="calendar"),
]
