"""Device tokens for the API: create (the secret is shown once), list, revoke.

The web dashboard's Settings page and the API's auth endpoints both call these. The token model is the
one KNOX_TOKEN_MODEL names (the API app's ApiToken), found through knox as get_user_model() finds the
user model, so the domain does not import the API's models.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from knox.models import get_digest_token, get_token_model
from knox.settings import CONSTANTS, knox_settings

from tracker.models import User

MAX_DEVICE_NAME = 100


class TokenError(Exception):
    """A token that cannot be made; the message says why and what to do."""


@transaction.atomic
def api_token_create(*, user: User, device_name: str) -> tuple[Any, str]:
    """Makes a token for one device and returns it with its secret, which is stored only as a digest:
    show it once. A learner may hold `REST_KNOX["TOKEN_LIMIT_PER_USER"]` live tokens; expired ones go first."""
    name = device_name.strip()
    if not name:
        raise TokenError("Name the device (e.g. 'Pixel 8'), so you can tell its token apart later.")
    if len(name) > MAX_DEVICE_NAME:
        raise TokenError(f"The device name has {len(name)} characters; keep it to {MAX_DEVICE_NAME}.")
    # Locking the user row serialises two sign-ins racing past the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    get_token_model().objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and get_token_model().objects.filter(user=user).count() >= limit:
        raise TokenError(f"You have {limit} signed-in devices; revoke one in Settings before adding another.")
    digest, secret = get_digest_token()
    ttl: dt.timedelta | None = knox_settings.TOKEN_TTL
    token = get_token_model().objects.create(
        user=user,
        device_name=name,
        digest=digest,
        token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],
        expiry=timezone.now() + ttl if ttl is not None else None,
    )
    return token, secret


def api_tokens_for(*, user: User) -> QuerySet[Any]:
    """The learner's live tokens, newest first. Never the secret: callers get id, device name and times."""
    tokens: QuerySet[Any] = (
        get_token_model()
        .objects.filter(user=user)
        .exclude(expiry__lt=timezone.now())
        .only("id", "user_id", "device_name", "created", "expiry", "last_used_at")
        .order_by("-created", "-id")
    )
    return tokens


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revokes one of the learner's tokens; a device using it is signed out at its next call.
    Raises Http404 for a token that is not theirs (or does not exist): the two look the same."""
    deleted, _ = get_token_model().objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404("No such token among yours.")


def api_tokens_purge_expired() -> int:
    """Deletes every expired token; returns how many. For a periodic job."""
    deleted: int = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()[0]
    return deleted
