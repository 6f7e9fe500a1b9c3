"""The API's own rows: device tokens and idempotency keys. The domain stays in tracker."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from knox.settings import CONSTANTS


class ApiToken(models.Model):
    """A token one device uses to call the API: knox's token model (KNOX_TOKEN_MODEL), so knox's
    authentication finds it by `token_key` and checks the SHA-512 `digest`; the secret is never stored.

    The fields are knox's AbstractAuthToken's, restated (knox ships no types), with a numeric id so the
    Settings page and the API name a token without exposing anything derived from the secret.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    token_key = models.CharField(
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH, db_index=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_token_set")
    created = models.DateTimeField(auto_now_add=True)
    expiry = models.DateTimeField(null=True, blank=True)
    device_name = models.CharField(max_length=100, help_text="What the learner called the device, e.g. 'Pixel 8'.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            # The Settings page and the API list a learner's tokens, newest first.
            models.Index(fields=["user", "-created"], name="api_token_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.device_name} ({self.user})"


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an `Idempotency-Key` header, replayed to retries.

    The unique constraint is what makes a retry safe: two concurrent requests with one key cannot both
    claim it. Keys older than `IDEMPOTENCY_KEY_TTL` are treated as unused and purged.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    response_headers = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
        ]
        indexes = [
            # The purge job deletes keys by age.
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.method} {self.path} [{self.key}]"
