"""Throttles with counters in the shared `throttle` cache (Redis when configured), so every web worker
counts against the same limit. Rates are in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import caches
from rest_framework import throttling

if TYPE_CHECKING:  # rest_framework.views imports the throttles: no import at run time
    from rest_framework.request import Request
    from rest_framework.views import APIView


class UserThrottle(throttling.UserRateThrottle):
    """Per learner when signed in; per client IP otherwise (`anon` counts those too)."""

    cache = caches["throttle"]


class AnonThrottle(throttling.AnonRateThrottle):
    cache = caches["throttle"]


class AuthThrottle(throttling.SimpleRateThrottle):
    """Signing in, per client IP: stricter, since each attempt tests a password."""

    cache = caches["throttle"]
    scope = "auth"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
