"""Writes of interview practice on LeetCode problems: attempts and their re-solve schedule (FSRS), notes, the
revisit flag, the hide-difficulty preference, importing a CSV of solved problems, and loading the curated
catalogue (patterns, problems, sets) from fixtures/interview/.

Re-solves use FSRS (py-fsrs) as study-item reviews do (tracker/services/reviews.py), without learning steps:
a problem comes back after days, never minutes. A learner's schedule for a problem is replayed from all their
attempts at it in date order, so an attempt entered late (yesterday's, or an import) lands where it belongs.
Every write that can change Today or the plan (re-solves due take their minutes off the day's budget) bumps the
learner's state version and re-plans.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from fsrs import Card, Rating, Scheduler

from tracker.curation.interview import ProblemCatalogue
from tracker.models import (
    Pattern,
    Problem,
    ProblemAttempt,
    ProblemProgress,
    ProblemSet,
    ProblemSetEntry,
    StudyProfile,
    User,
)
from tracker.models.problems import SOLVED_OUTCOMES
from tracker.practice.rating import AttemptFacts, Proposal, propose_rating
from tracker.practice.solved_csv import RowError, read_solved_csv
from tracker.services.learner_state import curated_content_bump, learner_state_bump
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

# No fuzz, so the same attempts give the same dates; no learning steps, so a problem comes back after days.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
MAX_MINUTES = 600
MAX_HINTS = 20
TEXT_LIMITS = {"language": 30, "time_complexity": 60, "space_complexity": 60, "approach": 20_000}


class ProblemError(Exception):
    """A write that cannot be done; the message says what was wrong and what to do."""


class ProblemImportError(ProblemError):
    """A CSV that cannot be imported; `errors` lists every bad line. Nothing was saved."""

    def __init__(self, errors: Sequence[ImportLineError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(f"line {first.line}: {first.message}" if first.line else first.message)


@dataclass(frozen=True)
class ImportLineError:
    line: int  # 0: the whole file
    message: str


@dataclass(frozen=True)
class AttemptRecorded:
    """What `problem_attempt_create` did: the attempt, the learner's progress on the problem (with the next
    re-solve in `due`) and the rating the attempt proposed."""

    attempt: ProblemAttempt
    progress: ProblemProgress
    proposal: Proposal


@dataclass
class ImportReport:
    created: int = 0
    already: int = 0
    problems: int = 0


def _profile(user: User) -> StudyProfile:
    return StudyProfile.objects.get_or_create(user=user)[0]


def _review_time(attempt: ProblemAttempt, zone: ZoneInfo) -> dt.datetime:
    """When the attempt counts as made: its entry time when entered on its own date, else noon of its date."""
    created = attempt.created_at
    if created is not None and created.astimezone(zone).date() == attempt.date:
        return created.astimezone(dt.UTC)
    return dt.datetime.combine(attempt.date, dt.time(12), tzinfo=zone).astimezone(dt.UTC)


def _replay(progress: ProblemProgress, attempts: Sequence[ProblemAttempt], zone: ZoneInfo) -> None:
    """Sets the attempt summary and the FSRS card of `progress` from all its attempts (oldest first)."""
    progress.attempts_count = len(attempts)
    progress.solved_alone_count = sum(a.outcome == ProblemAttempt.Outcome.SOLVED_ALONE for a in attempts)
    if any(a.outcome in SOLVED_OUTCOMES for a in attempts):
        progress.status = ProblemProgress.Status.SOLVED
    else:
        progress.status = ProblemProgress.Status.ATTEMPTED if attempts else ProblemProgress.Status.UNSOLVED
    progress.last_attempted_on = attempts[-1].date if attempts else None
    if not attempts:
        progress.due = progress.state = progress.step = progress.stability = progress.difficulty = None
        progress.last_review = None
        return
    card = Card()
    last = None
    for attempt in attempts:
        # FSRS wants time to go forward; two attempts in one instant count as one after the other.
        when = _review_time(attempt, zone)
        if last is not None and when < last:
            when = last
        card, _log = SCHEDULER.review_card(card, Rating(attempt.rating), review_datetime=when)
        last = when
    progress.due = card.due
    progress.state = int(card.state)
    progress.step = card.step
    progress.stability = card.stability
    progress.difficulty = card.difficulty
    progress.last_review = card.last_review


def _reschedule(user: User, problems: Iterable[Problem], zone: ZoneInfo) -> dict[int, ProblemProgress]:
    """Replays the schedule of each of `problems` for `user` (rows locked); returns the progress rows."""
    ids = [p.pk for p in problems]
    rows = {p.problem_id: p for p in ProblemProgress.objects.select_for_update().filter(user=user, problem_id__in=ids)}
    missing = [ProblemProgress(user=user, problem_id=pk) for pk in ids if pk not in rows]
    attempts: dict[int, list[ProblemAttempt]] = {pk: [] for pk in ids}
    for attempt in ProblemAttempt.objects.filter(user=user, problem_id__in=ids).order_by("date", "created_at", "id"):
        attempts[attempt.problem_id].append(attempt)
    for progress in [*rows.values(), *missing]:
        _replay(progress, attempts[progress.problem_id], zone)
    fields = [
        "status",
        "attempts_count",
        "solved_alone_count",
        "last_attempted_on",
        "due",
        "state",
        "step",
        "stability",
        "difficulty",
        "last_review",
        "updated_at",
    ]
    if rows:
        now = timezone.now()
        for row in rows.values():
            row.updated_at = now
        ProblemProgress.objects.bulk_update(list(rows.values()), fields)
    for row in ProblemProgress.objects.bulk_create(missing):
        rows[row.problem_id] = row
    return rows


def _clean_text(name: str, value: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_LIMITS[name]:
        raise ProblemError(
            _("%(field)s is %(n)d characters long; keep it under %(limit)d.")
            % {"field": name.replace("_", " ").capitalize(), "n": len(value), "limit": TEXT_LIMITS[name]}
        )
    return value


@transaction.atomic
def problem_attempt_create(
    *,
    user: User,
    problem: Problem,
    outcome: str,
    date: dt.date | None = None,
    minutes: int | None = None,
    hints: int = 0,
    language: str = "",
    approach: str = "",
    time_complexity: str = "",
    space_complexity: str = "",
    rating: int | None = None,
    now: dt.datetime | None = None,
) -> AttemptRecorded:
    """Records an attempt at `problem`, proposes its FSRS rating from what happened (outcome, minutes against
    the difficulty's target, hints: tracker/practice/rating.py), keeps the learner's `rating` if they chose one,
    and schedules the next re-solve. Raises ProblemError for a bad value, saying which and what to do."""
    now = now or timezone.now()
    profile = _profile(user)
    zone = ZoneInfo(profile.time_zone)
    today = local_today(profile.time_zone, now)
    date = date or today
    if outcome not in ProblemAttempt.Outcome.values:
        raise ProblemError(_("Choose what happened: solved alone, with hints, read the solution or did not solve."))
    if date > today:
        raise ProblemError(_("The date %(date)s is in the future; enter today's or an earlier date.") % {"date": date})
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise ProblemError(_("Minutes must be between 1 and %(max)d, or left empty.") % {"max": MAX_MINUTES})
    if not 0 <= hints <= MAX_HINTS:
        raise ProblemError(_("Hints must be between 0 and %(max)d.") % {"max": MAX_HINTS})
    if outcome == ProblemAttempt.Outcome.SOLVED_ALONE and hints:
        raise ProblemError(_("An attempt solved alone used no hints: choose “with hints” or set hints to 0."))
    if rating is not None and rating not in ProblemAttempt.Rating.values:
        raise ProblemError(_("The rating must be again, hard, good or easy (1 to 4)."))
    proposal = propose_rating(
        AttemptFacts(difficulty=problem.difficulty, outcome=outcome, minutes=minutes, hints=hints)  # type: ignore[arg-type]
    )
    attempt = ProblemAttempt.objects.create(
        user=user,
        problem=problem,
        date=date,
        outcome=outcome,
        minutes=minutes,
        hints=hints,
        language=_clean_text("language", language),
        approach=_clean_text("approach", approach),
        time_complexity=_clean_text("time_complexity", time_complexity),
        space_complexity=_clean_text("space_complexity", space_complexity),
        proposed_rating=int(proposal.rating),
        rating=rating if rating is not None else int(proposal.rating),
    )
    progress = _reschedule(user, [problem], zone)[problem.pk]
    _after_practice(user, today)
    return AttemptRecorded(attempt=attempt, progress=progress, proposal=proposal)


@transaction.atomic
def problem_attempt_delete(*, attempt: ProblemAttempt) -> ProblemProgress:
    """Deletes an attempt entered by mistake and replays the problem's schedule without it."""
    user, problem = attempt.user, attempt.problem
    profile = _profile(user)
    attempt.delete()
    progress = _reschedule(user, [problem], ZoneInfo(profile.time_zone))[problem.pk]
    _after_practice(user, local_today(profile.time_zone, timezone.now()))
    return progress


def _after_practice(user: User, today: dt.date) -> None:
    """Re-solves due change Today and the plan's budget: re-plan (bumps when the plan moved) and bump."""
    plan_rebuild(user=user, today=today)
    learner_state_bump(user_id=user.pk)


def _progress_for_update(user: User, problem: Problem) -> ProblemProgress:
    progress, _created = ProblemProgress.objects.select_for_update().get_or_create(user=user, problem=problem)
    return progress


@transaction.atomic
def problem_note_set(*, user: User, problem: Problem, notes: str) -> ProblemProgress:
    """Replaces the learner's markdown notes on `problem` (shown rendered and sanitised)."""
    notes = (notes or "").strip()
    limit = ProblemProgress._meta.get_field("notes").max_length or 20_000
    if len(notes) > limit:
        raise ProblemError(
            _("The notes are %(n)d characters long; keep them under %(limit)d.") % {"n": len(notes), "limit": limit}
        )
    progress = _progress_for_update(user, problem)
    if progress.notes != notes:
        progress.notes = notes
        progress.save(update_fields=["notes", "updated_at"])
    learner_state_bump(user_id=user.pk)
    return progress


@transaction.atomic
def problem_revisit_set(*, user: User, problem: Problem, revisit: bool) -> ProblemProgress:
    """Flags `problem` to come back to (or clears the flag)."""
    progress = _progress_for_update(user, problem)
    if progress.revisit != revisit:
        progress.revisit = revisit
        progress.save(update_fields=["revisit", "updated_at"])
    learner_state_bump(user_id=user.pk)
    return progress


@transaction.atomic
def problem_preferences_update(*, user: User, hide_difficulty: bool) -> StudyProfile:
    """Whether problems' difficulty is hidden while practising (lists, problem pages, Today)."""
    profile = StudyProfile.objects.select_for_update().get_or_create(user=user)[0]
    if profile.hide_problem_difficulty != hide_difficulty:
        profile.hide_problem_difficulty = hide_difficulty
        profile.save(update_fields=["hide_problem_difficulty", "updated_at"])
    learner_state_bump(user_id=user.pk)
    return profile


def import_error_message(error: RowError) -> str:
    """A bad line of a CSV, in the active language, saying what to do."""
    messages = {
        "too_big": _("The file is larger than %(value)s KB; split it into smaller files."),
        "not_utf8": _("The file is not UTF-8 text (byte %(value)s); save it as UTF-8 CSV and try again."),
        "nul_bytes": _("The file holds binary data; export it again as plain CSV."),
        "too_many_rows": _("The file has more than %(value)s rows; split it into smaller files."),
        "line_too_long": _(
            "the line is longer than %(value)s characters; a row holds a problem, a date and an outcome."
        ),
        "too_many_columns": _("the row has more than %(value)s cells; use the columns problem, date, outcome."),
        "formula": _("“%(value)s” looks like a spreadsheet formula; remove the leading =, +, - or @."),
        "bad_csv": _("the row is not valid CSV (%(value)s)."),
        "no_problem": _("the row names no problem; put the problem's slug or exact title first."),
        "bad_date": _("“%(value)s” is not a date; write it as YYYY-MM-DD."),
        "date_out_of_range": _("%(value)s is in the future or before 2000; use the date you solved it."),
        "bad_outcome": _(
            "“%(value)s” is not an outcome; use solved_alone, solved_with_hints, read_solution or not_solved."
        ),
        "empty": _("The file has no rows; put one solved problem per line: slug, date, outcome."),
        "unknown_problem": _("no problem “%(value)s” in the catalogue; use its slug (two-sum) or its exact title."),
    }
    return messages[error.code] % {"value": error.value}


@transaction.atomic
def problems_import_csv(*, user: User, data: bytes, now: dt.datetime | None = None) -> ImportReport:
    """Imports a CSV of solved problems (problem slug or exact title, date, optional outcome) as attempts.

    All or nothing: a file with any bad or unknown row saves nothing and raises ProblemImportError listing every
    one with its line number. Importing the same file again adds nothing (one imported attempt per problem and
    day, a database constraint). Imported attempts have no minutes; their rating is proposed from the outcome."""
    now = now or timezone.now()
    profile = _profile(user)
    zone = ZoneInfo(profile.time_zone)
    parsed = read_solved_csv(data, today=local_today(profile.time_zone, now))
    errors = [ImportLineError(e.line, import_error_message(e)) for e in parsed.errors]
    keys = {row.key for row in parsed.rows}
    slugs = {k.lower() for k in keys}
    found = list(Problem.objects.filter(Q(slug__in=slugs) | Q(title__in=keys) | Q(title_zh__in=keys)))
    by_key: dict[str, Problem] = {}
    for problem in found:
        by_key.setdefault(problem.slug, problem)
    for problem in found:  # a slug wins over a title that happens to equal another problem's slug
        by_key.setdefault(problem.title, problem)
        if problem.title_zh:
            by_key.setdefault(problem.title_zh, problem)
    for row in parsed.rows:
        if by_key.get(row.key.lower()) is None and by_key.get(row.key) is None:
            errors.append(
                ImportLineError(row.line, import_error_message(RowError(row.line, "unknown_problem", row.key)))
            )
    if errors:
        raise ProblemImportError(sorted(errors, key=lambda e: e.line))
    existing = set(
        ProblemAttempt.objects.filter(user=user, source=ProblemAttempt.Source.IMPORTED, problem__in=found).values_list(
            "problem_id", "date"
        )
    )
    new: list[ProblemAttempt] = []
    report = ImportReport()
    touched: dict[int, Problem] = {}
    for row in parsed.rows:
        problem = by_key.get(row.key.lower()) or by_key[row.key]
        if (problem.pk, row.date) in existing:
            report.already += 1
            continue
        existing.add((problem.pk, row.date))
        proposal = propose_rating(AttemptFacts(difficulty=problem.difficulty, outcome=row.outcome))  # type: ignore[arg-type]
        new.append(
            ProblemAttempt(
                user=user,
                problem=problem,
                date=row.date,
                outcome=row.outcome,
                proposed_rating=int(proposal.rating),
                rating=int(proposal.rating),
                source=ProblemAttempt.Source.IMPORTED,
            )
        )
        touched[problem.pk] = problem
    try:
        with transaction.atomic():
            ProblemAttempt.objects.bulk_create(new)
    except IntegrityError as exc:  # the same file imported at the same moment in another request
        raise ProblemImportError(
            [ImportLineError(0, _("This file is being imported already; reload the page in a moment."))]
        ) from exc
    report.created = len(new)
    report.problems = len(touched)
    if touched:
        _reschedule(user, touched.values(), zone)
        _after_practice(user, local_today(profile.time_zone, now))
    return report


# --- The curated catalogue (fixtures/interview/) ---------------------------------------------------------


@dataclass
class CatalogueReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or sum(self.deleted.values()))


def _apply(instance: Model, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def _upsert_rows(
    report: CatalogueReport, model: type[Model], label: str, specs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Rows of `model` keyed by slug made equal to `specs`, in bulk (no signal per row)."""
    existing: dict[str, Any] = {row.slug: row for row in model._default_manager.filter(slug__in=specs)}  # type: ignore[attr-defined]
    new = [model(slug=slug, **values) for slug, values in specs.items() if slug not in existing]
    changed: list[Model] = []
    fields: set[str] = set()
    for slug, row in existing.items():
        if names := _apply(row, specs[slug]):
            changed.append(row)
            fields.update(names)
        else:
            report.unchanged[label] += 1
    if changed:
        now = timezone.now()
        for row in changed:
            row.updated_at = now  # type: ignore[attr-defined]
        model._default_manager.bulk_update(changed, [*sorted(fields), "updated_at"], batch_size=500)
        report.updated[label] += len(changed)
    for row in model._default_manager.bulk_create(new, batch_size=500):
        existing[row.slug] = row  # type: ignore[attr-defined]
    if new:
        report.created[label] += len(new)
    return existing


def problem_catalogue_upsert(*, catalogue: ProblemCatalogue) -> CatalogueReport:
    """Makes the patterns, problems and sets equal to `catalogue` (fixtures/interview/), keyed by slug, in the
    caller's transaction; a second run changes nothing. Rows not in the files (added by a curator in the admin,
    or practised by learners) stay; the entries of a set in the files follow the files exactly."""
    report = CatalogueReport()
    with transaction.atomic():
        patterns = _upsert_rows(
            report,
            Pattern,
            "pattern",
            {
                p.slug: {"title": p.title, "title_zh": p.title_zh, "is_primary": p.is_primary, "position": p.position}
                for p in catalogue.patterns
            },
        )
        problems = _upsert_rows(
            report,
            Problem,
            "problem",
            {
                p.slug: {
                    "number": p.number,
                    "title": p.title,
                    "title_zh": p.title_zh,
                    "difficulty": p.difficulty,
                    "pattern_id": patterns[p.pattern].pk,
                    "on_leetcode_com": "com" in p.sites,
                    "on_leetcode_cn": "cn" in p.sites,
                }
                for p in catalogue.problems
            },
        )
        _set_problem_tags(report, catalogue, problems, patterns)
        sets = _upsert_rows(
            report,
            ProblemSet,
            "problem set",
            {
                s.slug: {
                    "title": s.title,
                    "title_zh": s.title_zh,
                    "summary": s.summary,
                    "source_title": s.source_title,
                    "source_author": s.source_author,
                    "source_url": s.source_url,
                    "expected_size": s.expected_size,
                    "position": s.position,
                }
                for s in catalogue.sets
            },
        )
        _set_entries(report, catalogue, sets, problems)
        if report.changed:
            curated_content_bump()
    return report


def _set_problem_tags(
    report: CatalogueReport, catalogue: ProblemCatalogue, problems: dict[str, Problem], patterns: dict[str, Pattern]
) -> None:
    through = Problem.tags.through
    want = {(problems[p.slug].pk, patterns[t].pk) for p in catalogue.problems for t in p.tags}
    ids = [problems[p.slug].pk for p in catalogue.problems]
    have = set(through.objects.filter(problem_id__in=ids).values_list("problem_id", "pattern_id"))
    through.objects.bulk_create([through(problem_id=a, pattern_id=b) for a, b in sorted(want - have)], batch_size=500)
    gone = have - want
    if gone:
        query = Q()
        for a, b in gone:
            query |= Q(problem_id=a, pattern_id=b)
        through.objects.filter(query).delete()
    if want != have:
        report.updated["problem tags"] += len(want ^ have)


def _set_entries(
    report: CatalogueReport, catalogue: ProblemCatalogue, sets: dict[str, ProblemSet], problems: dict[str, Problem]
) -> None:
    ids = [sets[s.slug].pk for s in catalogue.sets]
    have = {
        (e.problem_set_id, e.problem_id): e for e in ProblemSetEntry.objects.filter(problem_set_id__in=ids).order_by()
    }
    want: dict[tuple[int, int], tuple[int, str, str]] = {}
    for spec in catalogue.sets:
        for entry in spec.entries:
            want[(sets[spec.slug].pk, problems[entry.problem].pk)] = (entry.position, entry.section, entry.section_zh)
    if {k: (e.position, e.section, e.section_zh) for k, e in have.items()} == want:
        report.unchanged["set entry"] += len(want)
        return
    # Positions are unique in a set, so moving entries in place could collide: the sets that changed are
    # written again whole (a few hundred rows at most).
    changed_sets = {k[0] for k in set(have) ^ set(want)} | {
        k[0] for k, e in have.items() if k in want and (e.position, e.section, e.section_zh) != want[k]
    }
    removed = ProblemSetEntry.objects.filter(problem_set_id__in=changed_sets).delete()[0]
    rows = [
        ProblemSetEntry(problem_set_id=s, problem_id=p, position=pos, section=sec, section_zh=sec_zh)
        for (s, p), (pos, sec, sec_zh) in want.items()
        if s in changed_sets
    ]
    ProblemSetEntry.objects.bulk_create(rows, batch_size=500)
    report.updated["set entry"] += len(rows)
    if removed > len(rows):
        report.deleted["set entry"] += removed - len(rows)
