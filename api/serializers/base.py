"""Shared pieces of the serializers: the aliases, and datetimes that must carry their offset."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

S = serializers.Serializer[Any]
MS = serializers.ModelSerializer


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (`2026-05-01T18:00:00+08:00` or `...Z`); a time without one is refused,
    since the server cannot know which zone the client meant."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not _has_offset(value):
            raise serializers.ValidationError("Give the time with its offset, e.g. 2026-05-01T18:00:00+08:00.")
        check_offset(value)
        return parsed


MAX_OFFSET = dt.timedelta(hours=14)  # the widest offset in use (Kiribati); PostgreSQL takes less than 16 h


def check_offset(value: object) -> None:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    offset = parsed.utcoffset() if isinstance(parsed, dt.datetime) else None
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise serializers.ValidationError("The offset must be between -14:00 and +14:00.")


def _has_offset(text: str) -> bool:
    tail = text.strip()[10:]
    return tail.endswith(("Z", "z")) or "+" in tail or "-" in tail
