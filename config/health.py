"""/healthz: is this deployment able to serve and to do its background work?

A plain Django view: no authentication, no session, a few cheap probes. 200 when every check passes, 503
naming what is down. `?only=database,redis` runs a subset: a load balancer asks the web server only about
what the web server needs, so a dead worker does not take every web server out of rotation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.models import WorkerHeartbeat

# Each check answers (ok, detail); an exception counts as down, its message as the detail.
Check = Callable[[], tuple[bool, str]]


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        # The embedded broker of `make run` (the filesystem) needs no server.
        return True, "not configured"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return True, "PONG"


def check_worker() -> tuple[bool, str]:
    newest = WorkerHeartbeat.objects.order_by("-seen_at").only("hostname", "seen_at").first()
    max_age = settings.HEALTHZ_HEARTBEAT_MAX_AGE
    if newest is None:
        return False, "no worker has ever sent a heartbeat (are a worker and beat running?)"
    age = timezone.now() - newest.seen_at
    detail = f"last heartbeat {int(age.total_seconds())} s ago from {newest.hostname}"
    if age > max_age:
        return False, f"{detail}; expected one within {int(max_age.total_seconds())} s"
    return True, detail


CHECKS: dict[str, Check] = {"database": check_database, "redis": check_redis, "worker": check_worker}


def _run(check: Check) -> dict[str, Any]:
    try:
        ok, detail = check()
    except Exception as exc:  # any failure of a probe means "down", with its reason
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    return {"ok": ok, "detail": detail}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    names = [n for n in request.GET.get("only", "").split(",") if n] or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        return JsonResponse(
            {"status": "error", "detail": f"unknown checks {unknown}; choose from {sorted(CHECKS)}"}, status=400
        )
    results = {name: _run(CHECKS[name]) for name in names}
    down = [name for name, result in results.items() if not result["ok"]]
    body = {"status": "down" if down else "ok", "down": down, "checks": results}
    return JsonResponse(body, status=503 if down else 200)
