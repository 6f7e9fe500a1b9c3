"""The serving harness (inside the sandbox): imports a submission once, then calls it once per request.

Used for generated cases and timed rounds (grader/timed.py). Like harness.py it imports nothing from
`grader` (stdlib and numpy only). Protocol, all on pipes:

* stdin: frames of an 8-byte big-endian length and a body. First a JSON header (`entry`,
  `import_cpu_limit_s`, `call_cpu_limit_s`, `preload`; for a C++ kernel `kernel`: {"symbol", "args"} and
  `seccomp`: the kernel's extra filter as hex), then the submission's source (for a C++ kernel: the compiled
  library, loaded with harness_cpp.py's `load_kernel`, which sits next to this file), then one frame per call:
  the inputs as a raw array bundle (`pack` below). An empty frame ends the session.
* the result descriptor (argv[1]): frames of one kind byte, a 4-byte big-endian length and a body. `H`
  (hello, before the submission exists: the trusted side finds this process's pid), `R` (ready: imported),
  `C` (a syntax error or no entry point), `E` (JSON: an exception, at import or in a call), `O` (a call's
  outputs and its inputs as they were after the call, as a raw array bundle).

Before the submission's code runs, a seccomp filter refuses new threads and processes (clone, clone3, fork,
vfork): timed runs are single-threaded, so CPU time read from outside is the whole of the work.

Nothing this process reports about time is used: the trusted side reads the CPU time from /proc. Every output
and every returned input is checked there against the trusted reference, so forging a frame gains nothing.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import json
import os
import platform
import signal
import struct
import sys
import traceback
import types
import typing

import numpy as np

_write = os.write
_exit = os._exit
SUBMISSION_FILE = "submission.py"
TRACEBACK_LIMIT = 4000
REFUSED_MESSAGE = "timed runs are single-threaded: starting a thread or a process is refused"
# x86-64 syscall numbers of clone, fork, vfork, clone3.
_SPAWN_SYSCALLS = (56, 57, 58, 435)


def _read_exact(stream: typing.BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("truncated input")
    return data


def _read_frame(stream: typing.BinaryIO) -> bytes:
    (length,) = struct.unpack(">Q", _read_exact(stream, 8))
    return _read_exact(stream, length) if length else b""


def _send(fd: int, kind: bytes, body: bytes | list[memoryview]) -> None:
    """One frame; a list of buffers is written without joining them (a timed call's output is not copied)."""
    parts = [memoryview(body)] if isinstance(body, bytes) else body
    length = sum(part.nbytes for part in parts)
    for view in [memoryview(kind + struct.pack(">I", length)), *parts]:
        view = view.cast("B")
        while view:
            view = view[_write(fd, view) :]


def pack_parts(arrays: list[tuple[str, np.ndarray]], extra: dict[str, object]) -> list[memoryview]:
    """A raw array bundle as buffers: 4-byte header length, JSON header (names, dtypes, shapes, `extra`), data."""
    layout = [[name, a.dtype.str, list(a.shape)] for name, a in arrays]
    header = json.dumps({"arrays": layout, **extra}).encode()
    views = [memoryview(np.ascontiguousarray(a).reshape(-1).view(np.uint8)) for _, a in arrays]
    return [memoryview(struct.pack(">I", len(header)) + header), *views]


def pack(arrays: list[tuple[str, np.ndarray]], extra: dict[str, object]) -> bytes:
    return b"".join(bytes(part) for part in pack_parts(arrays, extra))


def unpack(body: bytes) -> dict[str, np.ndarray]:
    (length,) = struct.unpack(">I", body[:4])
    header = json.loads(body[4 : 4 + length])
    offset = 4 + length
    arrays = {}
    for name, dtype, shape in header["arrays"]:
        array = np.frombuffer(body, dtype=np.dtype(dtype), count=int(np.prod(shape)), offset=offset)
        offset += array.nbytes
        arrays[name] = array.reshape(shape).copy()  # writable, and the submission's own copy
    return arrays


def _install_filter(code: bytes) -> None:
    """Stacks a seccomp filter on the sandbox's (bubblewrap set no_new_privs; filters can only be added)."""

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    if libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), "installing a seccomp filter failed")


def _refuse_spawning() -> bool:
    """Installs a seccomp filter answering EPERM to clone/clone3/fork/vfork; False where it cannot (not x86-64)."""
    if platform.machine() != "x86_64":
        return False
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    eperm = 0x00050000 | 1

    def insn(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("<HBBI", code, jt, jf, k)

    # The sandbox's own filter already kills any other architecture; this one looks at the number only.
    program = [insn(ld_abs, 0, 0, 0)]
    for number in _SPAWN_SYSCALLS:
        program += [insn(jeq, 0, 1, number), insn(ret, 0, 0, eperm)]
    program.append(insn(ret, 0, 0, 0x7FFF0000))
    _install_filter(b"".join(program))
    return True


def _trim_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILE]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    return text if len(text) <= TRACEBACK_LIMIT else text[: TRACEBACK_LIMIT // 2] + "\n...\n" + text[-1000:]


def _refused(exc: BaseException) -> bool:
    """Whether the exception is the filter refusing a thread (RuntimeError) or a process (EPERM)."""
    text = str(exc)
    return (isinstance(exc, RuntimeError) and "thread" in text) or (
        isinstance(exc, OSError) and exc.errno == 1 and not exc.filename
    )


def _failure(exc: BaseException) -> dict[str, object]:
    status = "memory" if isinstance(exc, MemoryError) else "exception"
    report: dict[str, object] = {"status": status, "error_type": type(exc).__name__}
    report["traceback"] = _trim_traceback(exc)
    if _refused(exc):
        report["refused"] = True
        report["message"] = REFUSED_MESSAGE
    return report


class NotPlain(Exception):
    pass


def _outputs(result: object) -> list[tuple[str, np.ndarray]]:
    """The return value as plain arrays: exactly np.ndarray (no subclass, no lazy object) of numbers."""
    parts = result if isinstance(result, tuple) else (result,)
    arrays = []
    for i, part in enumerate(parts):
        if type(part) is not np.ndarray:
            raise NotPlain(
                f"output {i} is a {type(part).__module__}.{type(part).__qualname__}: return numpy.ndarray "
                "itself (np.asarray(x) of a subclass or a lazy object is not accepted in timed exercises)"
            )
        if part.dtype.kind not in "biufc":
            raise NotPlain(f"output {i} has dtype {part.dtype}: return numbers")
        arrays.append((f"out{i}", part))
    return arrays


class _Kernel:
    """A C++ kernel as an entry point: returns its outputs and keeps the inputs it saw after the call."""

    def __init__(self, call: typing.Any) -> None:
        self.call = call
        self.inputs_after: dict[str, np.ndarray] = {}

    def __call__(self, **inputs: np.ndarray) -> object:
        result = self.call(inputs)
        self.inputs_after = result.pop("__inputs__")
        parts = tuple(result[name] for name in self.call.output_names)
        return parts if len(parts) > 1 else parts[0]


def _load_kernel(fd: int, library: bytes, header: dict[str, typing.Any]) -> _Kernel:
    """Loads the compiled kernel with harness_cpp.py (next to this file), after its seccomp filter."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("harness_cpp", os.path.join(here, "harness_cpp.py"))
    assert spec is not None and spec.loader is not None  # noqa: S101 - the sandbox puts it there
    harness_cpp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness_cpp)
    path = os.path.abspath("kernel.so")
    with open(path, "wb") as handle:
        handle.write(library)
    os.chmod(path, 0o500)
    if header.get("seccomp"):
        _install_filter(bytes.fromhex(header["seccomp"]))
    kernel = header["kernel"]
    signal.setitimer(signal.ITIMER_PROF, float(header["import_cpu_limit_s"]) + 0.02)
    try:
        loaded = harness_cpp.load_kernel(path, kernel["symbol"], kernel["args"])
    except harness_cpp.KernelError as exc:
        _send(fd, b"C", json.dumps({"error_type": "LookupError", "traceback": str(exc)}).encode())
        _exit(0)
    except OSError as exc:
        report = {"status": "exception", "error_type": "OSError", "traceback": str(exc).replace(path, "kernel.so")}
        _send(fd, b"E", json.dumps(report).encode())
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, 0)
    return _Kernel(loaded)


def main() -> None:
    fd = int(sys.argv[1])
    os.set_inheritable(fd, False)
    _send(fd, b"H", b"")
    stdin = sys.stdin.buffer
    header = json.loads(_read_frame(stdin))
    code_bytes = _read_frame(stdin)
    for name in header.get("preload", []):
        importlib.import_module(name)
    call_limit = float(header["call_cpu_limit_s"])
    filtered = _refuse_spawning()
    entry = _load_kernel(fd, code_bytes, header) if header.get("kernel") else _import(fd, code_bytes, header)
    _send(fd, b"R", json.dumps({"single_thread_filter": filtered}).encode())
    _serve(fd, stdin, entry, call_limit)


def _import(fd: int, code_bytes: bytes, header: dict[str, typing.Any]) -> typing.Callable[..., object]:
    """Runs the submission's module code and returns its entry point, or reports why not and exits."""
    source = code_bytes.decode("utf-8", errors="replace")
    with open(SUBMISSION_FILE, "w", encoding="utf-8") as handle:
        handle.write(source)
    module = types.ModuleType("submission")
    module.__file__ = SUBMISSION_FILE
    sys.modules["submission"] = module
    try:
        code = compile(source, SUBMISSION_FILE, "exec")
    except BaseException as exc:
        _send(fd, b"C", json.dumps({"error_type": type(exc).__name__, "traceback": _trim_traceback(exc)}).encode())
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, float(header["import_cpu_limit_s"]) + 0.02)
    try:
        exec(code, module.__dict__)  # noqa: S102 - running the submission is the point, inside the sandbox
    except BaseException as exc:
        signal.setitimer(signal.ITIMER_PROF, 0)
        _send(fd, b"E", json.dumps(_failure(exc)).encode())
        _exit(0)
    signal.setitimer(signal.ITIMER_PROF, 0)
    entry = module.__dict__.get(header["entry"])
    if not callable(entry):
        message = f"LookupError: the submission defines no function named {header['entry']!r}\n"
        _send(fd, b"C", json.dumps({"error_type": "LookupError", "traceback": message}).encode())
        _exit(0)
    return typing.cast(typing.Callable[..., object], entry)


def _serve(fd: int, stdin: typing.BinaryIO, entry: typing.Callable[..., object], call_limit: float) -> None:
    while body := _read_frame(stdin):
        inputs = unpack(body)
        signal.setitimer(signal.ITIMER_PROF, call_limit + 0.02)
        try:
            result = entry(**inputs)
            arrays = _outputs(result)
        except NotPlain as exc:
            signal.setitimer(signal.ITIMER_PROF, 0)
            _send(fd, b"E", json.dumps({"status": "bad_output", "message": str(exc)}).encode())
            continue
        except BaseException as exc:
            signal.setitimer(signal.ITIMER_PROF, 0)
            _send(fd, b"E", json.dumps(_failure(exc)).encode())
            continue
        signal.setitimer(signal.ITIMER_PROF, 0)
        if isinstance(entry, _Kernel):  # the kernel got copies: what it left in them is what counts
            inputs.update(entry.inputs_after)
        returned = [(f"in:{name}", array) for name, array in inputs.items()]
        _send(fd, b"O", pack_parts(arrays + returned, {"tuple": isinstance(result, tuple)}))
    _exit(0)


if __name__ == "__main__":
    main()
