"""C++ submissions end to end, and hostile kernels: each gets its verdict with a message that says why, and
the grader is healthy after every one of them (no sandbox process, no temporary folder left: the
`healthy_worker` fixture), and still grades the next submission."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.build import build_bundle, check_bundle
from grader.bundles import Bundle, load_bundle
from grader.outputs import npz_bytes
from grader.results import GradeResult, Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

pytestmark = pytest.mark.usefixtures("healthy_worker", "gxx")

VADD = Path(__file__).resolve().parent / "bundles" / "vadd"
HEAD = "#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n#include <unistd.h>\n#include <fcntl.h>\n"
SIGNATURE = 'extern "C" void vadd(const float* a, const float* b, float* c, int64_t n)'
CORRECT = "for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];"


def kernel(body: str, before: str = "") -> str:
    return f"{HEAD}{before}\n{SIGNATURE} {{\n{body}\n}}\n"


def raw_syscall(number: int, *args: str) -> str:
    """Inline assembly making system call `number`: no imported symbol for the symbol check to see."""
    registers = ["D", "S", "d"]
    inputs = "".join(f', "{registers[i]}"((long)({arg}))' for i, arg in enumerate(args))
    return f'({{ long r; asm volatile("syscall" : "=a"(r) : "a"({number}L){inputs} : "rcx", "r11", "memory"); r; }})'


@pytest.fixture(scope="module")
def vadd() -> Bundle:
    return load_bundle(VADD)


def run(bundle: Bundle, sandbox: SandboxConfig, code: str, cases: str = "all") -> GradeResult:
    return grade(bundle, code, cases=cases, sandbox=sandbox)  # type: ignore[arg-type]


def explain(result: GradeResult) -> tuple[object, ...]:
    return (result.verdict, result.message, [(c.verdict, c.message) for c in result.cases])


def test_the_reference_is_accepted_in_the_sandbox(vadd: Bundle, sandbox: SandboxConfig) -> None:
    result = run(vadd, sandbox, vadd.reference_source())
    assert result.verdict is Verdict.AC, explain(result)
    assert result.sandboxed and result.score == result.max_score == 3
    assert all(c.time_ms is not None for c in result.cases)


def test_the_starter_is_wrong_because_its_output_stays_poisoned(vadd: Bundle, sandbox: SandboxConfig) -> None:
    result = run(vadd, sandbox, vadd.starter, cases="visible")
    assert result.verdict is Verdict.WA, explain(result)
    assert "nan" in (result.cases[0].message + result.cases[0].diff).lower()


def test_a_kernel_that_writes_its_input_is_wrong_even_with_the_right_output(
    vadd: Bundle, sandbox: SandboxConfig
) -> None:
    code = kernel(f"{CORRECT}\nconst_cast<float*>(a)[0] = 42.0f;")
    result = run(vadd, sandbox, code, cases="visible")
    assert result.verdict is Verdict.WA, explain(result)
    assert "modified its input `a`" in result.cases[0].message


def test_a_kernel_with_an_off_by_one_write_is_a_runtime_error(vadd: Bundle, sandbox: SandboxConfig) -> None:
    result = run(vadd, sandbox, kernel("for (int64_t i = 0; i <= n; ++i) c[i] = a[i % n] + b[i % n];"), "visible")
    assert result.verdict is Verdict.RE, explain(result)
    assert "outside the buffer of `c`" in result.cases[0].message


def test_hidden_cases_of_a_cpp_submission_show_only_their_verdict(vadd: Bundle, sandbox: SandboxConfig) -> None:
    code = kernel('if (n > 1) std::printf("%f", a[0]);\nfor (int64_t i = 0; i < n; ++i) c[i] = 0;')
    result = run(vadd, sandbox, code)
    assert [c.verdict for c in result.cases] == [Verdict.WA] * 3
    assert result.cases[0].message and all(c.message == "" == c.diff for c in result.cases[1:])


HOSTILE: dict[str, tuple[str, Verdict, str]] = {
    "a syntax error": (kernel("c[0] = oops;"), Verdict.CE, "submission.cpp:8:8: error: 'oops' was not declared"),
    "no extern C": (f'{HEAD}void vadd(const float* a, const float* b, float* c, int64_t n) {{}}\n', Verdict.CE,
                    "declare it extern \"C\""),
    "system()": (kernel(f'std::system("id > /box/owned");\n{CORRECT}'), Verdict.CE, "`system`: kernels may not start"),
    "a fork loop": (kernel(f"for (;;) fork();\n{CORRECT}"), Verdict.CE, "`fork`"),
    "raw syscall()": (kernel(f"syscall(39);\n{CORRECT}"), Verdict.CE, "`syscall`: kernels may not make raw"),
    "opening /etc/passwd": (kernel(f'open("/etc/passwd", O_RDONLY);\n{CORRECT}'), Verdict.CE, "`open`"),
    "fopen": (kernel(f'std::fopen("/etc/passwd", "r");\n{CORRECT}'), Verdict.CE, "`fopen`"),
    "dlopen": (kernel(f'dlopen("libc.so.6", 2);\n{CORRECT}', "#include <dlfcn.h>"), Verdict.CE, "`dlopen`"),
    "a thread": (kernel(f"std::thread t([] {{}});\nt.join();\n{CORRECT}", "#include <thread>"), Verdict.CE,
                 "threads are refused"),
    '#include "/etc/shadow"': ('#include "/etc/shadow"\n' + kernel(CORRECT), Verdict.CE,
                               "/etc/shadow: No such file or directory"),
    '#include "/dev/zero"': ('#include "/dev/zero"\n' + kernel(CORRECT), Verdict.CE, "/dev/zero: No such file"),
    "template recursion": (
        "template <int N> struct R { static const int v = R<N + 1>::v; };\n" + kernel(f"c[0] = R<0>::v;\n{CORRECT}"),
        Verdict.CE, "template instantiation depth",
    ),
    "an initialised array over the library limit": (
        kernel(f"{CORRECT}\nc[0] += big[n];", "static char big[1 << 26] = {1};"), Verdict.OLE, "over 16384 KB",
    ),
    "a zero-filled array too big to map": (
        kernel(f"{CORRECT}\nbig[n] = 1; c[0] += big[n / 2];", "static char big[1L << 40];"), Verdict.MLE,
        "loading the compiled kernel failed:\nkernel.so: failed to map segment",
    ),
    "an infinite loop": (kernel("for (volatile int i = 0;; ) {}"), Verdict.TLE, ""),
    "an infinite loop in a static constructor": (
        kernel(CORRECT, "static int spin() { for (volatile int i = 0;; ) {} return 0; }\nstatic int x = spin();"),
        Verdict.TLE, "",
    ),
    "a segmentation fault": (kernel("*(volatile int*)0 = 1;"), Verdict.RE, "SIGSEGV"),
    "printing forever": (kernel('for (;;) std::puts("spam spam spam spam spam spam");'), Verdict.OLE, ""),
    "writing garbage to every descriptor": (
        kernel(f"for (int fd = 3; fd < 64; ++fd) {raw_syscall(1, 'fd', 'junk', '8')};\n{CORRECT}",
               'static const char junk[] = "E\\0\\0\\0\\3abc";'),
        Verdict.RE, "result channel was corrupted",
    ),
}  # fmt: skip


LONG = {"an infinite loop", "an infinite loop in a static constructor", "printing forever"}  # seconds each


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] if n in LONG else []) for n in HOSTILE])
def test_hostile_kernel_gets_its_verdict_and_a_message(name: str, vadd: Bundle, sandbox: SandboxConfig) -> None:
    code, expected, message = HOSTILE[name]
    result = run(vadd, sandbox, code, cases="visible")
    assert result.verdict is expected, explain(result)
    assert message in result.message + "".join(c.message for c in result.cases), explain(result)


# These only compute the right answer when the sandbox refused what they tried, so AC proves the refusal.
REFUSED_AT_RUN_TIME = {
    "fork through inline asm": f"long r = {raw_syscall(57)};\nif (r == 0) for (;;) {{}}\nif (r >= 0) return;",
    "clone3 through inline asm": (
        f"long args[11] = {{}};\nlong r = {raw_syscall(435, 'args', '88')};\nif (r == 0) for (;;) {{}}\n"
        "if (r >= 0) return;"
    ),
    "execve /bin/sh through inline asm": (
        'const char* argv[] = {"/bin/sh", "-c", "exit 0", nullptr};\n'
        f"if ({raw_syscall(59, 'argv[0]', 'argv', '0')} >= 0) return;"
    ),
    "opening /etc/passwd through inline asm": f"if ({raw_syscall(2, 'path', '0')} >= 0) return;",
    "reading the host through /proc/1/root": f"if ({raw_syscall(2, 'host', '0')} >= 0) return;",
    "ptrace through inline asm": f"if ({raw_syscall(101, '16', '1')} >= 0) return;",
}
PATHS = 'static const char path[] = "/etc/passwd";\nstatic const char host[] = "/proc/1/root/etc/hostname";'


@pytest.mark.parametrize("name", list(REFUSED_AT_RUN_TIME))
def test_system_calls_made_without_imports_are_refused(name: str, vadd: Bundle, sandbox: SandboxConfig) -> None:
    result = run(vadd, sandbox, kernel(f"{REFUSED_AT_RUN_TIME[name]}\n{CORRECT}", PATHS), cases="visible")
    assert result.verdict is Verdict.AC, explain(result)


@pytest.mark.slow
def test_a_constexpr_bomb_is_stopped_at_the_compile_time_limit(vadd: Bundle, sandbox: SandboxConfig) -> None:
    assert vadd.cpp is not None
    quick = dataclasses.replace(vadd, cpp=dataclasses.replace(vadd.cpp, compile_time_limit_s=2))
    code = kernel(
        f"c[0] = (float)fib(60);\n{CORRECT}",
        "constexpr long fib(long k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }\nstatic_assert(fib(60) > 0);",
    )
    result = run(quick, sandbox, code)
    assert result.verdict is Verdict.TLE, explain(result)
    assert "compiling took more than 2 s of CPU time" in result.message, explain(result)


def test_the_grader_still_grades_after_all_of_that(vadd: Bundle, sandbox: SandboxConfig) -> None:
    assert run(vadd, sandbox, kernel(f"// a comment makes a new source\n{CORRECT}")).verdict is Verdict.AC


def test_check_proves_the_cpp_reference_and_its_stored_outputs(vadd: Bundle, sandbox: SandboxConfig) -> None:
    report = check_bundle(vadd, content_rules=False, sandbox=sandbox)
    assert report.ok and report.sandboxed, report.problems


def test_a_reference_that_no_longer_compiles_fails_the_check(tmp_path: Path, sandbox: SandboxConfig) -> None:
    copy = tmp_path / "vadd"
    shutil.copytree(VADD, copy)
    (copy / "reference.cpp").write_text(kernel("c[0] = missing;"))
    report = check_bundle(load_bundle(copy), content_rules=False, sandbox=sandbox)
    assert any("the reference does not compile (CE)" in p and "missing" in p for p in report.problems), report.problems


def test_any_argument_name_travels_through_the_protocol(tmp_path: Path, sandbox: SandboxConfig) -> None:
    """`file` is also np.savez's own parameter; a bundle may still name an input so."""
    copy = tmp_path / "vadd"
    shutil.copytree(VADD, copy)
    meta = copy / "exercise.toml"
    meta.write_text(meta.read_text().replace('name = "a"', 'name = "file"').replace("a.shape[0]", "file.shape[0]"))
    for case in (copy / "cases").glob("*.in.npz"):
        arrays = dict(np.load(case))
        case.write_bytes(npz_bytes({"file": arrays.pop("a"), **arrays}))
    (copy / "reference.cpp").write_text(
        kernel(CORRECT).replace("const float* a,", "const float* file,").replace("a[i]", "file[i]")
    )
    bundle = load_bundle(copy)
    build_bundle(bundle)
    assert run(bundle, sandbox, bundle.reference_source()).verdict is Verdict.AC
    scribbler = bundle.reference_source().replace("c[i] = file[i]", "const_cast<float*>(file)[i] = 0, c[i] = file[i]")
    result = run(bundle, sandbox, scribbler, cases="visible")
    assert result.verdict is Verdict.WA and "modified its input `file`" in result.cases[0].message, explain(result)
