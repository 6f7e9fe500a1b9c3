"""Readiness for a learner with 5,000 problem attempts (goal: at most 20 ms for all four directions), and the
pure score alone, on SQLite (and PostgreSQL when BENCH_DATABASE_URL is set).

The learner has 1,500 problems attempted 5,000 times over 18 patterns, 300 concept questions reviewed, the
four career tracks with 200 items each (half done), 40 self-assessed skills, 10 exercises and 12 scored mock
interviews. `readiness_for_learner` is timed from its first query to the four scores with their actions.
"""

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
GOAL_MS = 20.0
RUNS = 30
ATTEMPTS = 5_000


def _measure() -> list[dict[str, object]]:
    """Runs in a child process whose DATABASE_URL is already set."""
    import datetime as dt
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tracker.models import (
        Exercise,
        Item,
        MockPart,
        MockSession,
        Pattern,
        Problem,
        ProblemAttempt,
        ProblemProgress,
        Progress,
        Question,
        QuestionCard,
        Skill,
        SkillAssessment,
        Track,
        User,
    )
    from tracker.readiness.score import readiness
    from tracker.selectors.readiness import readiness_for_learner, readiness_inputs

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    now = timezone.now()
    # Rows of an earlier run (on a kept PostgreSQL database) go first; everything here is prefixed bench-.
    User.objects.filter(username="bench-readiness").delete()
    Problem.objects.filter(slug__startswith="bench-").delete()
    Pattern.objects.filter(slug__startswith="bench-").delete()
    Question.objects.filter(slug__startswith="bench-").delete()
    Skill.objects.filter(key__startswith="bench-").delete()
    Exercise.objects.filter(slug__startswith="bench-").delete()
    Item.objects.filter(track__slug__startswith="career-", key__startswith="bench-").delete()
    user = User.objects.create_user(username="bench-readiness", password="x")  # noqa: S106
    patterns = Pattern.objects.bulk_create(
        Pattern(slug=f"bench-pattern-{i}", title=f"Pattern {i}", is_primary=True, position=i) for i in range(18)
    )
    problems = Problem.objects.bulk_create(
        Problem(
            slug=f"bench-problem-{i}",
            title=f"Problem {i}",
            difficulty=rng.choice(["easy", "medium", "hard"]),
            pattern=patterns[i % 18],
        )
        for i in range(1_500)
    )
    attempts = []
    alone: dict[int, int] = {}
    count: dict[int, int] = {}
    for i in range(ATTEMPTS):
        problem = problems[i % len(problems)]
        outcome = rng.choice(["solved_alone", "solved_with_hints", "read_solution", "not_solved"])
        attempts.append(
            ProblemAttempt(
                user=user,
                problem=problem,
                date=(now - dt.timedelta(days=rng.randint(0, 700))).date(),
                outcome=outcome,
                minutes=rng.randint(5, 60),
                proposed_rating=3,
                rating=3,
            )
        )
        count[problem.pk] = count.get(problem.pk, 0) + 1
        alone[problem.pk] = alone.get(problem.pk, 0) + (outcome == "solved_alone")
    ProblemAttempt.objects.bulk_create(attempts, batch_size=1000)
    ProblemProgress.objects.bulk_create(
        ProblemProgress(
            user=user,
            problem_id=pk,
            attempts_count=n,
            solved_alone_count=alone[pk],
            status="solved" if alone[pk] else "attempted",
            due=now + dt.timedelta(days=rng.randint(-5, 60)),
            state=2,
            stability=10.0,
            difficulty=5.0,
            last_review=now - dt.timedelta(days=3),
        )
        for pk, n in count.items()
    )
    directions = ["algorithms", "compression", "deployment-sdk", "operator-optimisation"]
    questions = Question.objects.bulk_create(
        Question(
            slug=f"bench-q-{i}",
            topic="cuda",
            difficulty="medium",
            question=f"Q{i}?",
            answer="- a",
            directions=",".join(sorted(rng.sample(directions, rng.randint(1, 3)), key=directions.index)),
        )
        for i in range(300)
    )
    QuestionCard.objects.bulk_create(
        QuestionCard(
            user=user,
            question=q,
            due=now + dt.timedelta(days=rng.randint(-3, 30)),
            state=2,
            stability=rng.uniform(1, 60),
            difficulty=5.0,
            last_review=now - dt.timedelta(days=rng.randint(0, 30)),
            reps=3,
        )
        for q in questions
    )
    skills = Skill.objects.bulk_create(
        Skill(key=f"bench-skill-{i}", tier=["T3", "T2", "T1", "T0"][i % 4], title=f"S{i}", title_en=f"S{i}")
        for i in range(40)
    )
    for d in directions:
        track = Track.objects.filter(slug=f"career-{d}", owner__isnull=True).first() or Track.objects.create(
            slug=f"career-{d}", kind="roadmap", title=d, title_en=d
        )
        items = Item.objects.bulk_create(
            Item(track=track, key=f"bench-i{i}", position=10_000 + i, kind="topic", title=f"T{i}", title_en=f"T{i}")
            for i in range(200)
        )
        Progress.objects.bulk_create(
            Progress(user=user, item=item, status="done", done_at=now, started_at=now) for item in items[:100]
        )
        for skill in skills[directions.index(d) * 10 : directions.index(d) * 10 + 10]:
            skill.tracks.add(track)
    SkillAssessment.objects.bulk_create(SkillAssessment(user=user, skill=s, level=rng.randint(0, 4)) for s in skills)
    Exercise.objects.bulk_create(
        Exercise(
            slug=f"bench-ex-{i}",
            title=f"E{i}",
            difficulty="easy",
            max_score=10.0,
            time_limit_s=1.0,
            memory_limit_mb=128,
        )
        for i in range(10)
    )
    for i in range(12):
        started = now - dt.timedelta(days=i + 1)
        session = MockSession.objects.create(
            user=user,
            format="concepts",
            level="medium",
            direction=directions[i % 4],
            status="scored",
            started_at=started,
            ends_at=started + dt.timedelta(minutes=20),
            ended_at=started + dt.timedelta(minutes=20),
            end_reason="time_up",
            scored_at=started + dt.timedelta(minutes=30),
        )
        MockPart.objects.bulk_create(
            MockPart(
                session=session,
                position=n + 1,
                kind="question",
                question=questions[n],
                communication=3,
                problem_solving=2,
                technical_competency=3,
                testing=rng.randint(1, 4),
            )
            for n in range(10)
        )

    def timed(call: object) -> tuple[float, float, float]:
        """Best and median wall time, and the median CPU time of this process (the database is SQLite in
        process, or the PostgreSQL server's share is left out): on a busy machine the CPU time says what
        the code costs, the wall time what a learner waited."""
        timings, cpu = [], []
        for _ in range(RUNS):
            began, began_cpu = time.perf_counter(), time.process_time()
            call()  # type: ignore[operator]
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        return min(timings), statistics.median(timings), statistics.median(cpu)

    readiness_for_learner(user=user, now=now)  # warm
    whole = timed(lambda: readiness_for_learner(user=user, now=now))
    inputs = readiness_inputs(user=user, now=now)
    pure = timed(lambda: [readiness(i) for i in inputs.values()])
    rows = []
    for name, (best, median, cpu), goal in (
        ("readiness_for_learner (4 directions, with its queries)", whole, GOAL_MS),
        ("the pure score alone (4 directions)", pure, None),
    ):
        rows.append(
            {
                "database": connection.vendor,
                "what": name,
                "attempts": ProblemAttempt.objects.filter(user=user).count(),
                "best ms": f"{best:.2f}",
                "median ms": f"{median:.2f}",
                "median CPU ms": f"{cpu:.2f}",
                "goal ≤ 20 ms": ("PASS" if median <= goal else "MISS") if goal else "",
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
    code = "import json, bench_readiness as b; print(json.dumps(b._measure()))"
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
