"""When to fetch a feed next: its interval, what the server asked for, and back-off after errors."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Politeness:
    min_interval: dt.timedelta = dt.timedelta(minutes=15)
    max_interval: dt.timedelta = dt.timedelta(days=1)
    max_backoff: dt.timedelta = dt.timedelta(days=7)
    jitter: float = 0.1  # ± this fraction, so feeds added together do not stay in lockstep


def _jittered(delay: dt.timedelta, politeness: Politeness, rng: random.Random | None) -> dt.timedelta:
    spread = (rng or random).uniform(-politeness.jitter, politeness.jitter)
    return delay * (1 + spread)


def next_after_success(
    *,
    interval: dt.timedelta,
    max_age: dt.timedelta | None,
    ttl: dt.timedelta | None,
    politeness: Politeness,
    rng: random.Random | None = None,
) -> dt.timedelta:
    """The feed's interval, stretched to Cache-Control max-age or RSS <ttl> when the publisher asks for
    longer; never under the minimum nor over the maximum."""
    delay = max(interval, max_age or dt.timedelta(0), ttl or dt.timedelta(0), politeness.min_interval)
    return min(_jittered(delay, politeness, rng), politeness.max_interval)


def next_after_error(
    *,
    interval: dt.timedelta,
    error_count: int,
    retry_after: dt.timedelta | None,
    politeness: Politeness,
    rng: random.Random | None = None,
) -> dt.timedelta:
    """interval × consecutive errors, capped (7 days), with jitter; Retry-After wins when it asks for longer."""
    backoff = min(_jittered(interval * max(error_count, 1), politeness, rng), politeness.max_backoff)
    if retry_after is not None:
        backoff = max(backoff, min(retry_after, politeness.max_backoff))
    return backoff
