"""Device-token authentication: knox's, with a `last_used_at` the Settings page can show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class DeviceTokenAuthentication(TokenAuthentication):  # type: ignore[misc]
    """`Authorization: Token <secret>`. One query per request (the token with its user); at most one
    write every five minutes per token for `last_used_at`, and knox's sliding expiry once a day."""

    def _cleanup_token(self, auth_token: Any) -> bool:
        # knox also sweeps the user's other expired tokens here, a query on every request; the purge
        # job does that instead, so only this token's expiry is checked.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
