"""`language = "cpp"` bundles: the `[cpp]` table, `[[cpp.args]]`, the flag allowlist and the public view."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grader.bundles import BundleError, load_bundle
from grader.cpp_spec import DEFAULT_FLAGS, flag_problem
from grader.intake import bundle_digest, edited_archive, prepare_bundle, unpack_archive
from grader.sandbox import SandboxConfig
from tests.authoring_support import good_zip, make_zip

VADD = Path(__file__).resolve().parent / "bundles" / "vadd"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "vadd"
    shutil.copytree(VADD, target)
    return target


def test_a_cpp_bundle_loads_with_its_abi_and_defaults() -> None:
    bundle = load_bundle(VADD)
    assert bundle.language == "cpp"
    assert bundle.cpp is not None
    assert bundle.cpp.entry_point == "vadd"
    assert [a["name"] for a in bundle.cpp.args] == ["a", "b", "c", "n"]
    assert bundle.cpp.flags == DEFAULT_FLAGS
    assert bundle.cpp.command_flags[0] == "-std=c++17"
    assert bundle.reference_path.name == "reference.cpp"
    assert not bundle.is_lab


def test_the_public_view_shows_the_cpp_starter_and_signature_never_the_reference() -> None:
    bundle = load_bundle(VADD)
    public = bundle.public_view().to_dict()
    assert public["starter"] == (VADD / "starter.cpp").read_text()
    assert public["signature"].startswith('extern "C" void vadd(')
    assert public["language"] == "cpp"
    reference_body = "c[i] = a[i] + b[i];"
    assert reference_body in bundle.reference_source()
    assert all(reference_body not in str(value) for value in public.values())


def test_a_python_bundle_still_defaults_to_python() -> None:
    bundle = load_bundle(VADD.parent / "double")
    assert bundle.language == "python" and bundle.cpp is None
    assert bundle.reference_path.name == "reference.py"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('language = "cpp"', 'language = "fortran"', "`language` must be one of"),
        ('language = "cpp"\n', "", "`signature` must start with 'def vadd('"),
        ('signature = \'extern "C" void vadd(', "signature = 'void vadd(", "must start with 'extern \"C\" void vadd('"),
        ('entry_point = "vadd"', 'entry_point = "v-add"', "must be a C identifier"),
        ('std = "c++17"', 'std = "c++98"', "`std` must be one of"),
        ('"-march=x86-64-v2"]', '"-march=native"]', "not an allowed compiler flag"),
        ('"-march=x86-64-v2"]', '"-I/etc"]', "not an allowed compiler flag"),
        ('"-march=x86-64-v2"]', '"-Wl,-rpath,/tmp"]', "not an allowed compiler flag"),
        ('"-march=x86-64-v2"]', '"-fplugin=/tmp/x.so"]', "not an allowed compiler flag"),
        ('"-march=x86-64-v2"]', '"-ffast-math"]', "set `fast_math = true`"),
        ("compile_time_limit_s = 20", "compile_time_limit_s = 0", "`compile_time_limit_s` must be a number between"),
        ("compile_memory_limit_mb = 1024", "compile_memory_limit_mb = 99999", "`compile_memory_limit_mb`"),
        ('role = "scalar"', 'role = "global"', "`role` must be one of"),
        ('shape = "n"', 'shape = "q"', "`q` is not a scalar argument"),
        ('shape = "n"', "shape = \"open('x')\"", "expression"),
        ('value = "a.shape[0]"', 'value = "a.shape[0] ** 2"', "expression"),
        ("[cpp]\n", "[cpp]\nlinker = 'gold'\n", "unknown key"),
    ],
)
def test_invalid_cpp_metadata_is_reported_with_file_and_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    bundle = _copy(tmp_path)
    meta = bundle / "exercise.toml"
    text = meta.read_text()
    assert old in text
    meta.write_text(text.replace(old, new, 1))
    with pytest.raises(BundleError, match=re.escape(message)) as info:
        load_bundle(bundle)
    assert "exercise.toml" in str(info.value)


def test_fast_math_is_allowed_when_the_bundle_says_so(tmp_path: Path) -> None:
    bundle = _copy(tmp_path)
    meta = bundle / "exercise.toml"
    meta.write_text(
        meta.read_text().replace('"-march=x86-64-v2"]', '"-ffast-math", "-mavx2", "-mfma"]\nfast_math = true')
    )
    loaded = load_bundle(bundle)
    assert loaded.cpp is not None and loaded.cpp.fast_math and "-ffast-math" in loaded.cpp.flags


def test_a_cpp_bundle_needs_its_cpp_files(tmp_path: Path) -> None:
    bundle = _copy(tmp_path)
    (bundle / "reference.cpp").unlink()
    (bundle / "reference.py").write_text("def vadd(a, b):\n    return a + b\n")
    with pytest.raises(BundleError, match=r"reference\.cpp: missing"):
        load_bundle(bundle)


def test_a_cpp_table_without_language_cpp_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "double"
    shutil.copytree(VADD.parent / "double", bundle)
    meta = bundle / "exercise.toml"
    meta.write_text(meta.read_text() + '\n[cpp]\nstd = "c++17"\n')
    with pytest.raises(BundleError, match=r'\[cpp\] table needs `language = "cpp"`'):
        load_bundle(bundle)


@pytest.mark.parametrize("flag", ["-O3", "-Os", "-march=x86-64-v3", "-mavx2", "-mfma", "-funroll-loops", "-DBLOCK=64"])
def test_code_generation_flags_are_allowed(flag: str) -> None:
    assert flag_problem(flag, fast_math=False) is None


@pytest.mark.parametrize(
    "flag", ["-o", "-I/usr", "-L/tmp", "-lpthread", "-B/tmp", "-wrapper", "-specs=x", "-fopenmp", "-pthread", "-x"]
)
def test_flags_that_read_files_or_run_programs_are_refused(flag: str) -> None:
    assert flag_problem(flag, fast_math=True) is not None


# --- An uploaded C++ bundle (grader/intake.py) ---


def _vadd_zip(**replace: bytes) -> bytes:
    files = {name: (VADD / name).read_bytes() for name in ("exercise.toml", "statement.md", "starter.cpp")}
    files["reference.cpp"] = (VADD / "reference.cpp").read_bytes()
    files |= {f"cases/{p.name}": p.read_bytes() for p in sorted((VADD / "cases").glob("*.in.npz"))}
    return make_zip(files | replace, folder="vadd/")


def test_an_uploaded_cpp_bundle_is_prepared_in_the_sandbox(tmp_path: Path, sandbox: SandboxConfig) -> None:
    folder = unpack_archive(_vadd_zip(), tmp_path)
    report = prepare_bundle(folder, sandbox=sandbox, content_rules=False)
    assert report.ok and report.sandboxed, report
    for case in ("01", "02", "03"):
        assert (folder / "cases" / f"{case}.out.npz").read_bytes() == (VADD / "cases" / f"{case}.out.npz").read_bytes()


def test_an_uploaded_cpp_reference_that_does_not_compile_is_refused(tmp_path: Path, sandbox: SandboxConfig) -> None:
    broken = b'#include <cstdint>\nextern "C" void vadd(const float* a, const float* b, float* c, int64_t n) { x }\n'
    folder = unpack_archive(_vadd_zip(**{"reference.cpp": broken}), tmp_path)
    report = prepare_bundle(folder, sandbox=sandbox, content_rules=False)
    assert not report.ok
    assert any("the reference does not compile (CE)" in p and "'x' was not declared" in p for p in report.problems)


def test_editing_a_python_bundle_adds_no_cpp_files(tmp_path: Path) -> None:
    current = unpack_archive(good_zip(), tmp_path)
    (tmp_path / "new").mkdir()
    edited = unpack_archive(edited_archive(current, parts={}, cases_zip=None), tmp_path / "new")
    assert bundle_digest(edited) == bundle_digest(current)
    assert not (edited / "starter.cpp").exists()
