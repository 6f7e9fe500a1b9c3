"""OpenAPI: every operation documents the problem responses it can give and the headers it honours.

Views say what they support with class attributes: `etag = True` (GET answers If-None-Match with 304),
`if_match = True` (PATCH/PUT/DELETE answer a stale If-Match with 412); a POST handler wrapped in
`@idempotent` takes `Idempotency-Key`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="Dotted path of the field; `non_field_errors` for the whole request.")
    message = serializers.CharField()
    code = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="`about:blank`: the status and `code` say what happened.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, precondition_failed, throttled...")
    detail = serializers.CharField(help_text="What was wrong and what to do, for people.")
    instance = serializers.CharField(required=False, help_text="The request path.")
    errors = FieldErrorSerializer(many=True, required=False, help_text="Field errors of a 400.")  # type: ignore[assignment]
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait, on a 429.")


class DeviceTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        definition: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 (the scheme name)
        )
        return definition


class ProblemAutoSchema(AutoSchema):
    def _handler_flag(self, flag: str) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return bool(getattr(handler, flag, False))

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method == "POST" and self._handler_flag("idempotent"):
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="A unique key (a UUID) per intended action: a retry with it within 24 hours "
                    "returns the first response and creates nothing new.",
                )
            )
        if self.method == "GET" and getattr(self.view, "etag", False):
            params.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag of the copy you have: 304 with no body while it is current.",
                )
            )
        if self.method in {"PATCH", "PUT", "DELETE"} and getattr(self.view, "if_match", False):
            params.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag you read: 412 when the resource changed since.",
                )
            )
        return params

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        problem_ref = self.resolve_serializer(ProblemSerializer, "response").ref
        statuses = [400, 401, 403, 404, 429]
        if self.method in {"POST", "PUT", "PATCH"}:
            statuses += [409, 415]
        if self.method == "POST" and self._handler_flag("idempotent"):
            statuses.append(422)
        if self.method in {"PATCH", "PUT", "DELETE"} and getattr(self.view, "if_match", False):
            statuses.append(412)
        responses = operation.setdefault("responses", {})
        for code in statuses:
            responses.setdefault(
                str(code),
                {"description": HTTPStatus(code).phrase, "content": {PROBLEM_CONTENT_TYPE: {"schema": problem_ref}}},
            )
        if self.method == "GET" and getattr(self.view, "etag", False):
            responses.setdefault("304", {"description": "Not Modified: the copy named by If-None-Match is current."})
        return operation
