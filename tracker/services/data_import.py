"""Restores a learner from the document `user_data_export` wrote (tracker/services/data_export.py).

The document is checked as it is read; the first problem stops the import with an error that names its place
(`progress[3].item: ...`), and as everything happens in one transaction, nothing is left half-imported. An
existing account is never overwritten. Curated content must already be on this server (`manage.py seed`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, Model, Q
from django.db.models.functions import Lower
from django.utils import timezone

from tracker.models import (
    Deadline,
    Enrollment,
    Exercise,
    ExerciseVersion,
    Feed,
    FeedPost,
    FeedSubscription,
    Item,
    MockPart,
    MockSession,
    PlanEntry,
    Problem,
    ProblemAttempt,
    ProblemProgress,
    Progress,
    Question,
    QuestionCard,
    QuestionReview,
    ReadingQueueEntry,
    ReviewCard,
    ReviewLog,
    Skill,
    SkillAssessment,
    StudyProfile,
    Submission,
    SubmissionCaseResult,
    Tag,
    Track,
    User,
    Vacation,
)
from tracker.models.timing import ranked_speedup
from tracker.services.data_export import ADDED_LATER, FIELDS, FORMAT, VERSION
from tracker.services.learner_state import learner_state_bump
from tracker.services.reminders import reminder_schedule

SECTION_MODELS: dict[str, type[Model]] = {
    "user": User,
    "profile": StudyProfile,
    "own_tracks": Track,
    "items": Item,
    "enrollments": Enrollment,
    "progress": Progress,
    "plan_entries": PlanEntry,
    "review_cards": ReviewCard,
    "review_logs": ReviewLog,
    "reading_queue": ReadingQueueEntry,
    "deadlines": Deadline,
    "vacations": Vacation,
    "skill_assessments": SkillAssessment,
    "feed_subscriptions": FeedSubscription,
    "submissions": Submission,
    "results": SubmissionCaseResult,
    "problem_progress": ProblemProgress,
    "problem_attempts": ProblemAttempt,
    "own_questions": Question,
    "question_cards": QuestionCard,
    "question_reviews": QuestionReview,
    "mock_sessions": MockSession,
    "mock_parts": MockPart,
}
LIST_SECTIONS = (
    "own_tracks",
    "enrollments",
    "progress",
    "plan_entries",
    "review_cards",
    "review_logs",
    "reading_queue",
    "deadlines",
    "vacations",
    "skill_assessments",
    "feed_subscriptions",
    "submissions",
    "problem_progress",
    "problem_attempts",
    "own_questions",
    "question_cards",
    "question_reviews",
    "mock_sessions",
)
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "date": (str,),
    "datetime": (str,),
    "json": (list, dict, str, int, float, bool),
}


class DataImportError(Exception):
    """The document cannot be imported; the message names where and what is wrong."""


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DataImportError(f"{path}: expected an object, found {type(value).__name__}.")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise DataImportError(f"{path}: expected a list, found {type(value).__name__}.")
    return value


def _read_fields(raw: Any, section: str, path: str) -> dict[str, Any]:
    """The plain fields of one row, type-checked and validated by the model field (choices, lengths, ranges)."""
    data = _object(raw, path)
    model = SECTION_MODELS[section]
    values: dict[str, Any] = {}
    for name, kind in FIELDS[section].items():
        where = f"{path}.{name}"
        if name not in data:
            if (section, name) in ADDED_LATER:
                added = model._meta.get_field(name)
                assert isinstance(added, Field)  # noqa: S101 - ADDED_LATER names plain fields only
                values[name] = added.get_default()
                continue
            raise DataImportError(f"{where}: missing.")
        value = data[name]
        base = kind.rstrip("?")
        if value is None:
            if not kind.endswith("?"):
                raise DataImportError(f"{where}: must not be null.")
            values[name] = None
            continue
        if not isinstance(value, _TYPES[base]) or (base in ("int", "float") and isinstance(value, bool)):
            raise DataImportError(f"{where}: expected {base}, found {type(value).__name__} {value!r}.")
        field = model._meta.get_field(name)
        try:
            value = field.to_python(value)  # type: ignore[union-attr]
            if value is None:  # to_python gives None for a date it cannot parse
                raise ValidationError(f"not a valid {base}")
            blank_ok = field.blank and value in field.empty_values  # type: ignore[union-attr]
            if field.choices and not blank_ok and value not in {choice for choice, _label in field.flatchoices}:  # type: ignore[union-attr]
                raise ValidationError(f"{value!r} is not one of {[c for c, _ in field.flatchoices]}")  # type: ignore[union-attr]
            field.run_validators(value)  # type: ignore[union-attr]
            max_length = getattr(field, "max_length", None)
            if base == "str" and max_length and len(value) > max_length:
                raise ValidationError(f"longer than {max_length} characters")
        except ValidationError as exc:
            raise DataImportError(f"{where}: {' '.join(exc.messages)}") from exc
        values[name] = value
    return values


class _Refs:
    """Finds the rows the document names by natural keys, each at most once."""

    def __init__(self, own_tracks: dict[str, Track]) -> None:
        self.own_tracks = own_tracks
        self.curated: dict[str, Track] = {}
        self.items: dict[int, dict[str, Item]] = {}
        self.enrollments: dict[int, Enrollment] = {}

    def track(self, raw: Any, path: str) -> Track:
        ref = _object(raw, path)
        slug, own = ref.get("track"), ref.get("own")
        if not isinstance(slug, str) or not isinstance(own, bool):
            raise DataImportError(f'{path}: expected {{"track": slug, "own": true or false}}.')
        if own:
            if slug not in self.own_tracks:
                raise DataImportError(f"{path}: the learner's own track {slug!r} is not in own_tracks.")
            return self.own_tracks[slug]
        if slug not in self.curated:
            track = Track.objects.filter(owner=None, slug=slug).first()
            if track is None:
                raise DataImportError(
                    f"{path}: no curated track {slug!r} on this server; load the curated content first "
                    "(`manage.py seed`)."
                )
            self.curated[slug] = track
        return self.curated[slug]

    def item(self, raw: Any, path: str) -> Item:
        track = self.track(raw, path)
        key = _object(raw, path).get("item")
        if track.pk not in self.items:
            self.items[track.pk] = {item.key: item for item in Item.objects.filter(track=track)}
        if not isinstance(key, str) or key not in self.items[track.pk]:
            raise DataImportError(f"{path}: track {track.slug!r} has no item {key!r}.")
        return self.items[track.pk][key]


def _tags(raw: Any, path: str) -> list[Tag]:
    slugs = _list(raw if raw is not None else [], path)
    if not all(isinstance(s, str) and s for s in slugs):
        raise DataImportError(f"{path}: expected a list of tag names.")
    return [Tag.objects.get_or_create(slug=slug)[0] for slug in slugs]


def _import_own_tracks(user: User, rows: list[Any]) -> dict[str, Track]:
    tracks: dict[str, Track] = {}
    for i, raw in enumerate(rows):
        path = f"own_tracks[{i}]"
        fields = _read_fields(raw, "own_tracks", path)
        if fields["slug"] in tracks:
            raise DataImportError(f"{path}.slug: {fields['slug']!r} appears twice.")
        track = Track.objects.create(owner=user, **fields)
        track.tags.set(_tags(raw.get("tags"), f"{path}.tags"))
        tracks[track.slug] = track
        items: dict[str, Item] = {}
        parents: dict[str, str | None] = {}
        for j, raw_item in enumerate(_list(raw.get("items", []), f"{path}.items")):
            item_path = f"{path}.items[{j}]"
            item_fields = _read_fields(raw_item, "items", item_path)
            if item_fields["key"] in items:
                raise DataImportError(f"{item_path}.key: {item_fields['key']!r} appears twice in the track.")
            parent = raw_item.get("parent")
            if parent is not None and not isinstance(parent, str):
                raise DataImportError(f"{item_path}.parent: expected an item key or null.")
            parents[item_fields["key"]] = parent
            item = Item(track=track, **item_fields)
            item.tag_list = _tags(raw_item.get("tags"), f"{item_path}.tags")  # type: ignore[attr-defined]
            items[item.key] = item
        # Parents before children, level by level, each level in one query (depth is what Item.save would set).
        level = [item for key, item in items.items() if parents[key] is None]
        depth, placed = 0, set[str]()
        while level:
            for item in level:
                item.depth = depth
                parent_key = parents[item.key]
                item.parent = items[parent_key] if parent_key is not None else None
            Item.objects.bulk_create(level)
            placed.update(item.key for item in level)
            level = [item for key, item in items.items() if key not in placed and parents[key] in placed]
            depth += 1
        stray = [key for key in items if key not in placed]
        if stray:
            raise DataImportError(f"{path}.items: {stray[0]!r} has a parent that is not an item of the track.")
        for item in items.values():
            item.tags.set(item.tag_list)  # type: ignore[attr-defined]
    return tracks


def _check_header(data: Any) -> dict[str, Any]:
    doc = _object(data, "document")
    if doc.get("format") != FORMAT:
        raise DataImportError(f"format: expected {FORMAT!r}; is this a Brainqueue data export?")
    if doc.get("version") != VERSION:
        raise DataImportError(f"version: this server reads version {VERSION}, not {doc.get('version')!r}.")
    for section in LIST_SECTIONS:
        _list(doc.get(section, []), section)
    return doc


def _create_user(doc: dict[str, Any], username: str, email: str | None) -> User:
    fields = _read_fields(doc.get("user"), "user", "user")
    if email is not None:
        fields["email"] = email
    if not username or len(username) > 150:
        raise DataImportError("username: give a user name of 1 to 150 characters.")
    if User.objects.filter(username=username).exists():
        raise DataImportError(f"username: an account named {username!r} exists already; choose another name.")
    if fields["email"] and User.objects.annotate(e=Lower("email")).filter(e=fields["email"].lower()).exists():
        raise DataImportError(
            f"user.email: another account uses {fields['email']!r}; give another address (--email) to import."
        )
    # No password travels in the document: the learner sets one with a password reset.
    return User.objects.create_user(username=username, password=None, **fields)


@transaction.atomic
def user_data_import(*, data: dict[str, Any], username: str, email: str | None = None) -> User:
    """Creates the account `username` with everything in `data`, or raises DataImportError and creates
    nothing. The account has no usable password until the learner resets it (the e-mail is restored)."""
    doc = _check_header(data)
    user = _create_user(doc, username, email)
    profile = StudyProfile(user=user, **_read_fields(doc.get("profile"), "profile", "profile"))
    handle = profile.public_handle
    if handle and StudyProfile.objects.annotate(h=Lower("public_handle")).filter(h=handle.lower()).exists():
        raise DataImportError(
            f"profile.public_handle: another learner here has the handle {handle!r}; "
            "change it (or empty it) in the file, then import again."
        )
    reminder_schedule(profile=profile, save=False)
    profile.save()
    own = _import_own_tracks(user, doc.get("own_tracks", []))
    refs = _Refs(own)

    def rows(section: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(path, the raw row, its plain fields) for each row of a section."""
        return [
            (f"{section}[{i}]", _object(raw, f"{section}[{i}]"), _read_fields(raw, section, f"{section}[{i}]"))
            for i, raw in enumerate(doc.get(section, []))
        ]

    enrollments = [Enrollment(user=user, track=refs.track(raw, path), **f) for path, raw, f in rows("enrollments")]
    _bulk(Enrollment, enrollments, "enrollments")
    refs.enrollments = {e.track_id: e for e in enrollments}

    def enrollment_of(raw: Any, path: str) -> Enrollment | None:
        if raw is None:
            return None
        track = refs.track(raw, path)
        if track.pk not in refs.enrollments:
            raise DataImportError(f"{path}: no enrollment in track {track.slug!r} in enrollments.")
        return refs.enrollments[track.pk]

    _bulk(Progress, [Progress(user=user, item=refs.item(r, p), **f) for p, r, f in rows("progress")], "progress")
    _bulk(
        PlanEntry,
        [
            PlanEntry(
                user=user, item=refs.item(r, p), enrollment=enrollment_of(r.get("enrollment"), f"{p}.enrollment"), **f
            )
            for p, r, f in rows("plan_entries")
        ],
        "plan_entries",
    )
    cards = [ReviewCard(user=user, item=refs.item(r, p), **f) for p, r, f in rows("review_cards")]
    _bulk(ReviewCard, cards, "review_cards")
    _bulk(
        ReviewLog, [ReviewLog(user=user, item=refs.item(r, p), **f) for p, r, f in rows("review_logs")], "review_logs"
    )
    reading = [
        ReadingQueueEntry(
            user=user,
            item=refs.item(r["item"], f"{p}.item") if r.get("item") is not None else None,
            post=_post(r.get("post"), f"{p}.post"),
            **f,
        )
        for p, r, f in rows("reading_queue")
    ]
    _bulk_keeping_times(ReadingQueueEntry, reading, "reading_queue", "added_at")
    _bulk(
        Deadline,
        [
            Deadline(owner=user, track=refs.track(r["track"], f"{p}.track") if r.get("track") else None, **f)
            for p, r, f in rows("deadlines")
        ],
        "deadlines",
    )
    _bulk(Vacation, [Vacation(user=user, **f) for _p, _r, f in rows("vacations")], "vacations")
    _bulk(
        SkillAssessment,
        [
            SkillAssessment(user=user, skill=_skill(r.get("skill"), f"{p}.skill"), **f)
            for p, r, f in rows("skill_assessments")
        ],
        "skill_assessments",
    )
    _bulk(
        FeedSubscription,
        [
            FeedSubscription(user=user, feed=_feed(r.get("feed"), r.get("feed_title"), f"{p}.feed"), **f)
            for p, r, f in rows("feed_subscriptions")
        ],
        "feed_subscriptions",
    )
    _import_submissions(user, rows("submissions"))
    attempts = _import_problems(user, rows("problem_progress"), rows("problem_attempts"))
    _import_interview(user, rows, attempts)
    learner_state_bump(user_id=user.pk)
    return user


def _import_interview(user: User, rows: Any, attempts: list[ProblemAttempt]) -> None:
    """Own questions, their reviews and mock interviews; a mock's problem part finds the attempt it became by
    its place in `problem_attempts`."""
    own = [Question(owner=user, **f) for _p, _r, f in rows("own_questions")]
    for path, row in zip((p for p, _r, _f in rows("own_questions")), own, strict=True):
        if not row.directions:
            raise DataImportError(f"{path}.directions: name at least one career direction.")
    _bulk_keeping_times(Question, own, "own_questions", "created_at")
    curated: dict[str, Question] = {}

    def question_of(raw: Any, path: str) -> Question:
        ref = _object(raw, path)
        if "own_question" in ref:
            n = ref["own_question"]
            if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < len(own):
                raise DataImportError(f"{path}.own_question: no question {n!r} in own_questions.")
            return own[n]
        slug = ref.get("question")
        if not isinstance(slug, str):
            raise DataImportError(f"{path}: expected a question slug or an own_question number.")
        if slug not in curated:
            found = Question.objects.filter(owner__isnull=True, slug=slug).first()
            if found is None:
                raise DataImportError(f"{path}.question: no question {slug!r} on this server (`manage.py seed`).")
            curated[slug] = found
        return curated[slug]

    _bulk(
        QuestionCard,
        [QuestionCard(user=user, question=question_of(r, p), **f) for p, r, f in rows("question_cards")],
        "question_cards",
    )
    _bulk(
        QuestionReview,
        [QuestionReview(user=user, question=question_of(r, p), **f) for p, r, f in rows("question_reviews")],
        "question_reviews",
    )
    sessions, parts = [], []
    problems: dict[str, Problem] = {}
    for path, raw, fields in rows("mock_sessions"):
        session = MockSession(user=user, **fields)
        sessions.append(session)
        for j, raw_part in enumerate(_list(raw.get("parts", []), f"{path}.parts")):
            where = f"{path}.parts[{j}]"
            part = MockPart(**_read_fields(raw_part, "mock_parts", where))
            if raw_part.get("question") is not None:
                part.question = question_of(raw_part["question"], f"{where}.question")
            slug = raw_part.get("problem")
            if slug is not None:
                if slug not in problems:
                    found = Problem.objects.filter(slug=slug).first() if isinstance(slug, str) else None
                    if found is None:
                        raise DataImportError(
                            f"{where}.problem: no problem {slug!r} on this server (`manage.py seed`)."
                        )
                    problems[slug] = found
                part.problem = problems[slug]
            n = raw_part.get("attempt")
            if n is not None:
                if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < len(attempts):
                    raise DataImportError(f"{where}.attempt: no attempt {n!r} in problem_attempts.")
                part.attempt = attempts[n]
            parts.append((session, part))
    _bulk(MockSession, sessions, "mock_sessions")
    for session, part in parts:
        part.session = session
    _bulk(MockPart, [part for _s, part in parts], "mock_sessions[].parts")


def _version(
    exercise: Exercise, raw: object, known: dict[tuple[int, str], ExerciseVersion | None]
) -> ExerciseVersion | None:
    """The version of this server with the exported content hash, or None (another server's bundle)."""
    content_hash = raw.get("content_hash") if isinstance(raw, dict) else None
    if not isinstance(content_hash, str):
        return None
    key = (exercise.pk, content_hash)
    if key not in known:
        known[key] = ExerciseVersion.objects.filter(exercise=exercise, content_hash=content_hash).first()
    return known[key]


def _speed_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The ranked speed-up, derived from the timing (never read from the file), and the review: a speed-up
    measured elsewhere waits for a curator here before a leaderboard ranks it (the file is the learner's to
    edit); one rejected elsewhere stays rejected."""
    speedup = ranked_speedup(fields["timing"])
    if fields["timing"] is None:
        review = Submission.Review.NONE
    elif fields["review"] == Submission.Review.REJECTED:
        review = Submission.Review.REJECTED
    else:
        review = Submission.Review.PENDING if speedup is not None else Submission.Review.NONE
    return {"speedup": speedup, "review": review}


def _import_submissions(user: User, rows: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    exercises: dict[str, Exercise] = {}
    versions: dict[tuple[int, str], ExerciseVersion | None] = {}
    submissions, results = [], []
    for path, raw, fields in rows:
        slug = raw.get("exercise")
        if not isinstance(slug, str):
            raise DataImportError(f"{path}.exercise: expected an exercise slug.")
        if slug not in exercises:
            found = Exercise.objects.filter(slug=slug).first()
            if found is None:
                raise DataImportError(f"{path}.exercise: no exercise {slug!r} on this server (`manage.py seed`).")
            exercises[slug] = found
        submission = Submission(
            user=user,
            exercise=exercises[slug],
            version=_version(exercises[slug], raw.get("version"), versions),
            **{**fields, **_speed_fields(fields)},
        )
        submissions.append(submission)
        for j, raw_result in enumerate(_list(raw.get("results", []), f"{path}.results")):
            result = SubmissionCaseResult(**_read_fields(raw_result, "results", f"{path}.results[{j}]"))
            results.append((submission, result))
    _bulk_keeping_times(Submission, submissions, "submissions", "created_at")  # the history keeps its times
    for submission, result in results:
        result.submission = submission
    _bulk(SubmissionCaseResult, [result for _s, result in results], "submissions[].results")


def _import_problems(
    user: User,
    progress_rows: list[tuple[str, dict[str, Any], dict[str, Any]]],
    attempt_rows: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> list[ProblemAttempt]:
    """Problem notes, flags and re-solve schedules, and the attempts, by problem slug (curated: seeded)."""
    slugs = {raw.get("problem") for _p, raw, _f in [*progress_rows, *attempt_rows]}
    problems = Problem.objects.in_bulk([s for s in slugs if isinstance(s, str)], field_name="slug")

    def problem(raw: dict[str, Any], path: str) -> Problem:
        found = problems.get(raw.get("problem"))
        if found is None:
            raise DataImportError(
                f"{path}.problem: no problem {raw.get('problem')!r} on this server (`manage.py seed`)."
            )
        return found

    _bulk(
        ProblemProgress,
        [ProblemProgress(user=user, problem=problem(r, p), **f) for p, r, f in progress_rows],
        "problem_progress",
    )
    attempts = [ProblemAttempt(user=user, problem=problem(r, p), **f) for p, r, f in attempt_rows]
    _bulk_keeping_times(ProblemAttempt, attempts, "problem_attempts", "created_at")
    return attempts


def _skill(key: Any, path: str) -> Skill:
    skill = Skill.objects.filter(key=key).first() if isinstance(key, str) else None
    if skill is None:
        raise DataImportError(f"{path}: no skill {key!r} on this server (`manage.py seed`).")
    return skill


def _feed(url: Any, title: Any, path: str) -> Feed:
    """The feed at `url`: the one this server has (also under its curated address), or a new one that the
    dispatcher fetches on its next run."""
    if not isinstance(url, str) or not url:
        raise DataImportError(f"{path}: expected the feed's URL.")
    feed = Feed.objects.filter(Q(url=url) | Q(curated_url=url)).first()
    if feed is None:
        feed = Feed.objects.create(url=url, title=title if isinstance(title, str) else "", next_fetch_at=timezone.now())
    return feed


def _post(raw: Any, path: str) -> FeedPost | None:
    """The blog post an entry came from, when this server has it; the entry keeps its own title and URL."""
    if raw is None:
        return None
    ref = _object(raw, path)
    return FeedPost.objects.filter(feed__url=ref.get("feed"), guid_hash=ref.get("guid_hash")).first()


def _bulk(model: type[Model], objs: list[Any], section: str) -> None:
    try:
        with transaction.atomic():
            model.objects.bulk_create(objs)  # type: ignore[attr-defined]
    except IntegrityError as exc:
        raise DataImportError(f"{section}: rows contradict each other or a rule of the database ({exc}).") from exc


def _bulk_keeping_times(model: type[Model], objs: list[Any], section: str, field: str) -> None:
    """bulk_create stamps an auto_now_add field with the present time; the document's times are put back."""
    times = [getattr(obj, field) for obj in objs]
    _bulk(model, objs, section)
    for obj, value in zip(objs, times, strict=True):
        setattr(obj, field, value)
    model.objects.bulk_update(objs, [field])  # type: ignore[attr-defined]
