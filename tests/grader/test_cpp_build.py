"""Compiling C++ in the sandbox: the import check, the ELF reader on hostile bytes, compiler messages, limits
and the per-process cache."""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import cpp_build
from grader.bundles import Bundle, load_bundle
from grader.cpp_build import MESSAGE_LIMIT, check_library, compile_cpp, symbol_problem, trim_message
from grader.elf_symbols import ElfError, read_dynamic
from grader.results import Verdict
from grader.sandbox import SandboxConfig

needs_gxx = pytest.mark.usefixtures("gxx")
VADD = Path(__file__).resolve().parent / "bundles" / "vadd"
KERNEL = '#include <cstdint>\nextern "C" void vadd(const float* a, const float* b, float* c, int64_t n) {{ {body} }}\n'


def fresh(body: str = "for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];") -> str:
    """A source no earlier test compiled (the cache is per process)."""
    return KERNEL.format(body=body) + f"// {secrets.token_hex(8)}\n"


@pytest.fixture(scope="module")
def vadd() -> Bundle:
    return load_bundle(VADD)


def host_library(tmp_path: Path, source: str) -> bytes:
    (tmp_path / "k.cpp").write_text(source)
    subprocess.run(
        ["g++", "-std=c++17", "-O2", "-shared", "-fPIC", "-o", str(tmp_path / "k.so"), str(tmp_path / "k.cpp")],
        check=True,
        capture_output=True,
    )
    return (tmp_path / "k.so").read_bytes()


@pytest.mark.parametrize(
    "name",
    ["memcpy", "sqrtf", "expl", "_Znwm", "_ZdlPvm", "_ZnamSt11align_val_t", "__cxa_throw",
     "_ZSt20__throw_length_errorPKc", "__gxx_personality_v0", "_ZTISt13runtime_error",
     "_ZNSt13runtime_errorC1EPKc", "printf", "__stack_chk_fail"],
)  # fmt: skip
def test_memory_math_printing_and_the_cpp_runtime_are_allowed(name: str) -> None:
    assert symbol_problem(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("system", "start processes"),
        ("fork", "start processes"),
        ("execve", "start processes"),
        ("dlopen", "load code"),
        ("dlsym", "load code"),
        ("syscall", "raw system calls"),
        ("ptrace", "start processes"),
        ("pthread_create", "threads are refused"),
        ("clone", "start processes"),
        ("open", "open, read or write files"),
        ("clock_gettime", "read clocks"),
        ("socketpair", "not among the functions kernels may call"),
        ("_ZNSt14basic_ifstreamIcSt11char_traitsIcEEC1EPKcSt13_Ios_Openmode", "not among"),
    ],
)
def test_everything_else_is_refused_with_the_symbol_named(name: str, reason: str) -> None:
    problem = symbol_problem(name)
    assert problem is not None and f"`{name}`" in problem and reason in problem


@needs_gxx
def test_the_check_reads_a_real_library(tmp_path: Path) -> None:
    good = host_library(tmp_path, KERNEL.format(body="c[0] = a[0] + b[n];"))
    assert check_library(good, "vadd") is None
    assert check_library(good, "gemm") == 'your code defines no extern "C" function `gemm`'
    bad = host_library(tmp_path, "#include <unistd.h>\n" + KERNEL.format(body="fork(); getpid();"))
    problem = check_library(bad, "vadd")
    assert problem is not None and "`fork`" in problem and "`getpid`" in problem


@needs_gxx
def test_a_symbol_table_the_loader_does_not_use_is_refused(tmp_path: Path) -> None:
    data = bytearray(host_library(tmp_path, KERNEL.format(body="c[0] = 1;")))
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shnum = struct.unpack_from("<H", data, 0x3C)[0]
    for index in range(shnum):
        header = shoff + index * 64
        if struct.unpack_from("<I", data, header + 4)[0] == 11:  # SHT_DYNSYM: point its address elsewhere
            struct.pack_into("<Q", data, header + 16, struct.unpack_from("<Q", data, header + 16)[0] + 8)
    with pytest.raises(ElfError, match="disagree"):
        read_dynamic(bytes(data))


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory, gxx: str) -> bytes:
    return host_library(tmp_path_factory.mktemp("elf"), KERNEL.format(body="c[0] = a[0];"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_the_elf_reader_only_ever_answers_or_raises_elf_error(sample_library: bytes, data: st.DataObject) -> None:
    blob = bytearray(sample_library)
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    with contextlib.suppress(ElfError):
        read_dynamic(bytes(blob[:cut]))


def test_compiler_messages_lose_the_work_folder_and_stay_under_the_limit() -> None:
    text = trim_message(b"/box/submission.cpp:3:1: error: x\n/tmp/bq-grader-abc123/box/submission.cpp:4: y\n")
    assert text == "submission.cpp:3:1: error: x\nsubmission.cpp:4: y"
    long = trim_message(b"error: spam\n" * 10_000)
    assert len(long) <= MESSAGE_LIMIT and "more compiler output cut" in long


@needs_gxx
def test_a_source_compiles_once_per_process(
    vadd: Bundle, sandbox: SandboxConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vadd.cpp is not None
    calls = []
    real = cpp_build.run_command
    monkeypatch.setattr(cpp_build, "run_command", lambda *a, **k: calls.append(1) or real(*a, **k))
    source = fresh()
    first = compile_cpp(source, vadd.cpp, sandbox)
    second = compile_cpp(source, vadd.cpp, sandbox, sandboxed=False)
    assert first.ok and second is first and len(calls) == 1
    other_flags = dataclasses.replace(vadd.cpp, flags=("-O3",))
    assert compile_cpp(source, other_flags, sandbox).ok and len(calls) == 2


@needs_gxx
def test_a_trusted_source_compiles_without_the_sandbox(vadd: Bundle) -> None:
    assert vadd.cpp is not None
    result = compile_cpp(fresh(), vadd.cpp, SandboxConfig(), sandboxed=False)
    assert result.ok and result.verdict is Verdict.AC and result.library and result.library[:4] == b"\x7fELF"
    broken = compile_cpp(fresh("c[0] = nope;"), vadd.cpp, SandboxConfig(), sandboxed=False)
    assert broken.verdict is Verdict.CE and "submission.cpp:2:" in broken.message and "bq-grader" not in broken.message


@needs_gxx
def test_a_compile_over_its_memory_limit_is_mle(vadd: Bundle, sandbox: SandboxConfig) -> None:
    assert vadd.cpp is not None
    spec = dataclasses.replace(vadd.cpp, compile_memory_limit_mb=256)
    source = "#define A(x) x x x x x x x x x x\n#define B(x) A(A(A(A(A(A(A(x)))))))\nlong t[] = { B(1+) 0 };\n"
    result = compile_cpp(source + fresh("c[0] = t[n];"), spec, sandbox)
    assert result.verdict is Verdict.MLE and "more than 256 MB" in result.message


@needs_gxx
def test_no_compiler_is_an_internal_error_saying_what_to_install(
    vadd: Bundle, sandbox: SandboxConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vadd.cpp is not None
    monkeypatch.setattr(cpp_build, "compiler_version", lambda: None)
    result = compile_cpp(fresh(), vadd.cpp, sandbox)
    assert result.verdict is Verdict.IE and "apt-get install g++" in result.message


@needs_gxx
def test_a_spec_made_in_code_gets_the_same_flag_allowlist(vadd: Bundle, sandbox: SandboxConfig) -> None:
    assert vadd.cpp is not None
    for flags in (("-O2", "-fplugin=/tmp/evil.so"), ("-ffast-math",)):
        result = compile_cpp(fresh(), dataclasses.replace(vadd.cpp, flags=flags), sandbox)
        assert result.verdict is Verdict.IE and flags[-1] in result.message


@needs_gxx
@pytest.mark.parametrize("text", ["out of memory", "CPU time limit exceeded", "File size limit exceeded"])
def test_a_learners_error_directive_cannot_pass_for_a_limit(text: str, vadd: Bundle, sandbox: SandboxConfig) -> None:
    assert vadd.cpp is not None
    result = compile_cpp(f"#error {text}\n" + fresh(), vadd.cpp, sandbox)
    assert result.verdict is Verdict.CE and text in result.message
