"""Gunicorn's hooks for the metrics of several web processes (docs/deploy.md, "Metrics").

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its metrics into files of its own in that
directory and /metrics adds them up. The directory belongs to this gunicorn alone: it is emptied when
gunicorn starts, so numbers of an earlier run do not come back. Without the variable nothing happens.

    gunicorn config.wsgi:application --config config/gunicorn_conf.py ...

Given as a file, not as `python:config.gunicorn_conf`: importing the `config` package would load Django's
settings (and start Sentry) in gunicorn's master process, before it forks its workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def on_starting(server: Any) -> None:
    directory = os.environ.get(MULTIPROC_DIR_ENV)
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get(MULTIPROC_DIR_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
