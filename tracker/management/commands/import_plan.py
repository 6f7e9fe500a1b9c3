"""`python manage.py import_plan FILE --user NAME`: imports a markdown study plan into a learner's tracks."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker.models import User
from tracker.plan_markdown import PlanImportError
from tracker.services.plan_import import plan_import_today, plan_markdown_import


class Command(BaseCommand):
    help = "Import a markdown study plan (.md or .txt) into a learner's own tracks; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The plan file, UTF-8 markdown.")
        parser.add_argument("--user", required=True, help="The learner's username.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {options['user']!r}; check the --user name.") from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        today = plan_import_today(user=user, now=timezone.now())
        try:
            report = plan_markdown_import(user=user, data=data, today=today)
        except PlanImportError as exc:
            raise CommandError(f"Nothing was imported from {path}. {exc.message}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {path} for {user.username}:"))
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        if report.notes:
            self.stdout.write("Lines kept as notes on their track:")
            for number, text in report.notes:
                self.stdout.write(f"  line {number}: {text}")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"  {warning}"))
