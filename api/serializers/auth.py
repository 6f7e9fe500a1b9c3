"""Device tokens: signing a device in, listing and revoking its token (api/views/auth.py)."""

from __future__ import annotations

from rest_framework import serializers

from api.models import ApiToken
from api.serializers.base import MS, S


class TokenCreateSerializer(S):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    device_name = serializers.CharField(max_length=100, help_text="Shown in Settings, e.g. 'Pixel 8'.")
    otp = serializers.CharField(
        max_length=64,
        required=False,
        help_text="With two-factor authentication on: the code from the authenticator app, or a recovery code.",
    )


class TokenSerializer(MS[ApiToken]):
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(source="expiry", read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "device_name", "created_at", "last_used_at", "expires_at"]


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.SerializerMethodField(help_text="The secret: shown this once. Send `Authorization: Token …`.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]

    def get_token(self, obj: ApiToken) -> str:
        secret: str = self.context["secret"]
        return secret
