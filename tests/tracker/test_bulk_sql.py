"""`update_from_values`: one UPDATE ... FROM (VALUES ...) sets each row its own values, whatever the types."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EnrollmentFactory, ItemFactory, UserFactory
from tracker import bulk_sql
from tracker.bulk_sql import update_from_values
from tracker.models import PlanEntry, StudyProfile

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_dates_foreign_keys_nulls_and_datetimes():
    user = UserFactory()
    enrollment = EnrollmentFactory(user=user)
    entries = [
        PlanEntry.objects.create(user=user, item=ItemFactory(track=enrollment.track), date=dt.date(2026, 3, 2))
        for _ in range(3)
    ]
    stamp = dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC)
    rows = [
        (entries[0].pk, dt.date(2026, 3, 5), enrollment.pk, 25, 2, stamp),
        (entries[1].pk, dt.date(2026, 3, 6), None, 0, 0, stamp),
    ]
    with CaptureQueriesContext(connection) as queries:
        update_from_values(PlanEntry, ["date", "enrollment", "minutes", "position", "updated_at"], rows)

    assert len(queries) == 1
    first, second, untouched = (PlanEntry.objects.get(pk=e.pk) for e in entries)
    expected = (dt.date(2026, 3, 5), enrollment.pk, 25, 2)
    assert (first.date, first.enrollment_id, first.minutes, first.position) == expected
    assert (second.date, second.enrollment_id, second.minutes) == (dt.date(2026, 3, 6), None, 0)
    assert first.updated_at == second.updated_at == stamp
    assert untouched.date == dt.date(2026, 3, 2)


def test_many_rows_take_one_statement_on_postgresql_and_chunks_on_sqlite(monkeypatch):
    monkeypatch.setattr(bulk_sql, "CHUNK_PARAMETERS", 4)  # SQLite: two parameters a row, two rows a statement
    profiles = [UserFactory().study_profile for _ in range(5)]
    when = [dt.datetime(2026, 3, 1, hour, tzinfo=dt.UTC) for hour in range(5)]
    with CaptureQueriesContext(connection) as queries:
        update_from_values(StudyProfile, ["next_reminder_at"], list(zip([p.pk for p in profiles], when, strict=True)))

    # PostgreSQL passes one array per column, whatever the rows.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert [StudyProfile.objects.get(pk=p.pk).next_reminder_at for p in profiles] == when


def test_nothing_to_write_runs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        update_from_values(StudyProfile, ["next_reminder_at"], [])
