"""Grader tests need no database. Sandbox tests need bubblewrap: they skip without it, and fail under CI=true."""

from __future__ import annotations

import os
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
    """Live (not zombie) processes of any sandbox: the harness inside bwrap, or a bwrap we started."""
    found = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], fields[1]
        if state == "Z":
            continue
        if "/box/harness.py" in cmdline or "bq-grader-" in cmdline or (cmdline.startswith("bwrap") and ppid == me):
            found.append(f"{entry.name}: {cmdline[:120]}")
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
