"""Loading the curated content: a first load into an empty database, then an idempotent re-run."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path


def main() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tracker.models import Item, Track

        call_command("migrate", verbosity=0)
        for label in ("first load", "second run (no changes)"):
            start = time.perf_counter()
            call_command("seed", "--no-demo", stdout=StringIO())
            elapsed = time.perf_counter() - start
            rows.append(
                {
                    "database": connection.vendor,
                    "run": label,
                    "tracks": Track.objects.count(),
                    "items": Item.objects.count(),
                    "seconds": f"{elapsed:.2f}",
                }
            )
    return rows
