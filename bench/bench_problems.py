"""Server time and queries of the Problems page (and the problem and mastery pages) for a learner with 600
problems in 6 sets and 5,000 attempts (goal for the Problems page: at most 50 ms and 15 queries), measured
with Django's test client on SQLite (and PostgreSQL when BENCH_DATABASE_URL is set)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 50.0
GOAL_QUERIES = 15
RUNS = 30
PROBLEMS = 600
ATTEMPTS = 5000


def _measure() -> list[dict[str, object]]:
    """Runs in a child process whose DATABASE_URL is already set."""
    import datetime as dt
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from tracker.curation.interview import read_problem_catalogue
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
    from tracker.services.problems import problem_catalogue_upsert

    setup_test_environment()
    call_command("migrate", verbosity=0)
    User.objects.filter(username="bench-problems").delete()
    ProblemSetEntry.objects.all().delete()
    ProblemSet.objects.all().delete()
    ProblemAttempt.objects.all().delete()
    Problem.objects.all().delete()
    # The 18 primary patterns and the tags, as in fixtures/interview/ (the test sample has them all).
    sample = read_problem_catalogue(ROOT / "tests" / "interview_sample")
    if sample is None:
        raise RuntimeError("tests/interview_sample/ is missing")
    problem_catalogue_upsert(catalogue=sample)
    Problem.objects.all().delete()
    ProblemSet.objects.all().delete()
    primary = list(Pattern.objects.filter(is_primary=True).order_by("position"))
    tags = list(Pattern.objects.filter(is_primary=False))
    rng = random.Random(7)
    problems = Problem.objects.bulk_create(
        Problem(
            slug=f"bench-problem-{n}",
            number=str(n + 1),
            title=f"Bench Problem {n}",
            title_zh=f"基准题 {n}",
            difficulty=("easy", "medium", "hard")[n % 3],
            pattern=primary[n % len(primary)],
        )
        for n in range(PROBLEMS)
    )
    Problem.tags.through.objects.bulk_create(
        Problem.tags.through(problem_id=p.pk, pattern_id=tags[i % len(tags)].pk) for i, p in enumerate(problems)
    )
    sizes = (75, 150, 75, 100, 75, 169)
    for s, size in enumerate(sizes):
        problem_set = ProblemSet.objects.create(slug=f"bench-set-{s}", title=f"Set {s}", expected_size=size, position=s)
        chosen = rng.sample(problems, size)
        ProblemSetEntry.objects.bulk_create(
            ProblemSetEntry(problem_set=problem_set, problem=p, position=i + 1, section=f"Week {i // 10 + 1}")
            for i, p in enumerate(chosen)
        )
    user = User.objects.create_user(username="bench-problems", password="x")  # noqa: S106
    StudyProfile.objects.create(user=user, time_zone="Asia/Shanghai")
    now = timezone.now()
    attempted = problems[:450]
    outcomes = ("solved_alone", "solved_with_hints", "read_solution", "not_solved")
    ProblemAttempt.objects.bulk_create(
        ProblemAttempt(
            user=user,
            problem=attempted[i % len(attempted)],
            date=(now - dt.timedelta(days=i % 400)).date(),
            outcome=(outcome := outcomes[rng.randrange(4)]),
            minutes=rng.randrange(5, 90),
            hints=1 if outcome == "solved_with_hints" else 0,
            proposed_rating=3,
            rating=3,
        )
        for i in range(ATTEMPTS)
    )
    ProblemProgress.objects.bulk_create(
        ProblemProgress(
            user=user,
            problem=p,
            status="solved" if i % 3 else "attempted",
            attempts_count=ATTEMPTS // len(attempted),
            solved_alone_count=1 if i % 3 else 0,
            last_attempted_on=now.date(),
            due=now + dt.timedelta(days=(i % 30) - 5),
            state=2,
            revisit=i % 17 == 0,
        )
        for i, p in enumerate(attempted)
    )
    client = Client()
    client.force_login(user)
    pages = (
        ("Problems", "/interview/problems/"),
        ("Problems, a set, solved", "/interview/problems/?set=bench-set-1&status=solved"),
        ("Problems, due, page 2", "/interview/problems/?status=due&page=2"),
        ("A problem", "/interview/problems/bench-problem-3/"),
        ("Pattern mastery", "/interview/problems/mastery/"),
    )
    rows = []
    for name, url in pages:
        if client.get(url).status_code != 200:  # warm: templates compiled
            raise RuntimeError(f"GET {url} failed")
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        # A wrapper on the connection, not its query log: the log is cleared when a request reconnects.
        with connection.execute_wrapper(count):
            client.get(url)
        timings = []
        for _ in range(RUNS):
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
        best, median = min(timings), statistics.median(timings)
        goal = name.startswith("Problems")
        rows.append(
            {
                "database": connection.vendor,
                "page": name,
                "problems": PROBLEMS,
                "attempts": ProblemAttempt.objects.filter(user=user).count(),
                "queries": len(queries),
                "best ms": f"{best:.1f}",
                "median ms": f"{median:.1f}",
                "goal ≤ 50 ms, ≤ 15 queries": (
                    ("PASS" if median <= GOAL_MS and len(queries) <= GOAL_QUERIES else "MISS") if goal else "-"
                ),
            }
        )
    return rows


def _run_in_child(database_url: str) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    code = "import json, bench_problems as b; print(json.dumps(b._measure()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent, env=env, capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def main() -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _run_in_child(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    if os.environ.get("BENCH_DATABASE_URL"):
        rows += _run_in_child(os.environ["BENCH_DATABASE_URL"])
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from run import table  # type: ignore[import-not-found]

    print(table(main()))
