"""Importing a markdown plan into the database: seed 004, and seed 004 repeated 100 times (~90,000 lines).

Each input is imported for a fresh learner in one transaction (the "first import" rows), then imported
again for the same learner, which matches every row and writes none (the "re-import" row). Runs on a temporary
SQLite file unless BENCH_DATABASE_URL points elsewhere. `python bench/bench_plan_import.py` or `make bench`.
The 100-fold seed is 2.4 MB, over the 2 MB limit of an upload, so the bench lifts the limit for it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
REPEAT = 100
TODAY = dt.date(2021, 4, 15)
_TRACK_HEADING = re.compile(r"^#{1,2}[ \t]")


def repeated_seed(text: str, times: int) -> str:
    """The seed `times` times over, each copy's `#`/`##` headings suffixed with its number so every
    copy imports as tracks of its own (identical titles would update the first copy's tracks instead)."""
    if not text.endswith("\n"):
        text += "\n"
    lines = text.split("\n")
    copies = []
    for copy in range(1, times + 1):
        copies.append("\n".join(f"{line.rstrip()} ({copy})" if _TRACK_HEADING.match(line) else line for line in lines))
    return "".join(copies)


def main() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tracker.models import Item, StudyProfile, Track, User
        from tracker.plan_markdown import decode_plan_bytes
        from tracker.services.plan_import import plan_markdown_import

        call_command("migrate", verbosity=0)
        seed = decode_plan_bytes(SEED.read_bytes())
        runs = [("seed 004", seed, 1), (f"seed 004 x{REPEAT}", repeated_seed(seed, REPEAT), 2)]
        for label, text, passes in runs:
            data = text.encode("utf-8")
            user = User.objects.create_user(username=f"bench-{len(rows)}")
            StudyProfile.objects.create(user=user, time_zone="Asia/Shanghai")
            for attempt in range(passes):
                start = time.perf_counter()
                plan_markdown_import(user=user, data=data, today=TODAY, max_bytes=len(data))
                elapsed = time.perf_counter() - start
                rows.append(
                    {
                        "database": connection.vendor,
                        "input": label,
                        "run": "first import" if attempt == 0 else "re-import (no changes)",
                        "lines": text.count("\n"),
                        "tracks": Track.objects.filter(owner=user).count(),
                        "items": Item.objects.filter(track__owner=user).count(),
                        "seconds": f"{elapsed:.2f}",
                    }
                )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.run import table

    print(table(main()))
