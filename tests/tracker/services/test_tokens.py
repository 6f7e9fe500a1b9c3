from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import Http404

from api.models import ApiToken
from tests.factories import UserFactory
from tracker.services.tokens import (
    TokenError,
    api_token_create,
    api_token_revoke,
    api_tokens_for,
    api_tokens_purge_expired,
)

pytestmark = pytest.mark.django_db


def test_a_token_stores_only_a_digest_of_its_secret() -> None:
    user = UserFactory()
    token, secret = api_token_create(user=user, device_name="  Pixel 8 ")
    assert token.device_name == "Pixel 8"
    assert len(secret) == 64
    assert (
        secret not in token.digest
        and secret not in ApiToken.objects.filter(pk=token.pk).values_list("digest", flat=True)[0]
    )


def test_tokens_are_listed_newest_first_and_only_the_learners_own() -> None:
    user, other = UserFactory(), UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)):
        old, _ = api_token_create(user=user, device_name="old")
    with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
        new, _ = api_token_create(user=user, device_name="new")
        api_token_create(user=other, device_name="theirs")
        assert list(api_tokens_for(user=user)) == [new, old]


def test_revoking_another_learners_token_is_not_found_and_keeps_it() -> None:
    user, other = UserFactory(), UserFactory()
    token, _ = api_token_create(user=other, device_name="theirs")
    with pytest.raises(Http404):
        api_token_revoke(user=user, token_id=token.pk)
    assert ApiToken.objects.filter(pk=token.pk).exists()
    api_token_revoke(user=other, token_id=token.pk)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_device_needs_a_name() -> None:
    with pytest.raises(TokenError, match="Name the device"):
        api_token_create(user=UserFactory(), device_name="   ")


def test_a_learner_holds_at_most_twenty_tokens() -> None:
    user = UserFactory()
    for n in range(20):
        api_token_create(user=user, device_name=f"d{n}")
    with pytest.raises(TokenError, match="revoke one"):
        api_token_create(user=user, device_name="one too many")


def test_expired_tokens_are_not_listed_and_are_purged() -> None:
    user = UserFactory()
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        api_token_create(user=user, device_name="old phone")
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        assert list(api_tokens_for(user=user)) == []
        assert api_tokens_purge_expired() == 1
