"""Waiting in tests: on the thing itself, never for a fixed time.

`wait_until` polls a condition until it holds or a deadline passes, then fails saying what it waited for.
The deadlines are generous on purpose: CI runs on a loaded 2-core machine, and a deadline only costs time
when something is already wrong. This module imports nothing from Django, so the grader's tests use it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def wait_until[T](
    predicate: Callable[[], T],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
    give_up: Callable[[], str | None] | None = None,
    detail: Callable[[], object] | None = None,
) -> T:
    """Returns the first truthy value of `predicate()`, polled every `interval` seconds for `timeout` seconds.

    Fails with "timed out after N s waiting for <what>" when the deadline passes. `give_up`, when given, is
    asked after every miss: a message from it fails the test at once (say, the process that was to do the
    work has exited), so a test does not wait out its deadline for something that can no longer happen.
    `detail`, when given, is called on a timeout and its value added to the message (what was left, say).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if give_up is not None and (reason := give_up()):
            pytest.fail(f"gave up waiting for {what}: {reason}")
        if time.monotonic() >= deadline:
            seen = f": {detail()}" if detail is not None else ""
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}{seen}")
        time.sleep(interval)
