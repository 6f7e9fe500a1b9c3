"""`python manage.py seed`: loads the curated content and creates the demo accounts."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grader.bundles import BundleError
from tracker.curation.files import FixtureError, read_curated_content
from tracker.curation.interview import read_problem_catalogue
from tracker.curation.questions import read_questions
from tracker.services.curation import curated_content_upsert
from tracker.services.demo import demo_accounts_ensure
from tracker.services.exercises import exercises_sync
from tracker.services.problems import problem_catalogue_upsert
from tracker.services.questions import question_bank_upsert
from tracker.services.schedules import periodic_tasks_ensure


class Command(BaseCommand):
    help = "Load the curated content from fixtures/ (idempotent) and create the demo accounts if missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures", type=Path, default=settings.FIXTURES_DIR, help="Folder of fixture files.")
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["fixtures"]
        if not (directory / "tracks").is_dir():
            raise CommandError(f"{directory} has no tracks/ folder; pass --fixtures with the fixtures folder.")
        try:
            content = read_curated_content(directory)
            questions = read_questions(directory)
        except FixtureError as exc:
            raise CommandError(f"Nothing was loaded. Fix this and run seed again:\n  {exc}") from exc
        report = curated_content_upsert(content=content)
        verbosity = options["verbosity"]
        if verbosity >= 1:
            self.stdout.write(
                f"Curated content: {len(content.tracks)} tracks, {len(content.skills)} skills, "
                f"{len(content.deadlines)} deadlines" + ("" if report.changed else " (already up to date)")
            )
            if verbosity >= 2 or report.changed:
                for line in report.lines():
                    self.stdout.write("  " + line)
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING("  " + warning))
        question_report = question_bank_upsert(specs=questions)
        if verbosity >= 1 and questions:
            self.stdout.write(
                f"Concept questions: {len(questions)} ("
                + (
                    f"{question_report.created} new, {question_report.updated} updated, "
                    f"{question_report.unpublished} unpublished"
                    if question_report.changed
                    else "already up to date"
                )
                + ")"
            )
        self._exercises(directory / "exercises", verbosity)
        self._problems(directory / "interview", verbosity)
        for name in periodic_tasks_ensure():
            self.stdout.write(f"Periodic task created: {name}")
        if options["no_demo"]:
            return
        accounts = demo_accounts_ensure(demo=content.demo)
        if accounts:
            self.stdout.write(self.style.SUCCESS("\nDemo accounts created. The passwords are shown this once:"))
            for account in accounts:
                self.stdout.write(f"  {account.role:<10} {account.username:<10} {account.password}")
            self.stdout.write("Forgot one? python manage.py changepassword USERNAME\n")

    def _exercises(self, folder: Path, verbosity: int) -> None:
        """The exercise bundles (fixtures/exercises/), after the tracks they link to."""
        if not folder.is_dir():
            return
        try:
            report = exercises_sync(root=folder)
        except BundleError as exc:
            raise CommandError(f"Exercises were not loaded. Fix this and run seed again:\n  {exc}") from exc
        if verbosity >= 1:
            total = len(report.created) + len(report.updated) + len(report.unchanged)
            detail = (
                f"{len(report.created)} new, {len(report.updated)} updated, {len(report.unpublished)} unpublished"
                if report.changed
                else "already up to date"
            )
            self.stdout.write(f"Exercises: {total} ({detail})")
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING("  " + warning))

    def _problems(self, folder: Path, verbosity: int) -> None:
        """The LeetCode catalogue (fixtures/interview/): patterns, problems and sets; optional."""
        try:
            catalogue = read_problem_catalogue(folder)
        except FixtureError as exc:
            raise CommandError(f"Interview problems were not loaded. Fix this and run seed again:\n  {exc}") from exc
        if catalogue is None:
            if verbosity >= 1:
                self.stdout.write(f"Interview problems: nothing loaded ({folder / 'problems.yaml'} is not there).")
            return
        report = problem_catalogue_upsert(catalogue=catalogue)
        if verbosity >= 1:
            changed = report.changed
            self.stdout.write(
                f"Interview problems: {len(catalogue.problems)} problems, {len(catalogue.sets)} sets, "
                f"{len(catalogue.patterns)} patterns" + ("" if changed else " (already up to date)")
            )
            if changed or verbosity >= 2:
                for label in sorted(set(report.created) | set(report.updated) | set(report.deleted)):
                    self.stdout.write(
                        f"  {label:<12} created {report.created[label]:>4}  updated {report.updated[label]:>4}  "
                        f"deleted {report.deleted[label]:>4}"
                    )
