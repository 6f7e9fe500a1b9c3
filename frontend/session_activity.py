"""Keeps "last used" and the address of each web session (allauth's UserSession) current on Settings, at a
cost of one write per session every few minutes instead of one on every request (allauth's
USERSESSIONS_TRACK_ACTIVITY would update the row on each page)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SEEN_KEY = "_bq_seen"
RESOLUTION = dt.timedelta(minutes=5)


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or not session.session_key:
            return response
        now = time.time()
        if now - session.get(SEEN_KEY, 0) < RESOLUTION.total_seconds():
            return response
        session[SEEN_KEY] = now  # saved by SessionMiddleware, which runs after this on the way out
        UserSession.objects.filter(session_key=session.session_key).update(
            last_seen_at=timezone.now(), ip=get_adapter(request).get_client_ip(request)
        )
        return response
