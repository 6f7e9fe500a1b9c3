"""Learners live in their own time zones: 'today' is always the learner's local date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_today(time_zone: str, now: dt.datetime) -> dt.date:
    """The learner's calendar date at the aware instant `now`."""
    return now.astimezone(ZoneInfo(time_zone)).date()
