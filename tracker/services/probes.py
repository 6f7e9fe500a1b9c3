"""A harmless task for checking a deployment's queues: which worker ran it, and how many times.

`probe_run` writes only under the Redis keys `brainqueue:probe:<key>:*` (an hour's expiry) and sleeps at
most PROBE_MAX_SECONDS, so sending one to a production queue costs a worker slot for that long and nothing
else. tests/tracker/test_queues.py uses it to show routing and redelivery after a worker is killed.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings

PROBE_MAX_SECONDS = 30.0
PROBE_TTL_SECONDS = 3600


def probe_keys(key: str) -> dict[str, str]:
    prefix = f"brainqueue:probe:{key}"
    return {"started": f"{prefix}:started", "done": f"{prefix}:done", "workers": f"{prefix}:workers"}


def probe_run(*, key: str, seconds: float, worker: str) -> None:
    """Counts a start, sleeps, counts a finish; both counts and the worker's name land in Redis."""
    if not settings.REDIS_URL:
        raise RuntimeError("The probe records in Redis: set REDIS_URL.")
    keys = probe_keys(key)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        with client.pipeline() as pipe:
            pipe.incr(keys["started"])
            pipe.rpush(keys["workers"], worker)
            for name in keys.values():
                pipe.expire(name, PROBE_TTL_SECONDS)
            pipe.execute()
        time.sleep(max(0.0, min(float(seconds), PROBE_MAX_SECONDS)))
        client.incr(keys["done"])
        client.expire(keys["done"], PROBE_TTL_SECONDS)
    finally:
        client.close()
