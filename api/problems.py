"""One error format for every error: RFC 9457 problem details (`application/problem+json`).

    {"type": "about:blank", "title": "Not Found", "status": 404, "code": "not_found",
     "detail": "No such track.", "instance": "/api/v1/tracks/7/"}

A 400 from validation adds `errors`, one entry per bad field: `{"field": "pace_per_day", "message": ...,
"code": ...}` (`field` is a dotted path; "non_field_errors" when the problem is the whole request).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
KEPT_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow", "ETag")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it; GET it again and retry with its new ETag."
    default_code = "precondition_failed"


class UnprocessableContent(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flattens DRF's nested error detail into `[{"field", "message", "code"}]`."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for name, value in detail.items():
            out += field_errors(value, f"{prefix}.{name}" if prefix else str(name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            out += field_errors(value, f"{prefix}.{index}" if nested else prefix)
        return out
    return [
        {
            "field": prefix or "non_field_errors",
            "message": str(detail),
            "code": getattr(detail, "code", None) or "invalid",
        }
    ]


def problem(status_code: int, detail: str, *, code: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "code": code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, reshaped into problem details. Anything it does not know stays a 500."""
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound("Not found, or not yours.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    request = context.get("request")
    instance = request.path if request is not None else ""
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = "The request has invalid fields; see `errors`."
        code = "invalid"
        extra["errors"] = field_errors(exc.detail)
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc.default_detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else str(exc.default_code)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            extra["retry_after"] = int(wait + 0.999)
    body = problem(response.status_code, detail, code=code, instance=instance, **extra)
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return Response(body, status=response.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
