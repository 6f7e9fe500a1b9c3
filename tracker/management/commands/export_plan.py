"""`python manage.py export_plan --user NAME [-o FILE]`: writes a learner's tracks and plan as markdown."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.models import User
from tracker.services.plan_export import plan_markdown_export


class Command(BaseCommand):
    help = "Export a learner's tracks and plan as a markdown plan (the format import_plan reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The learner's username.")
        parser.add_argument("-o", "--output", type=Path, help="Write to this file (UTF-8) instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {options['user']!r}; check the --user name.") from None
        text = plan_markdown_export(user=user)
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stderr.write(f"Wrote {len(text.splitlines())} lines to {output}.")
