"""The demo learner's plan as a new user first sees it: few warnings, and each one says what to do."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tracker.models import User

pytestmark = pytest.mark.django_db

WARNING = re.compile(r'<p class="msg warn"[^>]*>(.*?)</p>', re.S)
TARGET = re.compile(r"can’t finish by its target date (\d{4}-\d{2}-\d{2})")


def test_the_demo_plan_opens_with_at_most_one_missed_target_and_none_in_the_past(client):
    call_command("seed", stdout=StringIO(), stderr=StringIO())
    demo = User.objects.get(username="demo")
    client.force_login(demo)
    today = dt.datetime.now(ZoneInfo(demo.study_profile.time_zone)).date()

    page = client.get("/plan/").content.decode()

    warnings = WARNING.findall(page)
    assert len(warnings) <= 1, warnings
    for warning in warnings:
        target = dt.date.fromisoformat(TARGET.search(warning).group(1))  # type: ignore[union-attr]
        assert target >= today, warning
        # It says by how much it misses and what would make it.
        assert re.search(r"finishes about \d{4}-\d{2}-\d{2}, .+ late\.", warning), warning
        assert "more time each day" in warning and "or move the target to" in warning, warning
