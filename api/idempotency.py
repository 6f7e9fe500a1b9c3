"""The `Idempotency-Key` header on POST: `@idempotent` on a view's `post` handler.

A retry with the same key (within 24 hours) returns the first response, with `Idempotent-Replayed: true`,
and creates nothing new. The same key with a different path or body is 422; a key that is not 1–255
printable ASCII characters is 400. Only successful responses are stored: after an error, the key is
free again, so a client may correct its request and retry with it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.problems import UnprocessableContent
from api.services.idempotency import IdempotencyKeyReused, StoredResponse, idempotent_call

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

Handler = Callable[..., Response]


def _normalised(data: Any) -> Any:
    if isinstance(data, QueryDict):
        return {key: [_normalised(v) for v in values] for key, values in sorted(data.lists())}
    if isinstance(data, dict):
        return {str(key): _normalised(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_normalised(value) for value in data]
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "sha256": digest.hexdigest()}
    return data


def request_fingerprint(request: Request) -> str:
    """SHA-256 of method, path, query and parsed body: the same request always gives the same one."""
    payload = [request.method, request.path, request.META.get("QUERY_STRING", ""), _normalised(request.data)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _valid_key(raw: str) -> str:
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in raw):
        raise exceptions.ValidationError(
            {HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID."]}, code="invalid"
        )
    return raw


def idempotent(handler: Handler) -> Handler:
    """Makes a POST handler honour `Idempotency-Key` for signed-in callers."""

    @functools.wraps(handler)
    def wrapper(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        if raw is None or not request.user.is_authenticated:
            return handler(self, request, *args, **kwargs)
        key = _valid_key(raw)

        def run() -> StoredResponse:
            response = handler(self, request, *args, **kwargs)
            headers = {name: response[name] for name in ("Location", "ETag") if response.has_header(name)}
            return StoredResponse(response.status_code, response.data, headers)

        try:
            stored, replayed = idempotent_call(
                user=request.user,
                key=key,
                fingerprint=request_fingerprint(request),
                method=request.method or "POST",
                path=request.path,
                run=run,
            )
        except IdempotencyKeyReused:
            raise UnprocessableContent(
                f"This {HEADER} was already used for a different request; use a new key for a new request.",
                code="idempotency_key_reused",
            ) from None
        headers = dict(stored.headers)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(stored.body, status=stored.status_code, headers=headers)

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper
