"""The `[cpp]` table of a `language = "cpp"` bundle: how the submission is compiled and the C ABI it is called
with. `parse_cpp_spec` validates it (bundles.py calls it); `grader/cpp_build.py` compiles with it.

    [cpp]
    std = "c++17"                          # c++14 | c++17 | c++20 (default c++17)
    flags = ["-O2", "-march=x86-64-v2"]    # the default; every flag must be on the allowlist below
    fast_math = false                      # must be true for a bundle to use -ffast-math, -Ofast & co.
    compile_time_limit_s = 20              # CPU seconds for g++ (1..120)
    compile_memory_limit_mb = 1024         # g++'s memory (256..4096)
    max_library_kb = 16384                 # the built .so (64..65536)
    [[cpp.args]]                           # the C ABI, in call order: see grader/harness_cpp.py
    name = "a"
    dtype = "float32"
    role = "in"

Flags come from the bundle only; a learner submits source and never chooses flags. The allowlist keeps
bundles to flags that change code generation and nothing else (no `-I`, `-L`, `-l`, `-o`, `-B`, `-wrapper`,
`-fplugin`, `-specs`: those read files or run programs). `-march=native` is refused: a library built for
one worker's CPU could die with SIGILL on another, and timings would not compare across workers.

Floating point: exercises are fp-exact by default (the checker's tolerances assume IEEE arithmetic in the
order the reference uses). `-ffast-math` (reassociation, flush-to-zero, no NaN/inf) changes results beyond
those tolerances, so a bundle must say `fast_math = true` to use it and set its tolerances accordingly.
`-std=c++17` (not gnu++17) also keeps GCC from contracting a*b+c into an FMA behind the learner's back.
A learner can still ask for fast math in the source (`#pragma GCC optimize`); the checker's tolerances judge
the result either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.harness_cpp import SpecError, parse_args

STANDARDS = ("c++14", "c++17", "c++20")
DEFAULT_FLAGS = ("-O2", "-march=x86-64-v2")
# g++'s own arguments around the bundle's flags; -shared -fPIC make a library ctypes can load.
BASE_FLAGS = ("-shared", "-fPIC", "-pipe", "-fno-gnu-unique")
_ISA = "sse3|ssse3|sse4.1|sse4.2|popcnt|avx|avx2|fma|f16c|bmi|bmi2|lzcnt|avx512f|avx512bw|avx512vl|avx512dq|avxvnni"
SAFE_FLAGS = re.compile(
    r"^(?:-O[0-3s]"
    r"|-march=(?!native$)[a-z0-9][a-z0-9.-]{0,30}|-mtune=(?!native$)[a-z0-9][a-z0-9.-]{0,30}"
    rf"|-m(?:no-)?(?:{_ISA})"
    r"|-f(?:no-)?(?:unroll-loops|tree-vectorize|strict-aliasing|exceptions|rtti|omit-frame-pointer|math-errno"
    r"|tree-loop-vectorize|tree-slp-vectorize|peel-loops|prefetch-loop-arrays)"
    r"|-D[A-Za-z_][A-Za-z0-9_]{0,40}(?:=[A-Za-z0-9_.]{1,40})?"
    r"|-W[a-z-]{1,40}|-w)$"
)
FAST_MATH_FLAGS = re.compile(
    r"^(?:-Ofast|-ffast-math|-ffp-contract=fast|-fassociative-math|-freciprocal-math|-ffinite-math-only"
    r"|-funsafe-math-optimizations|-fno-signed-zeros|-fno-trapping-math)$"
)


@dataclass(frozen=True)
class CppSpec:
    """A validated `[cpp]` table (with `entry_point`, the symbol the library must export)."""

    entry_point: str
    args: tuple[dict[str, Any], ...]
    std: str = "c++17"
    flags: tuple[str, ...] = DEFAULT_FLAGS
    fast_math: bool = False
    compile_time_limit_s: float = 20.0
    compile_memory_limit_mb: int = 1024
    max_library_kb: int = 16384

    @property
    def command_flags(self) -> tuple[str, ...]:
        """Everything g++ gets besides the source and output paths (also part of the build cache key)."""
        return (f"-std={self.std}", *self.flags, *BASE_FLAGS)

    def args_list(self) -> list[dict[str, Any]]:
        """The ABI as `load_kernel` takes it (plain dicts, JSON-ready for the harness's header)."""
        return [dict(arg) for arg in self.args]

    def kernel_header(self) -> dict[str, object]:
        """What the harness's header carries for a kernel job (`Job.kernel`): {"symbol", "args"}."""
        return {"symbol": self.entry_point, "args": self.args_list()}


def flag_problem(flag: str, *, fast_math: bool) -> str | None:
    """Why a bundle may not use `flag`, or None when it may."""
    if FAST_MATH_FLAGS.match(flag):
        return None if fast_math else f"{flag} changes floating-point results: set `fast_math = true` to use it"
    if not isinstance(flag, str) or not SAFE_FLAGS.match(flag):
        return (
            f"{flag!r} is not an allowed compiler flag (allowed: -O0..-O3, -Os, -march=/-mtune= other than native, "
            "-mavx2 -mfma and other ISA switches, a few -f code-generation switches, -DNAME[=value], -W...)"
        )
    return None


def _number(raw: dict[str, Any], key: str, default: float, low: float, high: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise SpecError(f"{where}: `{key}` must be a number between {low:g} and {high:g}, got {value!r}")
    return float(value)


def parse_cpp_spec(raw: Any, entry_point: str, where: str) -> CppSpec:
    """Validate a `[cpp]` table; raises SpecError naming the key at fault (bundles.py adds the file)."""
    here = f"{where} [cpp]"
    if not isinstance(raw, dict):
        raise SpecError(f'{here}: a language = "cpp" bundle needs a [cpp] table with its [[cpp.args]]')
    known = {"std", "flags", "fast_math", "compile_time_limit_s", "compile_memory_limit_mb", "max_library_kb", "args"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SpecError(f"{here}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    std = raw.get("std", "c++17")
    if std not in STANDARDS:
        raise SpecError(f"{here}: `std` must be one of {', '.join(STANDARDS)}, got {std!r}")
    fast_math = raw.get("fast_math", False)
    if not isinstance(fast_math, bool):
        raise SpecError(f"{here}: `fast_math` must be true or false")
    flags = raw.get("flags", list(DEFAULT_FLAGS))
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise SpecError(f"{here}: `flags` must be a list of strings")
    for flag in flags:
        problem = flag_problem(flag, fast_math=fast_math)
        if problem:
            raise SpecError(f"{here}: `flags`: {problem}")
    try:
        parse_args(raw.get("args", []))
    except SpecError as exc:
        raise SpecError(f"{where} [[cpp.args]]: {exc}") from None
    return CppSpec(
        entry_point=entry_point,
        args=tuple(dict(arg) for arg in raw["args"]),
        std=std,
        flags=tuple(flags),
        fast_math=fast_math,
        compile_time_limit_s=_number(raw, "compile_time_limit_s", 20, 1, 120, here),
        compile_memory_limit_mb=int(_number(raw, "compile_memory_limit_mb", 1024, 256, 4096, here)),
        max_library_kb=int(_number(raw, "max_library_kb", 16384, 64, 65536, here)),
    )
