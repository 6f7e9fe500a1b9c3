"""Migration 0015 (exercise versions): every existing exercise gets version 1, named by its bundle folder's
content, and every existing submission is recorded as graded against it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from grader.intake import bundle_digest
from tracker.models import Exercise

BEFORE = [("tracker", "0014_lab_case_figures")]
AFTER = [("tracker", "0015_exercise_versions")]


@pytest.mark.django_db(transaction=True)
def test_existing_submissions_get_the_current_version() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("tracker", "User").objects.create(username="old-timer", email="old@example.com")
    exercise = old.get_model("tracker", "Exercise").objects.create(
        slug="vector-add", title="Vector add", difficulty="easy", statement_md="s", starter="s", entry_point="f",
        signature="def f()", time_limit_s=1.0, memory_limit_mb=128,
    )  # fmt: skip
    gone = old.get_model("tracker", "Exercise").objects.create(
        slug="gone-away", title="Gone", difficulty="easy", statement_md="s", starter="s", entry_point="f",
        signature="def f()", time_limit_s=1.0, memory_limit_mb=128,
    )  # fmt: skip
    Submission = old.get_model("tracker", "Submission")
    Submission.objects.create(user=user, exercise=exercise, code="x = 1", status="done", verdict="WA")
    Submission.objects.create(user=user, exercise=gone, code="x = 2", status="done", verdict="AC")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    for slug in ("vector-add", "gone-away"):
        row = new.get_model("tracker", "Exercise").objects.get(slug=slug)
        assert row.current_version.number == 1 and row.current_version.source == "fixtures"
        assert list(
            new.get_model("tracker", "Submission").objects.filter(exercise=row).values_list("version", flat=True)
        ) == [row.current_version_id]
    vector = new.get_model("tracker", "Exercise").objects.get(slug="vector-add")
    assert vector.current_version.content_hash == bundle_digest(Exercise(slug="vector-add").bundle_path)
    assert new.get_model("tracker", "Exercise").objects.get(slug="gone-away").current_version.content_hash == "0" * 64

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
