"""A learner's data: the full export, and closing the account (tracker/services/data_export.py, accounts.py)."""

from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.base import S
from api.views.base import LearnerView, validated
from tracker.services.accounts import AccountDeletionError, account_delete
from tracker.services.data_export import user_data_export, user_data_filename


class AccountDeleteSerializer(S):
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, help_text="The account's password, to confirm."
    )


class MeExportView(LearnerView):
    @extend_schema(
        summary="Everything you own, as one JSON document (`manage.py import_user_data` restores it)",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The export; see docs/deploy.md.")},
    )
    def get(self, request: Request) -> JsonResponse:
        response = JsonResponse(user_data_export(user=self.learner), json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{user_data_filename(user=self.learner)}"'
        response["Cache-Control"] = "no-store"
        return response


def account_delete_view(view: LearnerView, request: Request) -> Response:
    """DELETE /api/v1/me/: closes the account after checking the password; 204, and every token stops working."""
    password = validated(AccountDeleteSerializer, request)["password"]
    try:
        account_delete(user=view.learner, password=password)
    except AccountDeletionError as exc:
        raise exceptions.ValidationError({"password": [str(exc)]}) from exc
    return Response(status=204)


ACCOUNT_DELETE_SCHEMA = extend_schema(
    summary="Delete your account and everything you own (curated content stays); confirm with your password",
    request=AccountDeleteSerializer,
    responses={204: None},
    examples=[OpenApiExample("Confirm", value={"password": "correct-horse-battery"}, request_only=True)],
)
