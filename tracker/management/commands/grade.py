"""`python manage.py grade SLUG FILE [--json]`: grade a file in the sandbox and print the verdicts.

A thin wrapper over `python -m grader grade`, reading the bundles from settings.EXERCISES_DIR. It writes
nothing to the database. The exit status is 0 when accepted, 1 otherwise, 2 when it could not grade.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grader.__main__ import main as grader_main


def run_grader(argv: list[str]) -> tuple[int, str, str]:
    """Runs the grader's command line in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = grader_main(["--root", str(settings.EXERCISES_DIR), *argv])
    return status, out.getvalue(), err.getvalue()


class Command(BaseCommand):
    help = "Grade FILE against exercise SLUG in the sandbox and print each case's verdict."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The exercise, e.g. vector-add (see /exercises/).")
        parser.add_argument("file", help="A Python file defining the exercise's entry point.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument("--visible", action="store_true", help="Run only the visible examples.")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["grade", options["slug"], options["file"]]
        argv += ["--json"] if options["json"] else []
        argv += ["--visible"] if options["visible"] else []
        argv += ["--unsandboxed"] if settings.GRADER_UNSANDBOXED else []
        status, out, err = run_grader(argv)
        self.stdout.write(out, ending="")
        if status == 2:
            raise CommandError(err.strip().removeprefix("error: "), returncode=2)
        if status:
            raise CommandError("not accepted", returncode=status)
