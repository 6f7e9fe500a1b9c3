"""`python manage.py import_user_data FILE --username NAME [--email ADDRESS]`: restores an exported learner."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.services.data_import import DataImportError, user_data_import


class Command(BaseCommand):
    help = (
        "Create an account from a file export_user_data wrote (or Settings → Your data). Curated content must be "
        "loaded first (manage.py seed); an existing account is never overwritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON export.")
        parser.add_argument("--username", required=True, help="The new account's name (must not exist).")
        parser.add_argument("--email", help="Another e-mail address than the one in the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise CommandError(f"{path} is not JSON: {exc}.") from exc
        try:
            user = user_data_import(data=data, username=options["username"], email=options["email"])
        except DataImportError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from exc
        self.stdout.write(
            f"Imported {user.username}. The account has no password yet: "
            f"`python manage.py changepassword {user.username}`, or a password reset by e-mail."
        )
