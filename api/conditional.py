"""Conditional requests: `ETag` on reads, `If-None-Match` → 304, `If-Match` on updates → 412 when stale.

The ETag is a digest of the representation itself (canonical JSON), so it changes exactly when what
the client would see changes, whatever row, plan entry or review card caused it, and a GET and the
If-Match check of an update compute it the same way.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import PreconditionFailed

# Personal data: caches may keep it only for this client, and must ask again before using it.
CACHE_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}


def etag_of(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, ensure_ascii=False)
    return '"' + hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest() + '"'


def _tags(header: str) -> set[str]:
    """The entity tags of an If-Match / If-None-Match header; weak tags compare as their strong form."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def conditional_response(request: Request, data: Any, *, headers: dict[str, str] | None = None) -> Response:
    """200 with the data and its ETag, or 304 with no body when the client already has it."""
    etag = etag_of(data)
    all_headers = {**CACHE_HEADERS, **(headers or {}), "ETag": etag}
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = _tags(if_none_match)
        if "*" in tags or etag in tags:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=all_headers)
    return Response(data, headers=all_headers)


def check_if_match(request: Request, current: Any) -> None:
    """Raises 412 when the request's If-Match names none of the current representation's ETag.
    Without If-Match the update goes ahead (last write wins), as HTTP has it."""
    if_match = request.headers.get("If-Match")
    if if_match is None:
        return
    tags = _tags(if_match)
    if "*" not in tags and etag_of(current) not in tags:
        raise PreconditionFailed()


def with_etag(data: Any, *, status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None) -> Response:
    """A response to a write carrying the new representation's ETag, for the client's next If-Match."""
    return Response(data, status=status_code, headers={**CACHE_HEADERS, **(headers or {}), "ETag": etag_of(data)})
