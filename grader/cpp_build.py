"""Compiling a C++ submission into a shared library, in the sandbox, and checking what it imports.

`compile_cpp(source, spec, config)` runs g++ INSIDE bubblewrap (`grader.sandbox.run_command`: no /proc, no
/dev, no /etc, a tmpfs /tmp, the work folder holding only `submission.cpp`) with the bundle's flags
(grader/cpp_spec.py) and its own limits: `compile_time_limit_s` of CPU (TLE), `compile_memory_limit_mb`
(MLE), `max_library_kb` for any file it writes (OLE). Compiler messages are trimmed to 4 KB with the work
folder's paths shortened to `submission.cpp`, and shown as CE.

Then the symbol check reads the library's dynamic symbols (grader/elf_symbols.py, pure Python) and answers CE
for any import outside `ALLOWED_SYMBOLS` / `ALLOWED_PATTERNS`: memory and string basics, libm, printing to
stdout/stderr, and the C++ runtime's allocation, exceptions and static initialisation. Process, thread,
file, network, dynamic-loading, timing and raw system-call functions are refused by name (`REFUSED` gives
the reason shown). This check gives a clear message early; it is not the wall: code can make system calls
without importing anything (inline `asm`), so the sandbox's seccomp filters (which also refuse clone, fork
and exec to a loaded kernel), namespaces and limits are what holds.

Compiled libraries are cached in this process by (source hash, flags, compiler version), so one grading, or
`check` grading a reference it just built, compiles each source once. (A trusted reference compiled without
the sandbox gives the same bytes the sandbox would, so where it was built is not part of the key.)
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass

from grader.cpp_spec import STANDARDS, CppSpec, flag_problem
from grader.elf_symbols import ElfError, read_dynamic
from grader.results import Verdict
from grader.sandbox import BOX, Command, SandboxConfig, Status, run_command

COMPILER = "g++"
SOURCE_NAME = "submission.cpp"
LIBRARY_NAME = "kernel.so"
MESSAGE_LIMIT = 4096
CACHE_SIZE = 32
INSTALL_HINT = (
    "This grading worker has no C++ compiler: install it with `sudo apt-get install g++` (or `make system-deps`)."
)
ALLOWED_LIBRARIES = frozenset({"libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6"})

_MATH = (  # noqa: SIM905 - a block of names reads better than a list of quoted words
    "sqrt cbrt hypot exp exp2 expm1 log log2 log10 log1p pow sin cos tan asin acos atan atan2 sinh cosh tanh "
    "asinh acosh atanh erf erfc tgamma lgamma fabs floor ceil round lround llround trunc rint lrint llrint "
    "nearbyint fmod remainder remquo fma fmin fmax fdim copysign ldexp frexp modf scalbn ilogb logb nextafter "
    "sincos"
).split()
ALLOWED_SYMBOLS = frozenset(
    [f"{name}{suffix}" for name in _MATH for suffix in ("", "f", "l")]
    + [f"__{name}_finite" for name in _MATH]
    + (  # noqa: SIM905
        "memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strchr strrchr strstr __memcpy_chk "
        "__memmove_chk __memset_chk __stack_chk_fail __assert_fail __errno_location abort malloc calloc realloc "
        "free aligned_alloc posix_memalign qsort bsearch abs labs llabs div ldiv rand srand printf puts putchar "
        "fprintf fputs fputc fwrite fflush snprintf sprintf vsnprintf vprintf vfprintf __printf_chk "
        "__fprintf_chk __sprintf_chk __snprintf_chk __vsnprintf_chk stdout stderr __gxx_personality_v0 "
        "_Unwind_Resume __gmon_start__ _ITM_registerTMCloneTable _ITM_deregisterTMCloneTable __cxa_finalize "
        "__cxa_atexit __cxa_thread_atexit_impl __cxa_allocate_exception __cxa_free_exception __cxa_throw "
        "__cxa_rethrow __cxa_begin_catch __cxa_end_catch __cxa_get_exception_ptr __cxa_call_unexpected "
        "__cxa_guard_acquire __cxa_guard_release __cxa_guard_abort __cxa_pure_virtual __cxa_deleted_virtual "
        "__cxa_bad_cast __cxa_bad_typeid __cxa_throw_bad_array_new_length _ZSt9terminatev __tls_get_addr"
    ).split()
)
ALLOWED_PATTERNS = (
    re.compile(r"^_Zn[wa][mj](?:St11align_val_t)?(?:RKSt9nothrow_t)?$"),  # operator new / new[]
    re.compile(r"^_Zd[la]Pv[mj]?(?:St11align_val_t)?(?:RKSt9nothrow_t)?$"),  # operator delete / delete[]
    re.compile(r"^_ZSt\d+__throw_[a-z_]+\w*$"),  # std::__throw_length_error & co. (std::vector, std::array)
    re.compile(r"^_ZT[ISV](?:St|N10__cxxabiv1|N9__gnu_cxx)\w*$"),  # typeinfo and vtables of std exceptions
    re.compile(
        r"^_ZNK?St(?:9exception|9bad_alloc|20bad_array_new_length|11logic_error|12length_error|12out_of_range"
        r"|13runtime_error|16invalid_argument|12domain_error|11range_error|14overflow_error)\w*$"
    ),
)
_PROCESS = "kernels may not start processes or programs"
_THREADS = "kernels run on one thread: threads are refused"
_LOADING = "kernels may not load code at run time"
_SYSCALL = "kernels may not make raw system calls"
_FILES = "kernels may not open, read or write files or sockets: their inputs and outputs are the arguments"
_TIME = "kernels may not read clocks (timed exercises measure them from outside)"
REFUSED: dict[str, str] = {
    **dict.fromkeys(("system", "popen", "fork", "vfork", "clone", "clone3", "posix_spawn", "posix_spawnp",
                     "execl", "execlp", "execle", "execv", "execvp", "execvpe", "execve", "execveat", "fexecve",
                     "kill", "raise", "ptrace", "daemon", "_exit", "exit", "_Exit", "quick_exit"), _PROCESS),
    **dict.fromkeys(("pthread_create", "thrd_create", "_ZNSt6thread15_M_start_threadESt10unique_ptrINS_6_StateESt"
                     "14default_deleteIS1_EEPFvvE", "omp_get_num_threads", "GOMP_parallel"), _THREADS),
    **dict.fromkeys(("dlopen", "dlsym", "dlvsym", "dladdr", "dlinfo", "dlmopen", "mprotect", "mmap", "mmap64",
                     "munmap", "mremap"), _LOADING),
    "syscall": _SYSCALL,
    **dict.fromkeys(("open", "open64", "openat", "fopen", "fopen64", "freopen", "fdopen", "read", "write", "pread",
                     "pwrite", "socket", "connect", "bind", "getenv", "unlink", "opendir", "ioctl"), _FILES),
    **dict.fromkeys(("clock", "clock_gettime", "gettimeofday", "time", "times", "getrusage"), _TIME),
}  # fmt: skip


@dataclass(frozen=True)
class CompileResult:
    ok: bool
    library: bytes | None
    message: str  # compiler output or the refusal, trimmed to 4 KB, paths shortened
    verdict: Verdict  # AC when ok; CE when the compiler or the symbol check refuses; TLE/MLE/OLE/RE at a limit
    time_ms: float  # wall-clock milliseconds of the compile (CPU time is limited per process inside)


class CompileFailed(Exception):
    """`kernel_parts` could not build the library; `result` says why (verdict and message)."""

    def __init__(self, result: CompileResult) -> None:
        super().__init__(f"{result.verdict}: {result.message}")
        self.result = result


@dataclass(frozen=True)
class KernelParts:
    """What a `Job` needs to run a bundle's code: the library and the kernel header (empty for Python)."""

    library: bytes = b""
    kernel: dict[str, object] | None = None


def kernel_parts(spec: CppSpec | None, source: str, config: SandboxConfig, *, sandboxed: bool) -> KernelParts:
    """For a C++ bundle (`spec` given), compile `source` and return the Job's `library` and `kernel`; for a
    Python bundle, nothing. Raises CompileFailed when the source does not build."""
    if spec is None:
        return KernelParts()
    built = compile_cpp(source, spec, config, sandboxed=sandboxed)
    if not built.ok or built.library is None:
        raise CompileFailed(built)
    return KernelParts(built.library, spec.kernel_header())


def symbol_problem(name: str) -> str | None:
    """Why a kernel may not import `name`, or None when it may."""
    if name in ALLOWED_SYMBOLS or any(p.match(name) for p in ALLOWED_PATTERNS):
        return None
    reason = REFUSED.get(name)
    if reason is None:
        reason = "it is not among the functions kernels may call (memory, math, printing, the C++ runtime)"
    return f"your code uses `{name}`: {reason}"


def check_library(library: bytes, entry_point: str) -> str | None:
    """None when the library may be loaded, else the message shown as CE."""
    try:
        info = read_dynamic(library)
    except ElfError as exc:
        return f"the compiled library could not be read ({exc})"
    problems = [p for name in info.undefined if (p := symbol_problem(name))]
    strange = sorted(set(info.needed) - ALLOWED_LIBRARIES)
    if strange:
        problems.append(f"the library needs {', '.join(strange)}, which kernels may not link against")
    if problems:
        return "\n".join(problems[:10]) + ("\n..." if len(problems) > 10 else "")
    if not info.defines_function(entry_point):
        mangled = any(s.defined and re.search(rf"(?<!\d){len(entry_point)}{entry_point}", s.name) for s in info.symbols)
        hint = ' (it was compiled with C++ name mangling: declare it extern "C")' if mangled else ""
        return f'your code defines no extern "C" function `{entry_point}`{hint}'
    return None


def trim_message(output: bytes) -> str:
    """Compiler output for a learner: the work folder's paths shortened, at most MESSAGE_LIMIT characters."""
    text = re.sub(r"[^\s'\"]*/bq-grader-\w+/box/", "", output.decode("utf-8", "replace"))  # the host's work folder
    text = text.replace(f"{BOX}/", "").replace("\r", "")
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 200] + "\n... (more compiler output cut) ...\n" + text[-150:]
    return text.strip()


@functools.cache
def compiler_version() -> str | None:
    """`g++ -dumpfullversion` and the target, or None when there is no g++ (the cache key's compiler part)."""
    path = shutil.which(COMPILER)
    if path is None:
        return None
    probe = subprocess.run(  # noqa: S603 - the compiler found on PATH, fixed arguments
        [path, "-dumpfullversion", "-dumpmachine"], capture_output=True, text=True, timeout=30, check=False
    )
    return " ".join(probe.stdout.split()) or None


_cache: OrderedDict[tuple[str, tuple[str, ...], str], CompileResult] = OrderedDict()
_cache_lock = threading.Lock()


# Lines the toolchain itself prints when a limit stops it (a learner's `#error` cannot start a line so).
_TOOL = r"^(?:\S*/)?(?:g\+\+|cc1plus|as|ld|collect2): "
# SIGXCPU at the soft CPU limit, SIGKILL at the hard one (the cgroup's OOM killer is told apart by its count).
_CPU_KILLED = re.compile(_TOOL + r".*(?:CPU time limit exceeded|Killed) signal terminated program", re.M)
_MEMORY_OUT = re.compile(_TOOL + r".*(?:out of memory|Cannot allocate memory)|^virtual memory exhausted", re.M)
_FILE_TOO_BIG = re.compile(_TOOL + r".*(?:File size limit exceeded|File too large|No space left on device)", re.M)


def _limit_verdict(spec: CppSpec, status: Status, output: str, returncode: int | None) -> tuple[Verdict, str] | None:
    """The verdict when the compile hit a limit (the driver reports what killed cc1plus or ld), else None."""
    memory = f"compiling needed more than {spec.compile_memory_limit_mb} MB of memory"
    if status is Status.MEMORY:
        return Verdict.MLE, memory
    if status is Status.TIMEOUT or _CPU_KILLED.search(output):
        seconds = f"{spec.compile_time_limit_s:g}"
        return Verdict.TLE, f"compiling took more than {seconds} s of CPU time; simplify templates or constexpr work"
    if _MEMORY_OUT.search(output):
        return Verdict.MLE, memory
    if _FILE_TOO_BIG.search(output):
        return Verdict.OLE, f"the compiled library would be over {spec.max_library_kb} KB (a huge initialised array?)"
    if status is Status.CRASHED or (returncode is not None and returncode > 128):
        return Verdict.RE, f"the compiler was stopped (exit status {returncode})"
    return None


def compile_cpp(source: str, spec: CppSpec, config: SandboxConfig, *, sandboxed: bool = True) -> CompileResult:
    """Compile `source` with `spec`'s flags (in bubblewrap unless `sandboxed=False`, for trusted references
    on a machine without it) and check the library's imports. Results are cached (see the module docstring)."""
    version = compiler_version()
    if version is None:
        return CompileResult(False, None, INSTALL_HINT, Verdict.IE, 0.0)
    # A spec made in code rather than read by parse_cpp_spec gets the same allowlist.
    refused = [p for flag in spec.flags if (p := flag_problem(flag, fast_math=spec.fast_math))]
    if refused or spec.std not in STANDARDS:
        return CompileResult(False, None, "; ".join(refused) or f"unknown standard {spec.std!r}", Verdict.IE, 0.0)
    data = source.encode("utf-8", "surrogatepass")
    key = (hashlib.sha256(data).hexdigest(), (*spec.command_flags, spec.entry_point), version)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = _compile(data, spec, config, sandboxed=sandboxed)
    if result.verdict in (Verdict.AC, Verdict.CE):  # deterministic; a limit hit may depend on the machine's load
        with _cache_lock:
            _cache[key] = result
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return result


def _compile(data: bytes, spec: CppSpec, config: SandboxConfig, *, sandboxed: bool) -> CompileResult:
    max_mb = max(1, -(-spec.max_library_kb // 1024))
    command = Command(
        argv=(COMPILER, *spec.command_flags, "-fmax-errors=20", "-fdiagnostics-color=never", "-o", LIBRARY_NAME,
              SOURCE_NAME),
        files=((SOURCE_NAME, data),),
        collect=(LIBRARY_NAME,),
        cpu_limit_s=spec.compile_time_limit_s,
        memory_limit_mb=spec.compile_memory_limit_mb,
        max_file_size_mb=max_mb,
        env=(("LANG", "C"), ("LC_ALL", "C")),
    )  # fmt: skip
    run = run_command(command, config, sandboxed=sandboxed)
    message = trim_message(run.output)
    limit = _limit_verdict(spec, run.status, message, run.returncode)
    if limit is not None:
        verdict, why = limit  # the driver's own words ("internal compiler error ... submit a bug report") mislead
        return CompileResult(False, None, why, verdict, run.wall_ms)
    if run.returncode != 0:
        return CompileResult(
            False, None, message or f"g++ failed (exit status {run.returncode})", Verdict.CE, run.cpu_ms
        )
    library = run.files.get(LIBRARY_NAME)
    if library is None:
        return CompileResult(False, None, "g++ wrote no library", Verdict.CE, run.wall_ms)
    if len(library) > spec.max_library_kb * 1024:
        return CompileResult(
            False, None, f"the compiled library is over {spec.max_library_kb} KB", Verdict.OLE, run.wall_ms
        )
    problem = check_library(library, spec.entry_point)
    if problem is not None:
        return CompileResult(False, None, problem, Verdict.CE, run.wall_ms)
    return CompileResult(True, library, message, Verdict.AC, run.wall_ms)
