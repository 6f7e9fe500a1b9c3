"""A long-lived sandboxed process serving calls of one program (grader/harness_serve.py inside bubblewrap).

Generated cases and timed rounds send one request per call; the answer is the call's outputs and its inputs
as they were after it. The CPU time of each call is read by this (trusted) process from
`/proc/<pid>/task/*/schedstat` of the harness process, from just before the request is written to just after
the whole answer has arrived: nothing the sandboxed process says about time is used, and work it could move
out of the call (decoding, a patched harness computing early) is still inside the window.

Watched from outside, after every call: the harness has one thread and no child process, it used no CPU
between calls (a timer or signal handler working while the other program is being timed), and nothing but
its one answer came down the result channel. Looking for child processes means reading every process's
/proc entry (about 6 ms here, as long as a small timed call): where the harness reports that its seccomp
filter refusing clone/fork is in place (x86-64; installed before the submission's first line, so the report
precedes anything the submission could forge), a child process cannot exist and the look is made only when
the program starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import select
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.harness_serve import pack
from grader.outputs import Outputs
from grader.sandbox import (
    BOX,
    KERNEL_DENIED,
    Job,
    SandboxConfig,
    SandboxUnavailable,
    Status,
    _kill,
    _prepare_bwrap,
    _prepare_plain,
    seccomp_program,
)
from grader.sandbox import sandbox_problem as _sandbox_problem

SERVE_HARNESS = Path(__file__).resolve().parent / "harness_serve.py"
MAX_ANSWER_BYTES = 256 << 20
# CPU a waiting harness may use between two calls (returning from a read, the loop): far below any real work.
IDLE_CPU_LIMIT_MS = 5.0
# Gaps over that limit a program may have before it is refused. A waiting harness uses under 0.2 ms, but on a
# virtual machine a host's stall while it runs is counted as its CPU time (5.3 ms once in a whole CI run
# here); background work meant to slow the baseline would run in every gap, and work in two gaps moves the
# median of 40-160 rounds by nothing.
IDLE_OVERRUNS_ALLOWED = 2
REFUSED_MESSAGE = "timed runs are single-threaded: starting a thread or a process is refused"
_DTYPE_KINDS = "biufc"
CORRUPTED = "the harness's result channel was corrupted by the submission"


class ChannelError(Exception):
    """The result channel carried something the harness never sends: the submission wrote to it."""


@dataclass
class CallOutcome:
    status: Status
    cpu_ms: float = 0.0
    outputs: Outputs | None = None
    inputs_after: dict[str, np.ndarray] = field(default_factory=dict)
    error_type: str = ""
    message: str = ""
    rule: bool = False  # a rule of timed runs was broken (the message may be shown even for a hidden case)


def pack_inputs(inputs: dict[str, np.ndarray]) -> bytes:
    """The request body: the serving harness's raw array bundle (the harness's own `pack`)."""
    return pack(list(inputs.items()), {})


def unpack_answer(body: bytes) -> tuple[dict[str, np.ndarray], bool]:
    """Parses an untrusted answer: only numeric dtypes, sizes that add up exactly, no pickles."""
    try:
        (length,) = struct.unpack(">I", body[:4])
        header = json.loads(body[4 : 4 + length])
        layout = header["arrays"]
        is_tuple = bool(header.get("tuple"))
        offset = 4 + length
        arrays: dict[str, np.ndarray] = {}
        for name, dtype_str, shape in layout:
            dtype = np.dtype(str(dtype_str))
            if dtype.kind not in _DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
                raise ChannelError(f"an answer array has dtype {dtype}")
            dims = [int(d) for d in shape]
            if any(d < 0 for d in dims):
                raise ChannelError("negative dimension")
            count = int(np.prod(dims, dtype=np.int64))
            size = count * dtype.itemsize
            if offset + size > len(body):
                raise ChannelError("the answer is shorter than its header says")
            arrays[str(name)] = np.frombuffer(body, dtype=dtype, count=count, offset=offset).reshape(dims).copy()
            offset += size
        if offset != len(body):
            raise ChannelError("the answer is longer than its header says")
    except (ValueError, TypeError, KeyError, struct.error, json.JSONDecodeError) as exc:
        raise ChannelError(f"the answer is malformed ({exc})") from None
    return arrays, is_tuple


def _cpu_ns(pid: int) -> int:
    """On-CPU nanoseconds of every thread of `pid` (the first field of each task's schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    return total


def _process_table() -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    table[int(entry)] = int(fields[1])
    return table


def descendants(pid: int) -> list[int]:
    table = _process_table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in table.items() if pp == parent]
        found += children
        frontier += children
    return found


class ServeSession:
    """One program served in its own sandboxed process. `start()` imports it; `call()` runs it once."""

    def __init__(
        self,
        code: str,
        entry_point: str,
        *,
        config: SandboxConfig,
        sandboxed: bool,
        cpu_limit_s: float,
        memory_limit_mb: int,
        calls: int,
        preload: tuple[str, ...] = (),
        library: bytes = b"",
        kernel: dict[str, object] | None = None,
    ) -> None:
        """`code` is Python source; for a C++ kernel, `library` is the compiled .so and `kernel` its
        {"symbol", "args"} (grader/cpp_spec.py's `kernel_header`)."""
        self.code = code
        self.entry_point = entry_point
        self.config = config
        self.sandboxed = sandboxed
        self.cpu_limit_s = cpu_limit_s
        self.memory_limit_mb = memory_limit_mb
        self.calls = calls
        self.preload = preload
        self.library = library
        self.kernel = kernel
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = 0
        self.result_fd = -1
        self.workdir: Path | None = None
        self.cleanup: list[int] = []
        self.cgroup: object = None
        self.expected_processes = 0
        self.spawning_refused = False  # the harness's seccomp filter refuses new processes and threads
        self.last_cpu_ns = 0
        self.idle_overruns = 0  # gaps between calls in which the program used over IDLE_CPU_LIMIT_MS
        self.stderr_path: Path | None = None

    # -- process --------------------------------------------------------------------------------------

    def _read_frame(self, deadline: float) -> tuple[bytes, bytes]:
        head = self._read_exact(5, deadline)
        (length,) = struct.unpack(">I", head[1:])
        if length > MAX_ANSWER_BYTES:
            raise ChannelError("an answer over the size limit")
        return head[:1], self._read_exact(length, deadline)

    def _read_exact(self, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.result_fd], [], [], min(remaining, 0.5))
            if not ready:
                continue
            data = os.read(self.result_fd, min(n - got, 1 << 20))
            if not data:
                raise EOFError
            chunks.append(data)
            got += len(data)
        return b"".join(chunks)

    def _pending(self) -> bool:
        ready, _, _ = select.select([self.result_fd], [], [], 0)
        return bool(ready) and bool(os.read(self.result_fd, 1))

    def _write(self, body: bytes, deadline: float) -> bool:
        assert self.proc is not None and self.proc.stdin is not None  # noqa: S101
        stdin = self.proc.stdin
        done = threading.Event()

        def write() -> None:
            with contextlib.suppress(BrokenPipeError, OSError, ValueError):
                stdin.write(struct.pack(">Q", len(body)) + body)
                stdin.flush()
                done.set()

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(max(0.0, deadline - time.monotonic()))
        return done.is_set()

    def _stderr_tail(self) -> str:
        if self.stderr_path is None:
            return ""
        with contextlib.suppress(OSError):
            return self.stderr_path.read_bytes()[-1500:].decode("utf-8", "replace").strip()
        return ""

    def start(self) -> CallOutcome:
        """Starts the process and imports the program: Status.OK, or the failure (compile error, exception...)."""
        if self.sandboxed:
            problem = _sandbox_problem(self.config)
            if problem:
                raise SandboxUnavailable(problem)
        self.workdir = Path(tempfile.mkdtemp(prefix="bq-grader-"))
        result_r, result_w = os.pipe()
        self.result_fd = result_r
        job = Job(
            self.entry_point,
            self.code,
            (),
            self.cpu_limit_s,
            self.memory_limit_mb,
            0,
            library=self.library,
            kernel=self.kernel,
        )
        prepare = _prepare_bwrap if self.sandboxed else _prepare_plain
        prepared = prepare(self.config, job, self.calls, self.workdir, result_w, SERVE_HARNESS)
        self.cleanup = prepared.close_after
        self.cgroup = prepared.cgroup
        self.stderr_path = self.workdir / "stderr"
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(  # noqa: S603 - the argv is built by the sandbox module
                prepared.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                pass_fds=prepared.pass_fds,
                preexec_fn=prepared.preexec,
                start_new_session=True,
                cwd=prepared.cwd,
                env=prepared.env,
            )
        os.close(result_w)
        startup = time.monotonic() + self.config.startup_timeout_s
        try:
            kind, _ = self._read_frame(startup)
        except (TimeoutError, EOFError, ChannelError):
            return CallOutcome(Status.INTERNAL, message=f"the sandbox did not start: {self._stderr_tail()}")
        if kind != b"H":
            return CallOutcome(Status.INTERNAL, message="the harness did not say hello")
        tree = descendants(self.proc.pid)
        self.pid = next((p for p in tree if _is_harness(p)), self.proc.pid)
        self.expected_processes = len(tree)
        header: dict[str, object] = {
            "entry": self.entry_point,
            "import_cpu_limit_s": self.cpu_limit_s,
            "call_cpu_limit_s": self.cpu_limit_s,
            "preload": list(self.preload),
        }
        program = self.code.encode("utf-8", "surrogatepass")
        if self.kernel is not None:
            filter_program = seccomp_program(KERNEL_DENIED.values())
            header.update(kernel=self.kernel, seccomp=filter_program.hex() if filter_program else "")
            program = self.library
        deadline = time.monotonic() + self.config.wall_limit(self.cpu_limit_s) + self.config.startup_timeout_s
        if not self._write(json.dumps(header).encode(), deadline) or not self._write(program, deadline):
            return CallOutcome(Status.CRASHED, message="the program stopped before it was imported")
        try:
            kind, body = self._read_frame(deadline)
        except TimeoutError:
            return CallOutcome(Status.TIMEOUT, message="importing the program took too long")
        except (EOFError, ChannelError):
            return CallOutcome(Status.CRASHED, message=f"the process ended while importing ({self._death()})")
        if kind == b"C":
            report = json.loads(body)
            return CallOutcome(Status.COMPILE_ERROR, error_type=report["error_type"], message=report["traceback"])
        if kind == b"E":
            return self._failure(json.loads(body), prefix="importing the submission failed:\n")
        if kind != b"R":
            return CallOutcome(Status.CRASHED, message=CORRUPTED)
        watched = self._watch()
        with contextlib.suppress(ValueError, TypeError, KeyError):
            self.spawning_refused = platform.machine() == "x86_64" and json.loads(body)["single_thread_filter"] is True
        if watched:
            return watched
        self.last_cpu_ns = _cpu_ns(self.pid)
        return CallOutcome(Status.OK)

    def _death(self) -> str:
        if self.proc is None:
            return "not started"
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.returncode
        if code is None:
            return "it stopped answering"
        return f"exit status {code}"

    def _failure(self, report: dict[str, object], prefix: str = "") -> CallOutcome:
        if report.get("status") not in ("exception", "memory", "bad_output"):
            return CallOutcome(Status.CRASHED, message=CORRUPTED)
        status = Status.MEMORY if report.get("status") == "memory" else Status.EXCEPTION
        if report.get("status") == "bad_output":
            return CallOutcome(Status.BAD_OUTPUT, message=str(report.get("message", ""))[:2000])
        refused = bool(report.get("refused"))
        message = str(report.get("message") or "") if refused else ""
        message = message or prefix + str(report.get("traceback", ""))[:6000]
        return CallOutcome(status, error_type=str(report.get("error_type", ""))[:200], message=message, rule=refused)

    def _watch(self) -> CallOutcome | None:
        """What the harness process must look like between calls: one thread, no other process, quiet channel."""
        assert self.proc is not None  # noqa: S101
        try:
            threads = len(os.listdir(f"/proc/{self.pid}/task"))
        except OSError:
            return CallOutcome(Status.CRASHED, message="the process ended")
        spawned = not self.spawning_refused and len(descendants(self.proc.pid)) > self.expected_processes
        if threads > 1 or spawned:
            return CallOutcome(Status.EXCEPTION, error_type="RuntimeError", message=REFUSED_MESSAGE, rule=True)
        if self._pending():
            return CallOutcome(Status.CRASHED, message=CORRUPTED)
        return None

    def call(self, inputs: dict[str, np.ndarray]) -> CallOutcome:
        """Runs the program once on `inputs`; the CPU time is the harness process's, read from /proc."""
        problem = self._watch()
        if problem:
            return problem
        before = _cpu_ns(self.pid)
        idle_ms = (before - self.last_cpu_ns) / 1e6
        self.idle_overruns += idle_ms > IDLE_CPU_LIMIT_MS
        if self.idle_overruns > IDLE_OVERRUNS_ALLOWED:
            return CallOutcome(
                Status.EXCEPTION,
                error_type="RuntimeError",
                message=f"the program used {idle_ms:.1f} ms of CPU time between calls (over {IDLE_CPU_LIMIT_MS:g} ms "
                f"{self.idle_overruns} times), while it should have been waiting: timed runs allow no background "
                "work (timers, signal handlers, threads)",
                rule=True,
            )
        deadline = time.monotonic() + self.config.wall_limit(self.cpu_limit_s)
        if not self._write(pack_inputs(inputs), deadline):
            return CallOutcome(Status.TIMEOUT, message="the program did not take its inputs in time")
        try:
            kind, body = self._read_frame(deadline)
        except TimeoutError:
            return CallOutcome(Status.TIMEOUT, message=f"killed after {self.config.wall_limit(self.cpu_limit_s):.1f} s")
        except EOFError:
            return CallOutcome(Status.TIMEOUT if self._cpu_killed() else Status.CRASHED, message=self._death())
        except ChannelError as exc:
            return CallOutcome(Status.CRASHED, message=str(exc))
        after = _cpu_ns(self.pid)
        self.last_cpu_ns = after
        cpu_ms = (after - before) / 1e6
        if kind == b"E":
            outcome = self._failure(json.loads(body))
            outcome.cpu_ms = cpu_ms
            return outcome
        if kind != b"O":
            return CallOutcome(Status.CRASHED, message=CORRUPTED)
        try:
            arrays, is_tuple = unpack_answer(body)
        except ChannelError as exc:
            return CallOutcome(Status.CRASHED, message=str(exc))
        ordered = sorted(arrays.items(), key=lambda kv: _part_order(kv[0]))
        parts = tuple(a for name, a in ordered if name.startswith("out"))
        returned = {name[3:]: a for name, a in arrays.items() if name.startswith("in:")}
        problem = self._watch()
        if problem:
            return problem
        return CallOutcome(Status.OK, cpu_ms=cpu_ms, outputs=Outputs(parts, is_tuple), inputs_after=returned)

    def _cpu_killed(self) -> bool:
        self._death()
        return self.proc is not None and self.proc.returncode in (128 + 24, 128 + 27, -24, -27)

    def close(self) -> None:
        if self.proc is not None:
            _kill(self.proc)
        for fd in (self.result_fd, *self.cleanup):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.result_fd = -1
        remove = getattr(self.cgroup, "remove", None)
        if callable(remove):
            remove()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ServeSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _is_harness(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return not argv[0].endswith(b"bwrap") and f"{BOX}/harness.py".encode() in argv


def _part_order(name: str) -> int:
    return int(name[3:]) if name[3:].isdigit() else 1 << 30
