"""`python manage.py exercises build|check [SLUG ...]`: thin wrappers over `python -m grader build|check`
on settings.EXERCISES_DIR.

    build   regenerate the lab's models and inputs from their seeds (a bundle's generate.py; byte-identical on
            a rerun), then run each reference solution and write the expected outputs (cases/NN.out.npz)
    check   exit 1 unless every reference passes every case, the stored outputs are current and a fresh
            generation gives the same bytes
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.management.commands.grade import run_grader


class Command(BaseCommand):
    help = (
        "Build the exercises (generated models and inputs, expected outputs), or check that the references pass "
        "and everything stored is current."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["build", "check"])
        parser.add_argument("slugs", nargs="*", help="Only these exercises (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        status, out, err = run_grader([options["action"], *options["slugs"]])
        self.stdout.write(out, ending="")
        if status == 2:
            raise CommandError(err.strip().removeprefix("error: "), returncode=2)
        if status:
            raise CommandError("some exercises failed the check (see above)", returncode=status)
