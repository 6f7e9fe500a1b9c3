"""Device tokens: sign in from a phone (get a token), list and revoke them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from api.serializers.auth import TokenCreatedSerializer, TokenCreateSerializer, TokenSerializer
from api.throttling import AnonThrottle, AuthThrottle, UserThrottle
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.services.accounts import SignInError, SignInLocked, password_sign_in, two_factor_check, two_factor_enabled
from tracker.services.tokens import TokenError, api_token_create, api_token_revoke, api_tokens_for

OTP_REQUIRED = (
    "This account uses two-factor authentication: send the code from the authenticator app (or one of the "
    "recovery codes) in `otp`."
)
OTP_WRONG = "The two-factor code is not right or has expired; send the current code from the authenticator app."

TOKEN_EXAMPLE = {
    "id": 12,
    "device_name": "Pixel 8",
    "created_at": "2026-03-02T08:15:00Z",
    "last_used_at": None,
    "expires_at": "2026-05-31T08:15:00Z",
}


class TokenListView(LearnerListView):
    serializer_class = TokenSerializer

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [AuthThrottle()]
        return [UserThrottle(), AnonThrottle()]

    def get_queryset(self) -> QuerySet[Any]:
        return api_tokens_for(user=self.learner)

    @extend_schema(
        summary="Your signed-in devices",
        responses=TokenSerializer(many=True),
        examples=[OpenApiExample("Tokens", value=[TOKEN_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TokenSerializer(page, many=True).data)

    @extend_schema(
        summary="Sign in a device: returns a token (its secret is shown once)",
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Sign in",
                value={"username": "demo", "password": "correct horse battery", "device_name": "Pixel 8"},
                request_only=True,
            ),
            OpenApiExample(
                "Sign in with two-factor authentication",
                value={
                    "username": "demo",
                    "password": "correct horse battery",
                    "device_name": "Pixel 8",
                    "otp": "123456",
                },
                request_only=True,
            ),
            OpenApiExample("Token", value={**TOKEN_EXAMPLE, "token": "4f1c…e9a0"}, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(TokenCreateSerializer, request)
        # The web form's checks and limits: failed tries count per account and per address on both.
        try:
            user = password_sign_in(request=request._request, login=data["username"], password=data["password"])
            if two_factor_enabled(user=user):
                otp = data.get("otp", "").strip()
                if not otp:
                    raise exceptions.ValidationError({"otp": [ErrorDetail(OTP_REQUIRED, code="otp_required")]})
                if not two_factor_check(user=user, code=otp):
                    raise exceptions.ValidationError({"otp": [ErrorDetail(OTP_WRONG, code="otp_invalid")]})
        except SignInLocked as exc:
            raise exceptions.Throttled(wait=exc.wait, detail=str(exc), code="sign_in_locked") from exc
        except SignInError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        with service_errors(TokenError):
            token, secret = api_token_create(user=user, device_name=data["device_name"])
        body = TokenCreatedSerializer(token, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class TokenDetailView(LearnerView):
    serializer_class = TokenSerializer

    @extend_schema(summary="Revoke a token: the device is signed out at its next call", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        api_token_revoke(user=self.learner, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
