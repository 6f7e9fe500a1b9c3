"""`python manage.py export_user_data --user NAME [-o FILE]`: everything a learner owns, as one JSON document."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.models import User
from tracker.services.data_export import user_data_export


class Command(BaseCommand):
    help = "Export a learner's data (profile, tracks, progress, plan, reviews, ...) as JSON; import_user_data reads it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The learner's username.")
        parser.add_argument("-o", "--output", type=Path, help="Write to this file (UTF-8) instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"There is no account named {options['user']!r}; check the --user name.") from None
        text = json.dumps(user_data_export(user=user), ensure_ascii=False, indent=2) + "\n"
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stderr.write(f"Wrote the data of {user.username} to {output}.")
