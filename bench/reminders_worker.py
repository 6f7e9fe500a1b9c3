"""The e-mail worker of bench_reminders.py: the project's Celery app (`celery -A reminders_worker worker` is
`celery -A config worker`), whose pool processes also count their database queries, each into a file of its
own under BENCH_QUERIES_DIR (written after every task), for the bench's queries per e-mail."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, worker_process_init

from config.celery_app import app

__all__ = ("app",)
_queries = 0


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    global _queries
    _queries += 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def _install(**kwargs: Any) -> None:
    from django.db import connections

    connections["default"].execute_wrappers.append(_count)


@task_postrun.connect
def _record(**kwargs: Any) -> None:
    Path(os.environ["BENCH_QUERIES_DIR"], str(os.getpid())).write_text(str(_queries))
