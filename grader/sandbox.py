"""Running submission code: in bubblewrap for untrusted code, in a plain subprocess for trusted references.

The sandbox (`bwrap_argv` shows the exact command line):

* `--unshare-all --unshare-user --disable-userns --cap-drop ALL --die-with-parent --new-session --clearenv`:
  no network, no view of other processes, no capabilities, no new namespaces, killed with the grader.
* Read-only `/usr` (and the `/bin`, `/lib` links), the interpreter's prefix and the virtualenv, each at its own
  path; nothing else of the host: no `/etc`, no `/home`, no repository (the harness is copied in alone).
* A fresh, size-limited tmpfs `/box` (the work folder: harness and submission) and `/tmp`, as uid 65534.
* A seccomp filter (x86-64) answering EPERM to ptrace, mount, unshare, bpf, keyctl, io_uring and friends.
* Limits (set before exec, so the submission cannot raise them): CPU seconds (`RLIMIT_CPU`, per case through
  the harness's soft limit, the total as the hard limit), a wall-clock kill per case, memory (cgroup v2
  `memory.max` when `BRAINQUEUE_GRADER_CGROUP` names a delegated cgroup, else `RLIMIT_AS` at the memory limit
  plus a headroom for numpy), processes (`RLIMIT_NPROC` for a uid used by no one else, when the grader runs as
  root), file size (`RLIMIT_FSIZE`), open files; printed output and results are read with byte caps.
* BLAS/OpenMP thread counts are 1.
* A C++ kernel job (`Job.kernel`) sends the compiled library instead of source, and its harness adds a second
  seccomp filter (`KERNEL_DENIED`: clone, fork, vfork, execve, execveat, clone3) before loading it.

`run_command` runs one program (the C++ compiler) in a sandbox of its own: no /proc, no /dev, no interpreter,
a writable work folder whose named files come back, the same seccomp filter and its own CPU, memory, file
size and process limits.

When the grader runs as root, bubblewrap itself runs as a fresh unprivileged uid, so even outside the user
namespace the sandbox is not root; paths that uid cannot read (an interpreter under /root, say) are first
bind-mounted by root into a private mount namespace at a path it can reach.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import math
import os
import platform
import resource
import secrets
import selectors
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from grader.cuda import cuda_settings
from grader.results import Verdict
from grader.toolchains import THREAD_ENV

logger = logging.getLogger(__name__)

HARNESS = Path(__file__).resolve().parent / "harness.py"
HARNESS_CPP = HARNESS.with_name("harness_cpp.py")  # loads a compiled C++ kernel; next to harness.py in the box
SANDBOX_UID = 65534
BOX = "/box"
UNSANDBOXED_ENV = "BRAINQUEUE_GRADER_ALLOW_UNSANDBOXED"
CGROUP_ENV = "BRAINQUEUE_GRADER_CGROUP"
INSTALL_HINT = (
    "bubblewrap (bwrap) is not installed, so the grader refuses to run untrusted code. "
    "Install it with `sudo apt-get install bubblewrap` (or `make system-deps`). For local development only, "
    f"{UNSANDBOXED_ENV}=1 together with SandboxConfig(unsandboxed=True) runs code without a sandbox."
)
SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": BOX,
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONIOENCODING": "utf-8",
    **THREAD_ENV,
}


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or does not work here; the message says how to fix it."""


class Status(StrEnum):
    OK = "ok"
    EXCEPTION = "exception"
    MEMORY = "memory"
    OUTPUT = "output"
    BAD_OUTPUT = "bad_output"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    COMPILE_ERROR = "compile_error"
    INTERNAL = "internal"


# The verdict of a run that did not end OK: one table for plain cases, lab stages and generated cases.
FAILED_RUN_VERDICT: dict[Status, Verdict] = {
    Status.EXCEPTION: Verdict.RE,
    Status.CRASHED: Verdict.RE,
    Status.MEMORY: Verdict.MLE,
    Status.OUTPUT: Verdict.OLE,
    Status.BAD_OUTPUT: Verdict.WA,
    Status.TIMEOUT: Verdict.TLE,
    Status.COMPILE_ERROR: Verdict.CE,
    Status.INTERNAL: Verdict.IE,
}


@dataclass(frozen=True)
class SandboxConfig:
    """How to run code. The defaults are the production sandbox; every limit has a safe default.

    `unsandboxed=True` runs without bubblewrap for local development, and only when the environment also has
    BRAINQUEUE_GRADER_ALLOW_UNSANDBOXED=1; the result then says so and a warning is logged.
    """

    unsandboxed: bool = False
    bwrap: str | None = None
    python: str = sys.executable
    wall_factor: float = 2.0
    wall_extra_s: float = 1.0
    startup_timeout_s: float = 30.0
    address_space_headroom_mb: int = 256
    max_processes: int = 64
    max_file_size_mb: int = 16
    tmpfs_mb: int = 64
    max_open_files: int = 256
    cgroup_parent: str | None = field(default_factory=lambda: os.environ.get(CGROUP_ENV) or None)
    seccomp: bool = True
    # A GPU worker: CUDA bundles run on its GPU (the /dev/nvidia* files bound in) instead of the simulator.
    gpu: bool = False

    def bwrap_path(self) -> str | None:
        if self.bwrap:
            return self.bwrap if os.access(self.bwrap, os.X_OK) else None
        return shutil.which("bwrap")

    def wall_limit(self, cpu_limit_s: float) -> float:
        return cpu_limit_s * self.wall_factor + self.wall_extra_s


@dataclass(frozen=True)
class CaseInput:
    index: int
    npz: bytes
    json: bytes
    files: bytes = b""  # an .npz of uint8 arrays by file name: the case's own files (`artifact_dir`)


@dataclass(frozen=True)
class Job:
    entry_point: str
    code: str
    cases: tuple[CaseInput, ...]
    cpu_limit_s: float
    memory_limit_mb: int
    output_limit_bytes: int
    process_per_case: bool = False
    files: tuple[tuple[str, bytes], ...] = ()  # shared read-only files (`files/`), the same for every case
    preload: tuple[str, ...] = ()  # modules imported (and thread-pinned) before the submission
    want_output: bool = True  # False: the entry point's return value is ignored (it writes out/ instead)
    collect_out: bool = False  # send back the plain files each case leaves under out/
    artifact_limit_bytes: int = 0
    env: tuple[tuple[str, str], ...] = ()  # more environment for the sandbox (a CUDA bundle's numba settings)
    devices: tuple[str, ...] = ()  # device files bound into the sandbox (a GPU's /dev/nvidia*)
    max_processes: int | None = None  # processes and threads, when the job needs more than the config's
    cuda: bool = False  # the harness prepares numba's CUDA target and reports the device (grader/cuda.py)
    # A C++ kernel: the compiled library travels in place of the source, `kernel` is {"symbol", "args"}.
    library: bytes = b""
    kernel: dict[str, object] | None = None

    @property
    def startup_step(self) -> str:
        """What case -1 is, as messages name it."""
        return "loading the compiled kernel" if self.kernel is not None else "importing the submission"

    @property
    def echoes_inputs(self) -> bool:
        """A C++ kernel or a CUDA launch function: the harness sends its inputs back after each case (`I`)."""
        return self.kernel is not None or self.cuda

    @property
    def frame_limit(self) -> int:
        # A kernel also sends its inputs back after each call (`I`): as large as the biggest case's inputs.
        echo = max((len(c.npz) for c in self.cases), default=0) if self.echoes_inputs else 0
        return max(self.output_limit_bytes, self.artifact_limit_bytes * 2, echo) + (1 << 16)


@dataclass
class RawResult:
    index: int
    status: Status
    cpu_ms: float | None = None
    wall_ms: float | None = None
    peak_kb: int | None = None
    payload: bytes | None = None
    files: bytes | None = None
    inputs_after: bytes | None = None  # a kernel's input arrays after the call (`.npz`), checked unchanged
    error_type: str = ""
    message: str = ""
    device: dict[str, str] | None = None  # where a CUDA job ran, as its harness found it before the submission
    launches: int | None = None  # a CUDA case's kernel launches (None for other jobs)


# ---------------------------------------------------------------------------------------------------------
# Environment checks


_probe_cache: dict[str, str | None] = {}


def sandbox_problem(config: SandboxConfig) -> str | None:
    """None when bubblewrap works here; otherwise what is wrong and how to fix it (cached per binary)."""
    bwrap = config.bwrap_path()
    if bwrap is None:
        return INSTALL_HINT
    if bwrap not in _probe_cache:
        argv = [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/usr", "/usr", *_usr_links(), "true"]
        try:
            probe = subprocess.run(argv, capture_output=True, timeout=30, check=False)  # noqa: S603
            problem = None
            if probe.returncode != 0:
                problem = (
                    f"bubblewrap is installed but cannot create a sandbox here ({probe.stderr.decode()[-300:]!r}); "
                    "it needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)."
                )
        except (OSError, subprocess.TimeoutExpired) as exc:
            problem = f"bubblewrap could not be started: {exc}"
        _probe_cache[bwrap] = problem
    return _probe_cache[bwrap]


def _usr_links() -> list[str]:
    """/bin, /lib, /lib64, /sbin: links into /usr on merged-usr systems, read-only binds elsewhere."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _reachable_by_others(path: Path) -> bool:
    """Whether a uid with no groups can read `path` (each parent searchable, the path itself readable)."""
    try:
        for parent in [*reversed(path.parents)]:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        mode = path.stat().st_mode
    except OSError:
        return False
    needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & needed == needed


def _python_roots(python: str) -> list[Path]:
    """The folders the interpreter needs, read-only: the venv (if any) and the base installation."""
    exe = Path(python)
    roots = {exe.parent.parent.absolute(), Path(os.path.realpath(exe)).parent.parent}
    probe = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [python, "-I", "-c", "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix]))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    roots.update(Path(p) for p in json.loads(probe.stdout))
    usr = Path("/usr")
    chosen = sorted(r for r in roots if r != usr and usr not in r.parents)
    # Nested roots are covered by their parent.
    return [r for r in chosen if not any(o != r and o in r.parents for o in chosen)]


_roots_cache: dict[str, list[Path]] = {}


def python_roots(python: str) -> list[Path]:
    if python not in _roots_cache:
        _roots_cache[python] = _python_roots(python)
    return _roots_cache[python]


# ---------------------------------------------------------------------------------------------------------
# seccomp: a deny list compiled to classic BPF by hand (no libseccomp binding needed)

_X86_64_DENIED = {
    "ptrace": 101, "syslog": 103, "vhangup": 153, "pivot_root": 155, "chroot": 161, "acct": 163, "mount": 165,
    "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "init_module": 175, "delete_module": 176, "quotactl": 179, "lookup_dcookie": 212,
    "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "kexec_file_load": 320, "bpf": 321,
    "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442,
}  # fmt: skip
# Also refused to a C++ kernel (the harness adds a second filter before loading the library): new processes,
# threads and programs. Python itself needs none of them once it runs.
KERNEL_DENIED = {"clone": 56, "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "clone3": 435}


def seccomp_program(extra: Iterable[int] = ()) -> bytes | None:
    """A BPF program for x86-64 (None elsewhere: the namespaces and limits still apply); `extra` are more
    system call numbers answered with EPERM."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return None
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm = 0x00050000 | errno.EPERM

    def insn(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("<HBBI", code, jt, jf, k)

    program = [
        insn(ld_abs, 0, 0, 4),  # seccomp_data.arch
        insn(jeq, 1, 0, 0xC000003E),  # AUDIT_ARCH_X86_64
        insn(ret, 0, 0, kill),
        insn(ld_abs, 0, 0, 0),  # seccomp_data.nr
        insn(jge, 0, 1, 0x40000000),  # the x32 ABI
        insn(ret, 0, 0, eperm),
    ]
    for number in sorted({*_X86_64_DENIED.values(), *extra}):
        program += [insn(jeq, 0, 1, number), insn(ret, 0, 0, eperm)]
    program.append(insn(ret, 0, 0, allow))
    return b"".join(program)


# ---------------------------------------------------------------------------------------------------------
# cgroup v2 (optional)

_libc = ctypes.CDLL(None, use_errno=True)
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000


class Cgroup:
    """A child cgroup of a delegated cgroup v2 folder: memory.max, no swap, pids.max; removed after the run."""

    def __init__(self, parent: str, memory_bytes: int, max_pids: int) -> None:
        self.path = Path(parent) / f"grader-{os.getpid()}-{secrets.token_hex(4)}"
        self.path.mkdir()
        (self.path / "memory.max").write_text(str(memory_bytes))
        with contextlib.suppress(OSError):
            (self.path / "memory.swap.max").write_text("0")
        with contextlib.suppress(OSError):
            (self.path / "pids.max").write_text(str(max_pids))
        self.procs = str(self.path / "cgroup.procs")

    @staticmethod
    def usable(parent: str | None) -> bool:
        if not parent:
            return False
        controllers = Path(parent) / "cgroup.subtree_control"
        try:
            return "memory" in controllers.read_text().split() and os.access(parent, os.W_OK)
        except OSError:
            return False

    def oom_kills(self) -> int:
        try:
            for line in (self.path / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)
        logger.warning("could not remove cgroup %s", self.path)


# ---------------------------------------------------------------------------------------------------------
# Building the command line


@dataclass
class _Prepared:
    argv: list[str]
    preexec: Callable[[], None]
    pass_fds: tuple[int, ...]
    cwd: str
    env: dict[str, str]
    cgroup: Cgroup | None = None
    close_after: list[int] = field(default_factory=list)


def bwrap_argv(
    config: SandboxConfig,
    *,
    harness: str,
    result_fd: int,
    binds: Iterable[tuple[str, str]],
    seccomp_fd: int | None,
    env: Iterable[tuple[str, str]] = (),
    devices: Iterable[str] = (),
    kernel: bool = False,
) -> list[str]:
    """The bubblewrap command line (`binds` are (host path, sandbox path) pairs, bound read-only; `kernel`
    also binds harness_cpp.py, which must sit next to `harness`, for a C++ kernel job)."""
    bwrap = config.bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(INSTALL_HINT)
    size = str(config.tmpfs_mb << 20)
    argv = [
        bwrap,
        "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
        "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr", *_usr_links(),
        "--proc", "/proc", "--dev", "/dev",
        # /tmp comes before the interpreter's binds: a checkout (and its venv) may live under the host's
        # /tmp, and a tmpfs mounted after the bind would hide it.
        "--size", size, "--tmpfs", "/tmp",  # noqa: S108 - the sandbox's own tmpfs
    ]  # fmt: skip
    for host, inside in binds:
        argv += ["--ro-bind", host, inside]
    for device in devices:
        argv += ["--dev-bind", device, device]
    argv += [
        "--size", size, "--tmpfs", BOX,
        "--ro-bind", harness, f"{BOX}/harness.py",
        "--chdir", BOX, "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
    ]  # fmt: skip
    if kernel:
        argv += ["--ro-bind", str(Path(harness).with_name(HARNESS_CPP.name)), f"{BOX}/{HARNESS_CPP.name}"]
    for name, value in {**SANDBOX_ENV, **dict(env)}.items():
        argv += ["--setenv", name, value]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    argv += ["--", config.python, "-I", "-B", f"{BOX}/harness.py", str(result_fd)]
    return argv


def _limits(config: SandboxConfig, job: Job, cases: int, *, memory_rlimit: bool) -> list[tuple[int, int, int]]:
    cpu_total = int(job.cpu_limit_s * (cases + 1)) + 5
    limits = [
        (resource.RLIMIT_CPU, cpu_total, cpu_total),
        (resource.RLIMIT_FSIZE, config.max_file_size_mb << 20, config.max_file_size_mb << 20),
        (resource.RLIMIT_NOFILE, config.max_open_files, config.max_open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if memory_rlimit:
        address_space = (job.memory_limit_mb + config.address_space_headroom_mb) << 20
        limits.append((resource.RLIMIT_AS, address_space, address_space))
    return limits


def _prepare_bwrap(
    config: SandboxConfig, job: Job, cases: int, workdir: Path, result_fd: int, source: Path = HARNESS
) -> _Prepared:
    """`source` is the harness program to run (harness.py, or the serving harness of timed runs)."""
    harness = workdir / "harness.py"
    shutil.copyfile(source, harness)
    harness.chmod(0o644)
    if job.kernel is not None:
        shutil.copyfile(HARNESS_CPP, workdir / HARNESS_CPP.name)
        (workdir / HARNESS_CPP.name).chmod(0o644)
    workdir.chmod(0o755)
    running_as_root = os.geteuid() == 0
    binds: list[tuple[str, str]] = []
    staged: list[tuple[str, str]] = []
    for number, root in enumerate(python_roots(config.python)):
        if running_as_root and not _reachable_by_others(root):
            stage = workdir / f"root{number}"
            stage.mkdir(mode=0o755)
            staged.append((str(root), str(stage)))
            binds.append((str(stage), str(root)))
        else:
            binds.append((str(root), str(root)))

    pass_fds = [result_fd]
    close_after: list[int] = []
    seccomp_fd = None
    program = seccomp_program() if config.seccomp else None
    if program is not None:
        seccomp_fd = os.memfd_create("grader-seccomp", 0)
        os.write(seccomp_fd, program)
        os.lseek(seccomp_fd, 0, os.SEEK_SET)
        pass_fds.append(seccomp_fd)
        close_after.append(seccomp_fd)

    max_processes = job.max_processes or config.max_processes
    cgroup = None
    if Cgroup.usable(config.cgroup_parent):
        assert config.cgroup_parent is not None  # noqa: S101 - narrowed by usable()
        cgroup = Cgroup(config.cgroup_parent, job.memory_limit_mb << 20, max_processes)
    limits = _limits(config, job, cases, memory_rlimit=cgroup is None)
    uid = 100_000 + secrets.randbelow(800_000) if running_as_root else None
    if uid is not None:
        os.chown(harness, uid, uid)
    procs = cgroup.procs if cgroup else None

    def preexec() -> None:  # runs in the child, between fork and exec
        if procs:
            with open(procs, "w") as handle:
                handle.write("0")
        if staged:
            os.unshare(os.CLONE_NEWNS)
            if _libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
                raise OSError(ctypes.get_errno(), "making / private failed")
            for source, target in staged:
                if _libc.mount(source.encode(), target.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                    raise OSError(ctypes.get_errno(), f"staging {source} failed")
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # A uid of its own: the process limit counts only this sandbox (root is exempt from it).
            resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
        for which, soft, hard in limits:
            resource.setrlimit(which, (soft, hard))

    argv = bwrap_argv(
        config,
        harness=str(harness),
        result_fd=result_fd,
        binds=binds,
        seccomp_fd=seccomp_fd,
        env=job.env,
        devices=job.devices,
        kernel=job.kernel is not None,
    )
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return _Prepared(argv, preexec, tuple(pass_fds), str(workdir), env, cgroup, close_after)


def _prepare_plain(
    config: SandboxConfig, job: Job, cases: int, workdir: Path, result_fd: int, source: Path = HARNESS
) -> _Prepared:
    box = workdir / "box"
    box.mkdir()
    harness = box / "harness.py"
    shutil.copyfile(source, harness)
    if job.kernel is not None:
        shutil.copyfile(HARNESS_CPP, box / HARNESS_CPP.name)
    limits = _limits(config, job, cases, memory_rlimit=True)

    def preexec() -> None:
        for which, soft, hard in limits:
            resource.setrlimit(which, (soft, hard))

    argv = [config.python, "-I", "-B", str(harness), str(result_fd)]
    env = {**SANDBOX_ENV, **dict(job.env), "HOME": str(box)}
    return _Prepared(argv, preexec, (result_fd,), str(box), env)


# ---------------------------------------------------------------------------------------------------------
# Running one process over some cases


def _frame(body: bytes) -> bytes:
    return struct.pack(">Q", len(body)) + body


def _stdin_payload(job: Job, cases: list[CaseInput]) -> bytes:
    header = {
        "entry": job.entry_point,
        "import_cpu_limit_s": job.cpu_limit_s,
        "cases": [{"index": c.index, "cpu_limit_s": job.cpu_limit_s} for c in cases],
        "files": [name for name, _ in job.files],
        "preload": list(job.preload),
        "want_output": job.want_output,
        "collect_out": job.collect_out,
        "artifact_limit": job.artifact_limit_bytes,
        "cuda": cuda_settings() if job.cuda else None,
    }
    code = job.code.encode("utf-8", "surrogatepass")
    if job.kernel is not None:
        header["kernel"] = job.kernel
        program = seccomp_program(KERNEL_DENIED.values())
        header["seccomp"] = program.hex() if program else ""
        code = job.library
    chunks = [_frame(json.dumps(header).encode()), _frame(code)]
    chunks += [_frame(data) for _, data in job.files]
    for case in cases:
        chunks += [_frame(case.npz), _frame(case.json), _frame(case.files)]
    return b"".join(chunks)


def _device_report(body: bytes) -> dict[str, str]:
    report = json.loads(body)
    return {"kind": str(report["kind"])[:40], "name": str(report["name"])[:200]}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _Run:
    """The event loop of one process: frames from the result pipe, capped stdout/stderr, deadlines."""

    def __init__(self, job: Job, cases: list[CaseInput], config: SandboxConfig, sandboxed: bool) -> None:
        self.job = job
        self.cases = cases
        self.config = config
        self.sandboxed = sandboxed
        self.results: dict[int, RawResult] = {}
        self.current: int | None = None
        self.started = 0.0
        self.pending: RawResult | None = None
        self.pending_files: RawResult | None = None
        self.pending_inputs: RawResult | None = None
        self.import_failure: RawResult | None = None
        self.kill_reason: Status | None = None
        self.compile_error: RawResult | None = None
        self.done = False
        self.saw_start = False
        self.printed = 0
        self.result_bytes = 0
        self.stderr_tail = b""
        self.buffer = b""
        self.returncode: int | None = None
        self.device: dict[str, str] | None = None

    def wall_limit(self) -> float:
        return self.config.wall_limit(self.job.cpu_limit_s)

    def on_frame(self, kind: bytes, body: bytes) -> None:
        now = time.monotonic()
        if kind == b"S":
            self.saw_start = True
            self.current = int(json.loads(body)["case"])
            self.started = now
            self.printed = 0
        elif kind == b"E":
            report = json.loads(body)
            index = int(report["case"])
            if index in self.results or index != self.current:
                return  # a duplicate or forged frame: the first report for the running case counts
            if index == -1 and report["status"] not in ("exception", "memory"):
                raise ValueError("an import report is an exception or a MemoryError")
            result = RawResult(
                index=index,
                status=Status(report["status"]) if report["status"] in Status._value2member_map_ else Status.CRASHED,
                cpu_ms=float(report.get("cpu_ms") or 0.0),
                wall_ms=(now - self.started) * 1000,
                peak_kb=int(report.get("peak_kb") or 0),
                error_type=str(report.get("error_type", ""))[:200],
                message=str(report.get("traceback") or report.get("message") or "")[:6000],
                device=self.device,
                launches=int(report.get("launches") or 0) if self.job.cuda else None,
            )
            if index == -1:
                self.import_failure = result
                self.done = True
                return
            self.results[index] = result
            self.pending = result if result.status is Status.OK and self.job.want_output else None
            self.pending_files = result if result.status is Status.OK and self.job.collect_out else None
            self.pending_inputs = result if result.status is Status.OK and self.job.echoes_inputs else None
            self.current = None
            self.started = now
        elif kind == b"O" and self.pending is not None:
            self.pending.payload = body
            self.pending = None
        elif kind == b"F" and self.pending_files is not None:
            self.pending_files.files = body
            self.pending_files = None
        elif kind == b"I" and self.pending_inputs is not None:
            self.pending_inputs.inputs_after = body
            self.pending_inputs = None
        elif kind == b"C":
            report = json.loads(body)
            self.compile_error = RawResult(
                index=-1,
                status=Status.COMPILE_ERROR,
                error_type=str(report.get("error_type", ""))[:200],
                message=str(report.get("traceback", ""))[:6000],
            )
            self.done = True
        elif kind == b"V" and not self.saw_start and self.device is None:
            # Sent by the harness before the submission is even compiled; a later V frame is forged: ignored.
            self.device = _device_report(body)
        elif kind == b"D":
            self.done = True

    def feed_results(self, data: bytes) -> None:
        self.result_bytes += len(data)
        if self.result_bytes > self.job.frame_limit * max(1, len(self.cases)) + (1 << 20):
            self.kill_reason = Status.OUTPUT
            return
        self.buffer += data
        while len(self.buffer) >= 5:
            kind = self.buffer[:1]
            (length,) = struct.unpack(">I", self.buffer[1:5])
            if length > self.job.frame_limit:
                self.kill_reason = Status.OUTPUT
                return
            if len(self.buffer) < 5 + length:
                return
            body, self.buffer = self.buffer[5 : 5 + length], self.buffer[5 + length :]
            try:
                self.on_frame(kind, body)
            except (ValueError, KeyError, TypeError):
                # Garbage on the channel can only come from the submission writing to it.
                self.kill_reason = Status.CRASHED
                return

    def feed_printed(self, data: bytes, *, stderr: bool) -> None:
        self.printed += len(data)
        if stderr:
            self.stderr_tail = (self.stderr_tail + data)[-4000:]
        if self.printed > self.job.output_limit_bytes:
            self.kill_reason = Status.OUTPUT

    def deadline(self) -> float:
        if not self.saw_start:
            return self.started + self.config.startup_timeout_s
        return self.started + self.wall_limit()


def _run_process(job: Job, cases: list[CaseInput], config: SandboxConfig, sandboxed: bool) -> _Run:
    state = _Run(job, cases, config, sandboxed)
    workdir = Path(tempfile.mkdtemp(prefix="bq-grader-"))
    result_r, result_w = os.pipe()
    prepared: _Prepared | None = None
    proc: subprocess.Popen[bytes] | None = None
    try:
        prepare = _prepare_bwrap if sandboxed else _prepare_plain
        prepared = prepare(config, job, len(cases), workdir, result_w)
        state.started = time.monotonic()
        proc = subprocess.Popen(  # noqa: S603 - the argv is built above from fixed parts
            prepared.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=prepared.pass_fds,
            preexec_fn=prepared.preexec,
            start_new_session=True,
            cwd=prepared.cwd,
            env=prepared.env,
        )
        os.close(result_w)
        result_w = -1
        _loop(proc, state, _stdin_payload(job, cases), result_r)
    finally:
        if proc is not None:
            _kill(proc)
        for fd in (result_r, result_w, *(prepared.close_after if prepared else [])):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if prepared and prepared.cgroup:
            if prepared.cgroup.oom_kills() and state.current is not None and state.kill_reason is None:
                state.kill_reason = Status.MEMORY
            prepared.cgroup.remove()
        shutil.rmtree(workdir, ignore_errors=True)
    state.returncode = proc.returncode if proc else None
    return state


def _writer(stream: object, payload: bytes) -> None:
    assert hasattr(stream, "write") and hasattr(stream, "close")  # noqa: S101
    try:
        stream.write(payload)
    except (BrokenPipeError, OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _loop(proc: subprocess.Popen[bytes], state: _Run, payload: bytes, result_r: int) -> None:
    assert proc.stdin and proc.stdout and proc.stderr  # noqa: S101 - all three are pipes
    writer = threading.Thread(target=_writer, args=(proc.stdin, payload), daemon=True)
    writer.start()
    selector = selectors.DefaultSelector()
    sources = {result_r: "result", proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr"}
    for fd in sources:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    done_at: float | None = None
    try:
        while sources:
            now = time.monotonic()
            if state.kill_reason is not None:
                return
            if state.done:
                done_at = done_at or now
                if proc.poll() is not None or now - done_at > 1.0:
                    return
            elif now > state.deadline():
                state.kill_reason = Status.TIMEOUT
                return
            if proc.poll() is not None and not any(sources[k] == "result" for k in sources):
                return
            for key, _ in selector.select(timeout=0.05):
                fd = int(key.fd)
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(fd)
                    del sources[fd]
                    continue
                if sources[fd] == "result":
                    state.feed_results(data)
                else:
                    state.feed_printed(data, stderr=sources[fd] == "stderr")
            if proc.poll() is not None and not selector.select(timeout=0):
                # The process is gone and nothing is left to read right now: one more short drain.
                for fd in list(sources):
                    with contextlib.suppress(BlockingIOError, OSError):
                        while data := os.read(fd, 1 << 16):
                            if sources[fd] == "result":
                                state.feed_results(data)
                            else:
                                state.feed_printed(data, stderr=sources[fd] == "stderr")
                return
    finally:
        selector.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        logger.error("sandbox process %s did not exit after SIGKILL", proc.pid)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()


def _death(state: _Run, returncode: int | None) -> tuple[Status, str]:
    """Why the process stopped in the middle of a case."""
    if state.kill_reason is Status.TIMEOUT:
        return Status.TIMEOUT, f"killed after {state.wall_limit():.1f} s of wall-clock time"
    if state.kill_reason is Status.OUTPUT:
        return Status.OUTPUT, f"printed or returned more than {state.job.output_limit_bytes} bytes"
    if state.kill_reason is Status.MEMORY:
        return Status.MEMORY, "killed by the out-of-memory killer"
    if state.kill_reason is Status.CRASHED:
        return Status.CRASHED, "the harness's result channel was corrupted by the submission"
    if returncode is None:
        return Status.CRASHED, "the process ended during the case"
    # bubblewrap exits with 128 + signal when its child is killed; a plain subprocess reports -signal.
    signo = -returncode if returncode < 0 else returncode - 128 if returncode > 128 and state.sandboxed else 0
    elapsed = time.monotonic() - state.started
    if signo in (signal.SIGXCPU, signal.SIGPROF) or (signo == signal.SIGKILL and elapsed >= state.job.cpu_limit_s):
        return Status.TIMEOUT, "CPU time limit exceeded"
    if signo == signal.SIGXFSZ:
        return Status.OUTPUT, "file size limit exceeded"
    if signo:
        return Status.CRASHED, f"the process was killed by {_signal_name(signo)}"
    return Status.CRASHED, f"the process exited with status {returncode} during the case"


def run_job(job: Job, config: SandboxConfig, *, sandboxed: bool) -> list[RawResult]:
    """Run every case of `job`: one process for all cases (a new one after a case that killed it), or one per
    case when the job asks for it. Returns one RawResult per case, in order."""
    if sandboxed:
        problem = sandbox_problem(config)
        if problem:
            raise SandboxUnavailable(problem)
    results: dict[int, RawResult] = {}
    remaining = list(job.cases)
    device: dict[str, str] | None = None
    while remaining:
        batch = remaining[:1] if job.process_per_case else remaining
        state = _run_process(job, batch, config, sandboxed)
        device = device or state.device
        returncode = state.returncode
        if state.import_failure is not None:
            failure = state.import_failure
            message = f"{job.startup_step} failed:\n{failure.message}".rstrip()
            for case in remaining:
                results[case.index] = RawResult(
                    case.index, failure.status, error_type=failure.error_type, message=message
                )
            break
        if state.compile_error is not None:
            for case in remaining:
                results[case.index] = RawResult(
                    case.index, Status.COMPILE_ERROR, error_type=state.compile_error.error_type,
                    message=state.compile_error.message,
                )  # fmt: skip
            break
        results.update({i: r for i, r in state.results.items() if i in {c.index for c in batch}})
        unfinished = [c for c in batch if c.index not in results]
        if not unfinished:
            remaining = remaining[len(batch) :]
            continue
        if not state.saw_start:
            detail = state.stderr_tail.decode("utf-8", "replace").strip()[-1500:]
            logger.error("the sandbox did not start (exit %s): %s", returncode, detail)
            for case in remaining:
                results[case.index] = RawResult(case.index, Status.INTERNAL, message=detail or "no output")
            break
        status, message = _death(state, returncode)
        if state.current == -1:  # while importing the submission: RE, TLE, MLE or OLE, never CE
            message = f"{job.startup_step} failed: {message}"
            for case in remaining:
                results[case.index] = RawResult(case.index, status, message=message)
            break
        victim = unfinished[0] if state.current is None else next(c for c in unfinished if c.index == state.current)
        wall = (time.monotonic() - state.started) * 1000
        results[victim.index] = RawResult(victim.index, status, wall_ms=wall, message=message)
        done = set(results)
        remaining = [c for c in remaining if c.index not in done]
    for raw in results.values():
        raw.device = raw.device or device
    return [results[c.index] for c in job.cases]


# ---------------------------------------------------------------------------------------------------------
# One program (the C++ compiler) in the sandbox: files in, files out


@dataclass(frozen=True)
class Command:
    """A program run in the sandbox with a writable work folder: `files` are written there first and
    `collect` read back after. `argv` names them relative to the work folder (the current directory)."""

    argv: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...]
    collect: tuple[str, ...]
    cpu_limit_s: float
    memory_limit_mb: int
    max_file_size_mb: int
    output_limit_bytes: int = 64 * 1024
    env: tuple[tuple[str, str], ...] = ()


@dataclass
class CommandResult:
    """`status` is OK whenever the program exited by itself (whatever its exit code), else why it was stopped:
    TIMEOUT (CPU or wall clock), MEMORY (the cgroup's OOM killer) or CRASHED (a signal)."""

    status: Status
    returncode: int | None
    output: bytes  # stdout and stderr together, the first `output_limit_bytes`
    files: dict[str, bytes]
    cpu_ms: float  # the tree's in a plain subprocess; through bubblewrap only bwrap's own (see run_command)
    wall_ms: float


def _command_argv(config: SandboxConfig, command: Command, box: Path, seccomp_fd: int | None) -> list[str]:
    """No /proc, no /dev, no interpreter: a compiler needs /usr, a /tmp and its work folder. A file the program
    opens outside them does not exist (no `#include "/etc/shadow"`, no `#include "/dev/zero"`)."""
    bwrap = config.bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(INSTALL_HINT)
    argv = [
        bwrap,
        "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
        "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr", *_usr_links(),
        "--size", str(config.tmpfs_mb << 20), "--tmpfs", "/tmp",  # noqa: S108 - the sandbox's own tmpfs
        "--bind", str(box), BOX, "--chdir", BOX, "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
    ]  # fmt: skip
    for name, value in (("PATH", SANDBOX_ENV["PATH"]), ("HOME", BOX), ("TMPDIR", "/tmp"), *command.env):  # noqa: S108
        argv += ["--setenv", name, value]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return [*argv, "--", *command.argv]


def run_command(command: Command, config: SandboxConfig, *, sandboxed: bool) -> CommandResult:
    """Run `command` in bubblewrap (or, for trusted input only, a plain subprocess) under its own limits:
    CPU seconds per process and in all, a wall-clock kill, memory (cgroup or RLIMIT_AS), file size,
    processes, open files; the printed output is read with a byte cap."""
    if sandboxed:
        problem = sandbox_problem(config)
        if problem:
            raise SandboxUnavailable(problem)
    workdir = Path(tempfile.mkdtemp(prefix="bq-grader-"))
    box = workdir / "box"
    box.mkdir()
    for name, data in command.files:
        (box / name).write_bytes(data)
    # SIGXCPU at the soft limit (the compiler driver names it), SIGKILL a second later.
    cpu = math.ceil(command.cpu_limit_s)
    size = command.max_file_size_mb << 20
    cgroup = None
    if sandboxed and Cgroup.usable(config.cgroup_parent):
        assert config.cgroup_parent is not None  # noqa: S101 - narrowed by usable()
        cgroup = Cgroup(config.cgroup_parent, command.memory_limit_mb << 20, config.max_processes)
    limits = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, size, size),
        (resource.RLIMIT_NOFILE, config.max_open_files, config.max_open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if cgroup is None:
        limits.append((resource.RLIMIT_AS, command.memory_limit_mb << 20, command.memory_limit_mb << 20))
    uid = 100_000 + secrets.randbelow(800_000) if sandboxed and os.geteuid() == 0 else None
    if uid is not None:
        workdir.chmod(0o755)
        for path in (box, *box.iterdir()):
            os.chown(path, uid, uid)
    procs = cgroup.procs if cgroup else None
    max_processes = config.max_processes

    def preexec() -> None:  # runs in the child, between fork and exec
        if procs:
            with open(procs, "w") as handle:
                handle.write("0")
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
        for which, soft, hard in limits:
            resource.setrlimit(which, (soft, hard))

    seccomp_fd = None
    program = seccomp_program() if sandboxed and config.seccomp else None
    if program is not None:
        seccomp_fd = os.memfd_create("grader-seccomp", 0)
        os.write(seccomp_fd, program)
        os.lseek(seccomp_fd, 0, os.SEEK_SET)
    if sandboxed:
        argv = _command_argv(config, command, box, seccomp_fd)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
    else:
        argv = list(command.argv)
        env = {"PATH": SANDBOX_ENV["PATH"], "HOME": str(box), "TMPDIR": str(box), **dict(command.env)}
    wall_limit = config.wall_limit(command.cpu_limit_s)
    started = time.monotonic()
    status, returncode, cpu_ms, output = Status.OK, None, 0.0, b""
    try:
        proc = subprocess.Popen(  # noqa: S603 - the argv is built above from fixed parts
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(seccomp_fd,) if seccomp_fd is not None else (),
            preexec_fn=preexec,
            start_new_session=True,
            cwd=str(box),
            env=env,
        )
        assert proc.stdout is not None  # noqa: S101 - a pipe
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        selector = selectors.DefaultSelector()
        selector.register(fd, selectors.EVENT_READ)

        def drain() -> None:
            nonlocal output
            with contextlib.suppress(BlockingIOError, OSError):
                while chunk := os.read(fd, 1 << 16):
                    output = (output + chunk)[: command.output_limit_bytes]  # the rest is read and dropped

        try:
            while True:
                selector.select(timeout=0.02)
                drain()
                # The CPU time of every process waited for below it: the whole tree in a plain subprocess; through
                # bubblewrap (whose init does not pass it up) only bwrap's own, so limits there are per process.
                pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = returncode = os.waitstatus_to_exitcode(wait_status)
                    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
                    drain()
                    break
                if time.monotonic() - started > wall_limit:
                    status = Status.TIMEOUT
                    break
        finally:
            selector.close()
            _kill(proc)
        if status is Status.OK and cpu_ms > command.cpu_limit_s * 1000:
            status = Status.TIMEOUT
        elif status is Status.OK and cgroup is not None and cgroup.oom_kills():
            status = Status.MEMORY
        files = {}
        for name in command.collect:
            path = box / name
            if path.is_file() and not path.is_symlink():
                files[name] = path.read_bytes()[: size + 1]
    finally:
        if seccomp_fd is not None:
            os.close(seccomp_fd)
        if cgroup is not None:
            cgroup.remove()
        shutil.rmtree(workdir, ignore_errors=True)
    return CommandResult(status, returncode, output, files, cpu_ms, (time.monotonic() - started) * 1000)
