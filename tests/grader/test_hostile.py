"""Hostile submissions, each with the verdict it must get, and the grader healthy after every one of them
(no sandbox process left, no temporary folder left; see the `healthy_worker` fixture)."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import socket
import threading
from pathlib import Path

import pytest

from grader.bundles import EXERCISES_DIR, Bundle
from grader.results import GradeResult, Verdict
from grader.run import MAX_CODE_BYTES, grade
from grader.sandbox import UNSANDBOXED_ENV, SandboxConfig, SandboxUnavailable
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("healthy_worker")

OK = "def double(x):\n    return x * 2\n"
REFERENCE = EXERCISES_DIR / "nms" / "reference.py"
HIDDEN_OUTPUT = Path(__file__).resolve().parent / "bundles" / "double" / "cases" / "02.out.npz"
HOLD_SECONDS = 60  # the most a submission holds on, waiting for the test; far more than it needs


def run(bundle: Bundle, sandbox: SandboxConfig, code: str, cases: str = "visible") -> GradeResult:
    return grade(bundle, code, cases=cases, sandbox=sandbox)  # type: ignore[arg-type]


def verdicts(result: GradeResult) -> list[Verdict]:
    return [c.verdict for c in result.cases]


HOSTILE: dict[str, tuple[str, set[Verdict]]] = {
    "infinite loop": ("def double(x):\n    while True:\n        pass\n", {Verdict.TLE}),
    "sleep forever": ("import time\ndef double(x):\n    time.sleep(10**6)\n", {Verdict.TLE}),
    "memory bomb": ("def double(x):\n    return bytearray(8 * 1024**3)\n", {Verdict.MLE}),
    "memory bomb, step by step": (
        "def double(x):\n    keep = []\n    while True:\n        keep.append(bytearray(16 * 1024**2))\n",
        {Verdict.MLE},
    ),
    "fork bomb": ("import os\ndef double(x):\n    while True:\n        os.fork()\n", {Verdict.RE, Verdict.TLE}),
    "thread bomb": (
        "import threading, time\ndef double(x):\n    while True:\n"
        "        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()\n",
        {Verdict.RE},
    ),
    "output flood": ("def double(x):\n    while True:\n        print('x' * 10000)\n", {Verdict.OLE}),
    "huge file": (
        "def double(x):\n    with open('big', 'wb') as f:\n        while True:\n            f.write(b'x' * 2**20)\n",
        {Verdict.OLE},
    ),
    "filling the tmpfs with many files": (
        "def double(x):\n    for i in range(10**6):\n        open(f'/tmp/f{i}', 'wb').write(b'x' * 2**20)\n",
        {Verdict.OLE},
    ),
    "reading /etc/shadow": ("def double(x):\n    return open('/etc/shadow').read()\n", {Verdict.RE}),
    "writing outside the work folder": (
        "def double(x):\n    open('/usr/lib/planted.py', 'w').write('x')\n",
        {Verdict.RE},
    ),
    "an object whose __eq__ is always true": (
        "class Eq:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def double(x):\n    return Eq()\n",
        {Verdict.WA},
    ),
    "exiting the process in the middle of a case": ("import os\ndef double(x):\n    os._exit(0)\n", {Verdict.RE}),
    "a segmentation fault": ("import ctypes\ndef double(x):\n    ctypes.string_at(0)\n", {Verdict.RE}),
    "a syntax error": ("def double(x)\n    return x\n", {Verdict.CE}),
    # Only a syntax error or a missing entry point is CE; what happens while the module runs is the code's.
    "an import error": ("import tensorflow\ndef double(x):\n    return x\n", {Verdict.RE}),
    "an exception at import": ("raise ValueError('boom')\ndef double(x):\n    return x\n", {Verdict.RE}),
    "a memory bomb at import": ("keep = bytearray(8 * 1024**3)\ndef double(x):\n    return x\n", {Verdict.MLE}),
    "a memory bomb at import, step by step": (
        "keep = []\nwhile True:\n    keep.append(bytearray(16 * 1024**2))\ndef double(x):\n    return x\n",
        {Verdict.MLE},
    ),
    "an endless loop at import": ("while True:\n    pass\ndef double(x):\n    return x\n", {Verdict.TLE}),
    "a null byte in the source": ("def double(x):\n    return x\0\n", {Verdict.CE}),
    "no entry point": ("def triple(x):\n    return 3 * x\n", {Verdict.CE}),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_submission_gets_its_verdict(name: str, double: Bundle, sandbox: SandboxConfig) -> None:
    code, expected = HOSTILE[name]
    result = run(double, sandbox, code)
    assert result.verdict in expected, (result.verdict, result.message, [c.message for c in result.cases])


def test_a_timeout_in_one_case_does_not_cost_the_next_case(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import numpy as np\ndef double(x):\n    if x.dtype == np.float64:\n        while True: pass\n"
        "    return x * 2\n"
    )
    result = run(double, sandbox, code, cases="all")
    assert verdicts(result) == [Verdict.TLE, Verdict.AC]


def test_a_daemon_that_outlives_the_case_is_killed_with_the_sandbox(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import os, time\ndef double(x):\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
        "            while True: time.sleep(0.01)\n        os._exit(0)\n    return x * 2\n"
    )
    assert run(double, sandbox, code, cases="all").verdict is Verdict.AC


def test_references_and_hidden_outputs_are_not_in_the_sandbox(double: Bundle, sandbox: SandboxConfig) -> None:
    code = f"""
import os, sys
def double(x):
    for path in ({str(REFERENCE)!r}, {str(HIDDEN_OUTPUT)!r}):
        if os.path.exists(path):
            raise RuntimeError('visible: ' + path)
    found = []
    python = (sys.prefix, sys.base_prefix)  # the interpreter's own files, read-only
    for root, dirs, files in os.walk('/'):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/sys', '/usr', '/dev', *python)]
        found += [os.path.join(root, f) for f in files
                  if f in ('reference.py', 'checker.py', 'MANIFEST.json', 'exercise.toml') or f.endswith('.out.npz')]
    if found:
        raise RuntimeError(repr(found))
    return x * 2
"""
    result = run(double, sandbox, code, cases="all")
    assert result.verdict is Verdict.AC, result.cases[0].message


def processes_named(comm: str) -> list[int]:
    """The pids of the live processes whose name (/proc/PID/comm) is `comm`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_another_submission_is_invisible(double: Bundle, sandbox: SandboxConfig) -> None:
    secret = "other-learners-answer-7f3a"
    # The writer leaves its answer where it can, renames itself so the test knows, and holds on (alive, its
    # files in place) until the test signals it, after the reader has looked everywhere.
    held = f"bq-held-{secrets.token_hex(3)}"
    writer = (
        f"import ctypes, signal\nSECRET = {secret!r}\ndef double(x):\n"
        "    open('/box/mine.txt', 'w').write(SECRET)\n    open('/tmp/mine.txt', 'w').write(SECRET)\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
        f"    ctypes.CDLL(None).prctl(15, {held.encode()!r}, 0, 0, 0)  # PR_SET_NAME\n"
        f"    if signal.sigtimedwait({{signal.SIGUSR1}}, {HOLD_SECONDS}) is None:\n"
        "        raise TimeoutError('nobody let go of the writer')\n"
        "    return x * 2\n"
    )
    reader = f"""
import os, sys
NEEDLE = {secret[:12]!r} + {secret[12:]!r}  # not spelled out: this file is in the sandbox too
def double(x):
    for root, dirs, files in os.walk('/'):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/sys', '/usr', '/dev')
                   and os.path.join(root, d) not in (sys.prefix, sys.base_prefix)]
        for name in files:
            try:
                if NEEDLE in open(os.path.join(root, name), errors='ignore').read(1 << 20):
                    raise RuntimeError('found it in ' + os.path.join(root, name))
            except OSError:
                pass
    return x * 2
"""
    # The writer's case may last as long as it is held; the sandbox's CPU limits stay as they are.
    holding = dataclasses.replace(sandbox, wall_extra_s=HOLD_SECONDS + 15)
    results: list[GradeResult] = []
    thread = threading.Thread(target=lambda: results.append(run(double, holding, writer)))
    thread.start()
    try:
        wait_until(
            lambda: processes_named(held),
            timeout=60,
            what="the other submission to write its answer",
            give_up=lambda: None if thread.is_alive() else f"it ended first: {results}",
        )
        assert run(double, sandbox, reader).verdict is Verdict.AC
    finally:
        for pid in processes_named(held):
            os.kill(pid, signal.SIGUSR1)
        thread.join()
    assert results[0].verdict is Verdict.AC, results[0].cases[0].message


def test_environment_secrets_do_not_reach_the_sandbox(
    double: Bundle, sandbox: SandboxConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "grader-test-secret-4b1d")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:grader-test-password@db/x")
    code = (
        "import os\ndef double(x):\n    seen = repr(dict(os.environ))\n"
        "    for p in ('/proc/self/environ', '/proc/1/environ'):\n"
        "        try:\n            seen += open(p, 'rb').read().decode(errors='replace')\n"
        "        except OSError as e:\n            seen += repr(e)\n    raise RuntimeError(seen)\n"
    )
    result = run(double, sandbox, code)
    assert result.verdict is Verdict.RE
    message = result.cases[0].message
    assert "OPENBLAS_NUM_THREADS" in message  # the message is the environment the sandbox sees
    assert "grader-test-secret" not in message and "grader-test-password" not in message


def test_network_connect_fails(double: Bundle, sandbox: SandboxConfig) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    code = (
        "import socket\ndef double(x):\n    errors = []\n"
        f"    for address in (('127.0.0.1', {port}), ('1.1.1.1', 53), ('10.0.0.1', 80)):\n"
        "        try:\n            socket.create_connection(address, timeout=1).close()\n"
        "            return 'connected to ' + str(address)\n"
        "        except OSError as e:\n            errors.append(type(e).__name__)\n"
        "    raise ConnectionError(errors)\n"
    )
    try:
        result = run(double, sandbox, code)
    finally:
        listener.close()
    assert result.verdict is Verdict.RE, result.cases[0].message
    assert "ConnectionError" in result.cases[0].message


def test_dns_fails(double: Bundle, sandbox: SandboxConfig) -> None:
    code = "import socket\ndef double(x):\n    return socket.gethostbyname('example.com')\n"
    result = run(double, sandbox, code)
    assert result.verdict is Verdict.RE and "gaierror" in result.cases[0].message


def test_killing_the_parent_changes_nothing(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import os, signal\ndef double(x):\n"
        f"    for pid in (os.getppid(), 1, {os.getpid()}, {os.getppid()}):\n"
        "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n"
        "    return x * 2\n"
    )
    assert run(double, sandbox, code, cases="all").verdict is Verdict.AC
    assert os.getpid() > 0  # still here


def test_ptrace_is_refused(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import ctypes, os\ndef double(x):\n    libc = ctypes.CDLL(None, use_errno=True)\n"
        f"    results = [libc.ptrace(16, pid, 0, 0) for pid in (1, os.getppid(), {os.getpid()})]\n"
        "    raise PermissionError(f'ptrace {results} errno {ctypes.get_errno()}')\n"
    )
    result = run(double, sandbox, code)
    assert result.verdict is Verdict.RE
    assert "ptrace [-1, -1, -1]" in result.cases[0].message


def test_raw_syscalls_through_ctypes_are_refused(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import ctypes\ndef double(x):\n    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    results = {\n        'setuid(0)': libc.syscall(105, 0),\n"
        "        'unshare(NEWUSER)': libc.syscall(272, 0x10000000),\n"
        "        'mount': libc.syscall(165, b'none', b'/box', b'tmpfs', 0, None),\n"
        "        'chroot': libc.syscall(161, b'/tmp'),\n        'bpf': libc.syscall(321, 0, None, 0),\n    }\n"
        "    if any(r == 0 for r in results.values()):\n        return 'escaped'\n"
        "    raise PermissionError(f'all refused: {results}')\n"
    )
    result = run(double, sandbox, code)
    assert result.verdict is Verdict.RE and "all refused" in result.cases[0].message


def test_a_planted_symlink_is_never_followed(double: Bundle, sandbox: SandboxConfig) -> None:
    code = (
        "import os\ndef double(x):\n    for name in ('out0.npy', 'result.npz', 'harness_out', '/tmp/out.npz'):\n"
        "        try:\n            os.symlink('/etc/shadow', name)\n        except OSError:\n            pass\n"
        "    return x * 2\n"
    )
    assert run(double, sandbox, code, cases="all").verdict is Verdict.AC


def test_a_pickle_payload_on_the_result_channel_is_never_unpickled(
    double: Bundle, sandbox: SandboxConfig, tmp_path: Path
) -> None:
    canary = tmp_path / "unpickled"
    code = f"""
import io, json, os, struct, sys
import numpy as np

class Evil:
    def __reduce__(self):
        return (os.system, ("touch {canary}",))

def double(x):
    buffer = io.BytesIO()
    np.savez(buffer, out0=np.array([Evil()], dtype=object), n_out=np.array(-1), allow_pickle=True)
    fd = int(sys.argv[1])
    report = json.dumps({{"case": 0, "status": "ok", "cpu_ms": 0, "peak_kb": 0}}).encode()
    for kind, body in ((b"E", report), (b"O", buffer.getvalue())):
        os.write(fd, kind + struct.pack(">I", len(body)) + body)
    os._exit(0)
"""
    result = run(double, sandbox, code)
    assert result.verdict is Verdict.WA
    assert "plain data" in result.cases[0].message
    assert not canary.exists()


def test_hidden_cases_show_only_their_verdict(double: Bundle, sandbox: SandboxConfig) -> None:
    code = "def double(x):\n    raise ValueError('the input was ' + repr(x.tolist()))\n"
    result = run(double, sandbox, code, cases="all")
    visible, hidden = result.cases
    assert visible.verdict is hidden.verdict is Verdict.RE
    assert "the input was" in visible.message
    assert hidden.message == "" and hidden.diff == ""
    assert "the input was" not in str(result.to_dict()["cases"][1])


def test_a_submission_over_64_kb_is_refused_with_the_limit(double: Bundle, sandbox: SandboxConfig) -> None:
    result = run(double, sandbox, OK + "#" * MAX_CODE_BYTES)
    assert result.verdict is Verdict.CE and "the limit is 64 KB" in result.message and result.cases == ()


def test_without_bubblewrap_the_grader_refuses_and_says_how_to_install(double: Bundle) -> None:
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        grade(double, OK, sandbox=SandboxConfig(bwrap="/nonexistent/bwrap"))


def test_unsandboxed_mode_needs_both_switches_and_warns_loudly(double: Bundle, monkeypatch: pytest.MonkeyPatch) -> None:
    config = SandboxConfig(unsandboxed=True)
    monkeypatch.delenv(UNSANDBOXED_ENV, raising=False)
    with pytest.raises(SandboxUnavailable, match=UNSANDBOXED_ENV):
        grade(double, OK, sandbox=config)
    monkeypatch.setenv(UNSANDBOXED_ENV, "1")
    with pytest.warns(RuntimeWarning, match="UNSANDBOXED"):
        result = grade(double, OK, sandbox=config)
    assert result.verdict is Verdict.AC and not result.sandboxed and result.warnings


def test_the_grader_still_grades_after_all_of_that(double: Bundle, sandbox: SandboxConfig) -> None:
    result = run(double, sandbox, OK, cases="all")
    assert result.verdict is Verdict.AC and result.score == 2
    assert all(c.time_ms is not None and c.peak_memory_kb for c in result.cases)
