"""The harness that runs inside the sandbox: imports the submission and calls its entry point per case.

This file is the only part of the repository that is visible inside the sandbox, so it imports nothing from
`grader` (only the standard library and numpy). Protocol, all on pipes (nothing is read back from files):

* stdin: frames of an 8-byte big-endian length and a body: a JSON header (entry point, cases with their CPU
  limits, the shared files' names, the modules to preload, whether to collect `out/`; for a C++ kernel,
  `kernel`: {"symbol", "args"} and `seccomp`: a hex BPF program), the submission's source (for a C++ kernel: the
  compiled shared library's bytes, written to `kernel.so` and loaded by harness_cpp.py's `load_kernel` after the
  `seccomp` filter is installed), one frame per shared file (written read-only under `files/`), then per case
  the `.npz` bytes and the JSON bytes of its arguments and an `.npz` of the case's own files (uint8 arrays by
  file name, written under `art/` and passed as `artifact_dir`). In the JSON arguments `{"$file": name}` becomes
  the path of `files/name` and `{"$out": name}` the path of `out/name`.
* the result descriptor (its number is argv[1]): frames of one kind byte, a 4-byte big-endian length and a
  body. `S` (a case starts; case -1 is the import), `E` (a case ended: JSON with status, CPU time and peak
  memory, and for a CUDA job the number of kernels the case launched; for case -1, the import failed at run
  time), `O` (the outputs of that case as `.npz` bytes written with `allow_pickle=False`), `F` (the plain
  files the case left under `out/`, as an `.npz` of uint8 arrays), `I` (a C++ kernel's `in` arrays, or a
  CUDA launch function's array arguments, as they were after the call, `.npz`: the trusted side checks them
  unchanged), `C` (a syntax error, no entry point, no such kernel symbol), `D` (done), and for a CUDA job,
  before the import's `S`, `V` (JSON: the device numba found, `{"kind": "gpu" | "cuda-simulator", "name":
  ...}`). A C++ kernel's outputs (`O`) are its `out`/`inout` arrays in call order: one array, or a
  tuple of several.

Everything the submission could forge here is data that the trusted side validates: it compares outputs
itself, parses them with `allow_pickle=False`, and enforces time, memory and output limits from outside.
The one exception is a CUDA case's launch count: it is counted in this process, so a submission that
patches the harness could forge it; it catches an answer computed on the host, not a determined forger.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import importlib.util
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import struct
import sys
import time
import traceback
import types
import typing
import zipfile

import numpy as np

_process_time = time.process_time
_getpid = os.getpid
_write = os.write
_exit = os._exit
MAIN_PID = _getpid()
SUBMISSION_FILE = "submission.py"
TRACEBACK_LIMIT = 4000


def _read_exact(stream: typing.BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("truncated input")
    return data


def _read_frame(stream: typing.BinaryIO) -> bytes:
    (length,) = struct.unpack(">Q", _read_exact(stream, 8))
    return _read_exact(stream, length) if length else b""


class Channel:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, kind: bytes, body: bytes) -> None:
        data = kind + struct.pack(">I", len(body)) + body
        view = memoryview(data)
        while view:
            written = _write(self.fd, view)
            view = view[written:]

    def send_json(self, kind: bytes, payload: dict[str, object]) -> None:
        self.send(kind, json.dumps(payload).encode())


def _peak_reset() -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so the peak is the case's own.
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def _peak_kb() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _trim_traceback(exc: BaseException) -> str:
    """Only the submission's frames: the harness's own are noise to a learner."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILE]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    return text if len(text) <= TRACEBACK_LIMIT else text[: TRACEBACK_LIMIT // 2] + "\n...\n" + text[-1000:]


class BadOutput(Exception):
    pass


def _plain(value: object) -> np.ndarray:
    if isinstance(value, str):
        return np.array(value)
    if isinstance(value, np.ndarray):
        array = np.asarray(value)  # a subclass becomes a plain ndarray
    else:
        try:
            array = np.asarray(value)
        except Exception as exc:
            raise BadOutput(f"the return value could not be turned into an array: {type(exc).__name__}") from None
    if array.dtype.kind not in "biufcUS":
        raise BadOutput(
            f"returned {type(value).__name__} with dtype {array.dtype}: return numbers, numpy arrays, strings "
            "or a tuple of them"
        )
    return np.array(array, copy=True)


def _encode(result: object) -> bytes:
    parts = result if isinstance(result, tuple) else (result,)
    arrays = {f"out{i}": _plain(part) for i, part in enumerate(parts)}
    arrays["n_out"] = np.array(len(parts) if isinstance(result, tuple) else -1)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def _arguments(npz_bytes: bytes, json_bytes: bytes) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    if npz_bytes:
        with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as data:
            kwargs.update({name: data[name] for name in data.files})
    if json_bytes:
        kwargs.update(json.loads(json_bytes))
    return kwargs


def _pin_onnxruntime(module: types.ModuleType) -> None:
    """Every ONNX Runtime session the submission (or a library it calls) creates runs on one thread."""
    session_class = module.InferenceSession
    original = session_class.__init__

    def __init__(self: object, path_or_bytes: object, sess_options: object = None, *args: object, **kw: object) -> None:
        if sess_options is None:
            sess_options = module.SessionOptions()
        sess_options.intra_op_num_threads = 1  # type: ignore[attr-defined]
        sess_options.inter_op_num_threads = 1  # type: ignore[attr-defined]
        original(self, path_or_bytes, sess_options, *args, **kw)

    session_class.__init__ = __init__
    module.set_default_logger_severity(3)


# Applied right after a preloaded module is imported; labs add their runtime's thread pinning here.
PIN_THREADS: dict[str, typing.Callable[[types.ModuleType], None]] = {"onnxruntime": _pin_onnxruntime}


def _preload(names: list[str]) -> None:
    """Imports the bundle's runtimes before the submission: their import cost is not the learner's, and
    their thread pools are pinned before any code of the submission runs."""
    for name in names:
        module = importlib.import_module(name)
        pin = PIN_THREADS.get(name)
        if pin is not None:
            pin(module)


def _gpu_name(cuda: types.ModuleType) -> str:
    name = cuda.get_current_device().name
    return name.decode(errors="replace") if isinstance(name, bytes) else str(name)


def _expose_races() -> None:
    """On the simulator, every store of a kernel to a device array first lets another simulated thread run
    (`time.sleep(0)` releases the interpreter lock), except inside the simulator's atomics, which hold a lock.
    A simulated thread otherwise runs its few instructions without interruption, so `counts[v] += 1`
    without `cuda.atomic.add` would never lose an update as it does on a GPU."""
    import functools
    import threading

    kernelapi = importlib.import_module("numba.cuda.simulator.kernelapi")
    devicearray = importlib.import_module("numba.cuda.simulator.cudadrv.devicearray")
    local = threading.local()
    array_class = devicearray.FakeWithinKernelCUDAArray
    store = array_class.__setitem__

    def __setitem__(self: object, index: object, value: object) -> None:
        if not getattr(local, "atomic", False):
            time.sleep(0)
        store(self, index, value)

    def atomic(method: typing.Callable[..., object]) -> typing.Callable[..., object]:
        @functools.wraps(method)
        def wrapper(*args: object, **kwargs: object) -> object:
            local.atomic = True
            try:
                return method(*args, **kwargs)
            finally:
                local.atomic = False

        return wrapper

    setattr(array_class, "__setitem__", __setitem__)  # noqa: B010 - patching a class of the simulator
    for name, value in list(vars(kernelapi.FakeCUDAAtomic).items()):
        if callable(value) and not name.startswith("_"):
            setattr(kernelapi.FakeCUDAAtomic, name, atomic(value))


def _count_launches(cuda: types.ModuleType, *, simulated: bool) -> typing.Callable[[], int]:
    """Counts kernel launches (not device-function calls) from here on; returns the count's reader.

    A CUDA exercise grades a kernel: a case whose answer came back without one launch (a host-side NumPy
    answer) is WA on the trusted side. The count lives in this closure, not in a module global."""
    import functools

    launched = [0]
    if simulated:
        kernel_class = importlib.import_module("numba.cuda.simulator.kernel").FakeCUDAKernel
        name = "__call__"
    else:
        kernel_class = importlib.import_module("numba.cuda.dispatcher").CUDADispatcher
        name = "call"
    launch = getattr(kernel_class, name)

    @functools.wraps(launch)
    def counted(self: typing.Any, *args: object, **kwargs: object) -> object:
        if not getattr(self, "_device", False):
            launched[0] += 1
        return launch(self, *args, **kwargs)

    setattr(kernel_class, name, counted)
    return lambda: launched[0]


def _prepare_cuda(channel: Channel, settings: dict[str, typing.Any]) -> typing.Callable[[], int]:
    """Imports numba's CUDA target before the submission (the environment chose the simulator or the GPU)
    and reports the device. On a GPU run where numba finds no GPU, falls back to the simulator and says so.
    `settings` (grader/cuda.py says why): the simulated threads' stack size and the switch interval.
    Returns the reader of the kernel-launch count (`_count_launches`)."""
    import threading

    threading.stack_size(int(settings["thread_stack_kb"]) * 1024)
    sys.setswitchinterval(float(settings["switch_interval_s"]))
    numba = importlib.import_module("numba")
    cuda = importlib.import_module("numba.cuda")
    simulator = str(settings["simulator"])
    device: dict[str, object]
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        device = {"kind": "cuda-simulator", "name": simulator}
    elif cuda.is_available():
        device = {"kind": "gpu", "name": _gpu_name(cuda)}
    else:
        # numba.cuda chose its target when imported: import it again with the simulator switched on.
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
        numba.config.reload_config()
        for name in [m for m in sys.modules if m == "numba.cuda" or m.startswith("numba.cuda.")]:
            del sys.modules[name]
        del numba.cuda
        importlib.import_module("numba.cuda")
        device = {"kind": "cuda-simulator", "name": f"{simulator} (the GPU worker found no GPU)"}
    simulated = device["kind"] == "cuda-simulator"
    if simulated:
        _expose_races()
    channel.send_json(b"V", device)
    return _count_launches(importlib.import_module("numba.cuda"), simulated=simulated)


def _resolve(value: object) -> object:
    if isinstance(value, dict) and len(value) == 1:
        ((key, name),) = value.items()
        if key in ("$file", "$out") and isinstance(name, str) and "/" not in name and name not in (".", ".."):
            return os.path.abspath(os.path.join("files" if key == "$file" else "out", name))
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def _write_files(folder: str, npz_bytes: bytes) -> bool:
    """Writes a case's files (an .npz of uint8 arrays named by file) into `folder`; False when there are none."""
    shutil.rmtree(folder, ignore_errors=True)
    if not npz_bytes:
        return False
    os.mkdir(folder)
    with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as data:
        for name in data.files:
            with open(os.path.join(folder, os.path.basename(name)), "wb") as handle:
                handle.write(data[name].tobytes())
    return True


def _collect(folder: str, limit: int) -> tuple[bytes, str]:
    """The plain files under `folder` as .npz bytes, and a problem (a link, a folder, too much) if any."""
    arrays: dict[str, np.ndarray] = {}
    total = 0
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return b"", ""
    for entry in entries:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            return b"", f"out/{entry.name} is a symbolic link: write the file itself into out/"
        if not stat.S_ISREG(info.st_mode):
            return b"", f"out/{entry.name} is not a plain file: write files directly into out/"
        total += info.st_size
        if total > limit:
            return b"", f"the files under out/ are over the artifact limit of {limit} bytes"
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            arrays[entry.name] = np.frombuffer(handle.read(limit + 1), dtype=np.uint8)
    if not arrays:
        return b"", ""
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue(), ""


def _set_cpu_soft_limit(seconds: float) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = resource.getrusage(resource.RUSAGE_SELF)
    target = int(used.ru_utime + used.ru_stime + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (target, hard))


class KernelEntry:
    """A C++ kernel as an entry point: keyword arguments in, its outputs out (one array or a tuple); the
    inputs as they were after the call are kept for the `I` frame."""

    def __init__(self, kernel: typing.Any) -> None:
        self.kernel = kernel
        self.inputs_after: dict[str, np.ndarray] | None = None

    def __call__(self, **kwargs: object) -> object:
        self.inputs_after = None
        result = self.kernel(kwargs)
        self.inputs_after = result.pop("__inputs__")
        parts = tuple(result[name] for name in self.kernel.output_names)
        return parts if len(parts) > 1 else parts[0]


def _named_npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An `.npz` of arrays by name; written member by member, since `np.savez(**arrays)` cannot take an
    argument named `file`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _install_seccomp(program: bytes) -> None:
    """A second seccomp filter (filters stack; bubblewrap already set no_new_privs) before the kernel loads."""

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    count = len(program) // 8
    filters = (SockFilter * count).from_buffer_copy(program)
    fprog = SockFprog(count, ctypes.cast(filters, ctypes.POINTER(SockFilter)))
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)
    if libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "installing the kernel's seccomp filter failed")


def _load_cpp(channel: Channel, library: bytes, header: dict[str, typing.Any]) -> KernelEntry:
    """Loads a C++ kernel as the "import" step (case -1): a library that does not load is MLE when it cannot
    be mapped (a huge static array), else RE; a missing symbol is a compile error."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("harness_cpp", os.path.join(here, "harness_cpp.py"))
    assert spec is not None and spec.loader is not None  # noqa: S101 - the file is always next to this one
    harness_cpp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness_cpp)
    path = os.path.abspath("kernel.so")
    with open(path, "wb") as handle:
        handle.write(library)
    os.chmod(path, 0o500)
    if header.get("seccomp"):
        _install_seccomp(bytes.fromhex(header["seccomp"]))
    kernel = header["kernel"]
    _set_cpu_soft_limit(float(header["import_cpu_limit_s"]))
    channel.send_json(b"S", {"case": -1})
    signal.setitimer(signal.ITIMER_PROF, float(header["import_cpu_limit_s"]) + 0.02)
    try:
        loaded = harness_cpp.load_kernel(path, kernel["symbol"], kernel["args"])
    except harness_cpp.KernelError as exc:
        channel.send_json(b"C", {"error_type": "LookupError", "traceback": str(exc)})
        _exit(0)
    except OSError as exc:
        signal.setitimer(signal.ITIMER_PROF, 0)
        text = str(exc).replace(path, "kernel.so")
        memory = re.search(r"map|allocate|memory", text) is not None
        hint = ": its static arrays do not fit in the memory limit" if memory else ""
        message = f"{text}{hint}"
        status = "memory" if memory else "exception"
        channel.send_json(b"E", {"case": -1, "status": status, "error_type": "OSError", "traceback": message})
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, 0)
    return KernelEntry(loaded)


def main() -> None:
    channel = Channel(int(sys.argv[1]))
    os.set_inheritable(channel.fd, False)
    stdin = sys.stdin.buffer
    header = json.loads(_read_frame(stdin))
    code_bytes = _read_frame(stdin)
    source = "" if header.get("kernel") else code_bytes.decode("utf-8", errors="replace")
    shared = [(name, _read_frame(stdin)) for name in header.get("files", [])]
    inputs = [(_read_frame(stdin), _read_frame(stdin), _read_frame(stdin)) for _ in header["cases"]]
    stdin.close()

    if shared:
        os.mkdir("files")
        for name, data in shared:
            path = os.path.join("files", os.path.basename(name))
            with open(path, "wb") as handle:
                handle.write(data)
            os.chmod(path, 0o444)
        os.chmod("files", 0o555)  # noqa: S103 - read-only for the sandbox's one user
    collect = bool(header.get("collect_out"))
    artifact_limit = int(header.get("artifact_limit", 0))
    want_output = bool(header.get("want_output", True))
    launches = _prepare_cuda(channel, header["cuda"]) if header.get("cuda") else None
    _preload(list(header.get("preload", [])))
    entry: typing.Callable[..., object] = (
        _load_cpp(channel, code_bytes, header) if header.get("kernel") else _import(channel, source, header)
    )
    _run_cases(channel, entry, header, inputs, collect, artifact_limit, want_output, launches)


def _import(channel: Channel, source: str, header: dict[str, typing.Any]) -> typing.Callable[..., object]:
    """Runs the submission's module code (case -1) and returns its entry point, or reports why not and exits."""
    with open(SUBMISSION_FILE, "w", encoding="utf-8") as handle:
        handle.write(source)
    module = types.ModuleType("submission")
    module.__file__ = SUBMISSION_FILE
    sys.modules["submission"] = module
    _set_cpu_soft_limit(float(header["import_cpu_limit_s"]))
    channel.send_json(b"S", {"case": -1})
    try:
        code = compile(source, SUBMISSION_FILE, "exec")
    except BaseException as exc:  # SyntaxError, or ValueError for a null byte: the only compile errors
        channel.send_json(b"C", {"error_type": type(exc).__name__, "traceback": _trim_traceback(exc)})
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, float(header["import_cpu_limit_s"]) + 0.02)
    try:
        exec(code, module.__dict__)  # noqa: S102 - running the submission is the point, inside the sandbox
    except BaseException as exc:
        # Raised while importing: a run-time error (RE), or MLE for MemoryError; not a compile error.
        if _getpid() != MAIN_PID:
            _exit(0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        status = "memory" if isinstance(exc, MemoryError) else "exception"
        failure = {"case": -1, "status": status, "error_type": type(exc).__name__, "traceback": _trim_traceback(exc)}
        channel.send_json(b"E", failure)
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, 0)
    if _getpid() != MAIN_PID:
        _exit(0)
    entry = module.__dict__.get(header["entry"])
    if not callable(entry):
        message = f"LookupError: the submission defines no function named {header['entry']!r}\n"
        channel.send_json(b"C", {"error_type": "LookupError", "traceback": message})
        _exit(0)
    return typing.cast(typing.Callable[..., object], entry)


def _run_cases(
    channel: Channel,
    entry: typing.Callable[..., object],
    header: dict[str, typing.Any],
    inputs: list[tuple[bytes, bytes, bytes]],
    collect: bool,
    artifact_limit: int,
    want_output: bool,
    launches: typing.Callable[[], int] | None = None,
) -> None:
    for case, (npz_bytes, json_bytes, files_bytes) in zip(header["cases"], inputs, strict=True):
        kwargs = {name: _resolve(value) for name, value in _arguments(npz_bytes, json_bytes).items()}
        launched_before = launches() if launches else 0
        if _write_files("art", files_bytes):
            kwargs["artifact_dir"] = os.path.abspath("art")
        if collect:
            shutil.rmtree("out", ignore_errors=True)
            os.mkdir("out")
        _set_cpu_soft_limit(float(case["cpu_limit_s"]))
        _peak_reset()
        channel.send_json(b"S", {"case": case["index"]})
        report: dict[str, object] = {"case": case["index"], "status": "ok"}
        payload = b""
        started = _process_time()
        # SIGPROF's default action ends the process at the limit, to the millisecond; RLIMIT_CPU (whole
        # seconds, set from outside) is the backstop if the submission installs a SIGPROF handler.
        signal.setitimer(signal.ITIMER_PROF, float(case["cpu_limit_s"]) + 0.02)
        files = b""
        try:
            result = entry(**kwargs)
            report["cpu_ms"] = (_process_time() - started) * 1000
            if want_output:
                payload = _encode(result)
            if collect:
                files, problem = _collect("out", artifact_limit)
                if problem:
                    report["status"] = "bad_output"
                    report["message"] = problem
        except BadOutput as exc:
            report["status"] = "bad_output"
            report["message"] = str(exc)
        except BaseException as exc:
            report["cpu_ms"] = (_process_time() - started) * 1000
            too_big = isinstance(exc, OSError) and exc.errno in (errno.EFBIG, errno.ENOSPC)
            report["status"] = "memory" if isinstance(exc, MemoryError) else "output" if too_big else "exception"
            report["error_type"] = type(exc).__name__
            # A C++ kernel's problem (out-of-bounds write, bad argument) has no Python frames worth showing.
            kernel_error = isinstance(entry, KernelEntry) and type(exc).__name__ == "KernelError"
            report["traceback"] = f"{exc}\n" if kernel_error else _trim_traceback(exc)
        signal.setitimer(signal.ITIMER_PROF, 0)
        if _getpid() != MAIN_PID:  # a forked child of the submission never speaks for the case
            _exit(0)
        report.setdefault("cpu_ms", (_process_time() - started) * 1000)
        report["peak_kb"] = _peak_kb()
        if launches:
            report["launches"] = launches() - launched_before
        channel.send_json(b"E", report)
        if payload:
            channel.send(b"O", payload)
        if files and report["status"] == "ok":
            channel.send(b"F", files)
        if report["status"] == "ok":
            if isinstance(entry, KernelEntry) and entry.inputs_after is not None:
                channel.send(b"I", _named_npz(entry.inputs_after))
            elif launches:  # a CUDA launch function's arrays, as they were after the call: checked unchanged
                channel.send(b"I", _named_npz({k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}))
    channel.send(b"D", b"")
    sys.stdout.flush()
    # Not sys.exit: threads the submission left behind must not keep the process alive.
    _exit(0)


if __name__ == "__main__":
    main()
