"""`make run` on a fresh copy: it migrates, seeds, starts the web server, a worker and beat, answers
on /, and Ctrl-C stops all of them. A second start reuses what the first made."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_of(url: str) -> int | None:
    request = urllib.request.Request(url, method="GET")  # noqa: S310 - a local test server
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def start(copy: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CI"}
    }
    # Reuse this test run's virtual environment instead of installing a second one.
    env.update(VENV=sys.prefix, PORT=str(port), MAKEFLAGS="")
    return subprocess.Popen(
        ["make", "run"],
        cwd=copy,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def exited_early(process: subprocess.Popen[bytes], log: Path) -> str | None:
    if process.poll() is None:
        return None
    return f"make run exited early:\n{log.read_text(errors='replace')[-3000:]}"


def wait_for_home(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 240) -> int:
    """The status of / once the web server answers (it may first migrate, seed and collect on a fresh copy)."""
    return wait_until(
        lambda: status_of(f"http://127.0.0.1:{port}/"),
        timeout=seconds,
        interval=0.5,
        what="make run to answer on /",
        give_up=lambda: exited_early(process, log),
    )


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def ctrl_c(process: subprocess.Popen[bytes]) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    wait_until(lambda: group_gone(process.pid), timeout=30, what="every process of make run's group to exit")


def test_make_run_starts_everything_answers_and_stops_on_ctrl_c(tmp_path: Path):
    if shutil.which("make") is None:
        pytest.skip("needs GNU make")
    copy = tmp_path / "brainqueue"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "var", "__pycache__", ".*_cache"))
    port = free_port()
    log = tmp_path / "first.log"
    process = start(copy, port, log)
    try:
        assert wait_for_home(port, process, log) == 302
        assert status_of(f"http://127.0.0.1:{port}/accounts/login/") == 200
        # The worker and beat start beside the web server; on a busy machine they can take a while.
        wait_until(
            lambda: all(sign in log.read_text(errors="replace") for sign in ("beat: Starting", "ready.")),
            timeout=180,
            interval=0.5,
            what="the worker and beat to start (their log lines)",
            give_up=lambda: exited_early(process, log),
        )
    finally:
        ctrl_c(process)
    output = log.read_text(errors="replace")
    assert "learner    demo" in output and "curator    curator" in output
    assert "beat: Starting" in output and "ready." in output
    assert (copy / "var" / "brainqueue.sqlite3").exists()

    log2 = tmp_path / "second.log"
    process = start(copy, port, log2)
    try:
        assert wait_for_home(port, process, log2) == 302
    finally:
        ctrl_c(process)
    second = log2.read_text(errors="replace")
    assert "already up to date" in second and "passwords are shown" not in second
