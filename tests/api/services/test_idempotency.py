from __future__ import annotations

import datetime as dt

import pytest

from api.models import IdempotencyKey
from api.services.idempotency import (
    IdempotencyKeyReused,
    StoredResponse,
    idempotency_keys_purge,
    idempotent_call,
)
from tests.factories import UserFactory
from tracker.models import Vacation

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _vacation_run(user: object) -> StoredResponse:
    vacation = Vacation.objects.create(user=user, start_date="2026-04-01", end_date="2026-04-02")
    return StoredResponse(201, {"id": vacation.pk}, {"Location": f"/v/{vacation.pk}/"})


def test_the_second_call_with_a_key_replays_the_first_and_runs_nothing() -> None:
    user = UserFactory()
    kwargs = {"user": user, "key": "k", "fingerprint": "f", "method": "POST", "path": "/v/", "now": NOW}
    first, replayed_first = idempotent_call(**kwargs, run=lambda: _vacation_run(user))
    second, replayed_second = idempotent_call(**kwargs, run=lambda: _vacation_run(user))
    assert (replayed_first, replayed_second) == (False, True)
    assert second == first
    assert Vacation.objects.count() == 1


def test_a_key_used_for_another_request_is_refused() -> None:
    user = UserFactory()
    idempotent_call(
        user=user, key="k", fingerprint="a", method="POST", path="/v/", now=NOW, run=lambda: _vacation_run(user)
    )
    with pytest.raises(IdempotencyKeyReused):
        idempotent_call(
            user=user, key="k", fingerprint="b", method="POST", path="/v/", now=NOW, run=lambda: _vacation_run(user)
        )


def test_an_error_response_rolls_back_its_work_and_frees_the_key() -> None:
    user = UserFactory()

    def failing() -> StoredResponse:
        Vacation.objects.create(user=user, start_date="2026-04-01", end_date="2026-04-02")
        return StoredResponse(409, {"detail": "no"}, {})

    response, _ = idempotent_call(user=user, key="k", fingerprint="f", method="POST", path="/v/", now=NOW, run=failing)
    assert response.status_code == 409
    assert not Vacation.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_keys_older_than_a_day_are_purged() -> None:
    user = UserFactory()
    idempotent_call(
        user=user, key="k", fingerprint="f", method="POST", path="/v/", now=NOW, run=lambda: _vacation_run(user)
    )
    assert idempotency_keys_purge(now=NOW + dt.timedelta(hours=23)) == 0
    assert idempotency_keys_purge(now=NOW + dt.timedelta(hours=25)) == 1


def test_the_purge_task_deletes_expired_keys() -> None:
    import time_machine

    from api.tasks import api_purge_expired

    user = UserFactory()
    with time_machine.travel(NOW):
        idempotent_call(user=user, key="k", fingerprint="f", method="POST", path="/v/", run=lambda: _vacation_run(user))
    with time_machine.travel(NOW + dt.timedelta(days=2)):
        api_purge_expired()
    assert not IdempotencyKey.objects.exists()
