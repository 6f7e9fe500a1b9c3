"""Grader tests need no database. Sandbox tests need bubblewrap: they skip without it, and fail under CI=true."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.bundles import Bundle, load_bundle
from grader.sandbox import SandboxConfig, sandbox_problem
from tests.waiting import wait_until

IN_CI = os.environ.get("CI") == "true"
TEST_BUNDLES = Path(__file__).resolve().parent / "bundles"


@pytest.fixture(scope="session")
def sandbox() -> SandboxConfig:
    config = SandboxConfig()
    problem = sandbox_problem(config)
    if problem:
        if IN_CI:
            pytest.fail(f"bubblewrap is required in CI: {problem}")
        pytest.skip(f"needs a working bubblewrap: {problem}")
    return config


@pytest.fixture(scope="session")
def double() -> Bundle:
    return load_bundle(TEST_BUNDLES / "double")


def sandbox_processes() -> list[str]:
    """Live (not zombie) processes of this test run's sandboxes: a bwrap started here (its parent is this
    process, or its command line names a work folder under this run's temporary folder) and every process
    below one. Other sandboxes on a shared machine (another checkout's tests) are not this run's."""
    me = str(os.getpid())
    ours = f"{tempfile.gettempdir()}/bq-grader-"
    table: dict[str, tuple[str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            table[entry.name] = (fields[1], cmdline)

    def started_here(pid: str) -> bool:
        seen = 0
        while pid in table and seen < 64:
            ppid, cmdline = table[pid]
            if cmdline.split(" ", 1)[0].endswith("bwrap") and (ppid == me or ours in cmdline):
                return True
            pid, seen = ppid, seen + 1
        return False

    found = []
    for pid, (_ppid, cmdline) in table.items():
        sandboxed = "/box/harness.py" in cmdline or cmdline.split(" ", 1)[0].endswith("bwrap")
        if sandboxed and started_here(pid):
            found.append(f"{pid}: {cmdline[:120]}")
    return found


def grader_temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("bq-grader-*")}


@pytest.fixture
def healthy_worker() -> Iterator[None]:
    """After the test: no sandbox process is left running and no temporary folder is left behind."""
    before = grader_temp_dirs()
    yield
    # The kernel kills what is left in the sandbox's pid namespace when its init exits; on a loaded machine
    # the last of a fork bomb's children take a moment to go, so wait for them before calling it a leak.
    wait_until(
        lambda: not sandbox_processes(),
        timeout=30,
        interval=0.2,
        what="every sandbox process to exit",
        detail=sandbox_processes,
    )
    assert grader_temp_dirs() - before == set()


@pytest.fixture(scope="session")
def gxx() -> str:
    """The C++ compiler the C++ tests need: they skip without it, and fail under CI=true (make test installs it)."""
    path = shutil.which("g++")
    if path is None:
        if IN_CI:
            pytest.fail("g++ is required in CI (make test-system-deps installs it)")
        pytest.skip("needs g++ (make test-system-deps installs it)")
    return path
