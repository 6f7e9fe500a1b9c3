"""`manage.py import_plan` and `manage.py export_plan`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tracker.models import Progress, Track
from tracker.services.plan_export import plan_markdown_export

pytestmark = pytest.mark.django_db

PLAN = "# Plan\n\nWhy I study\n\n**Week 1**\n- [x] 2021/03/01 read\n- [ ] 2021/03/02 write\n"


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in apps.get_app_config("tracker").get_models()}


def test_import_plan_imports_the_file_and_prints_the_report_with_note_lines(tmp_path):
    learner = UserFactory(username="yaqi")
    path = tmp_path / "plan.md"
    path.write_text(PLAN, encoding="utf-8")
    out = StringIO()

    call_command("import_plan", str(path), "--user", "yaqi", stdout=out)

    text = out.getvalue()
    assert "tracks: 1 created, 0 updated" in text
    assert "items: 3 created, 0 updated (0 links)" in text
    assert "line 3: Why I study" in text
    assert Track.objects.get(owner=learner).title == "Plan"
    assert Progress.objects.get(user=learner).item.title == "read"


def test_import_plan_refuses_a_bad_file_with_its_line_and_saves_nothing(tmp_path):
    UserFactory(username="yaqi")
    path = tmp_path / "plan.md"
    path.write_bytes(b"# Plan\n- [ ] 2021/02/30 impossible\n")
    before = row_counts()

    with pytest.raises(CommandError, match=r"Nothing was imported .*Line 2: 2021/02/30 is not a real date"):
        call_command("import_plan", str(path), "--user", "yaqi", stdout=StringIO())

    assert row_counts() == before


def test_import_plan_names_an_unknown_user_and_a_missing_file(tmp_path):
    UserFactory(username="yaqi")
    path = tmp_path / "plan.md"
    path.write_text(PLAN, encoding="utf-8")

    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("import_plan", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_plan", str(tmp_path / "missing.md"), "--user", "yaqi")


def test_export_plan_writes_the_file_or_prints_the_plan(tmp_path):
    learner = UserFactory(username="yaqi")
    path = tmp_path / "plan.md"
    path.write_text(PLAN, encoding="utf-8")
    call_command("import_plan", str(path), "--user", "yaqi", stdout=StringIO())
    target = tmp_path / "out.md"

    call_command("export_plan", "--user", "yaqi", "-o", str(target), stderr=StringIO())
    out = StringIO()
    call_command("export_plan", "--user", "yaqi", stdout=out)

    expected = plan_markdown_export(user=learner)
    assert expected == "# Plan\n\nWhy I study\n\n**Week 1**\n\n- [x] 2021/03/01 read\n- [ ] 2021/03/02 write\n"
    assert target.read_text(encoding="utf-8") == expected
    assert out.getvalue() == expected
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("export_plan", "--user", "nobody")
