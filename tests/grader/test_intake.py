"""Uploaded bundles (grader/intake.py): every hostile zip is refused with its message before anything is
written; a good one unpacks, its reference runs in the sandbox and its outputs are made; a reference that
misbehaves is reported per case."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.intake import (
    IntakeError,
    IntakeLimits,
    bundle_digest,
    edited_archive,
    pack_bundle,
    prepare_bundle,
    unpack_archive,
)
from grader.sandbox import SandboxConfig
from tests.authoring_support import SLUG, bundle_files, good_zip, hostile_zips, make_zip


@pytest.mark.parametrize("name", sorted(hostile_zips()))
def test_a_hostile_zip_is_refused_with_its_message_and_nothing_is_written(name: str, tmp_path: Path) -> None:
    data, message = hostile_zips()[name]
    with pytest.raises(IntakeError, match=message.replace("(", r"\(").replace(".", r"\.")):
        unpack_archive(data, tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not Path("/etc/cron.d/evil").exists() and not (tmp_path.parent / "evil.py").exists()


def test_a_member_whose_header_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    data = bytearray(make_zip(bundle_files()))
    # The central directory says cases/08.in.json holds 2 bytes; its data is longer (and its CRC no longer fits).
    name = b"cases/08.in.json"
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[at + 24 : at + 28] = struct.pack("<I", 2)
    with pytest.raises(IntakeError, match=r"cases/08\.in\.json"):
        unpack_archive(bytes(data), tmp_path)


def test_an_input_npz_that_unpacks_to_too_much_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.zeros(3 << 20, dtype=np.float32))  # 12 MiB of zeros in a few KB
    with pytest.raises(IntakeError, match=r"cases/09\.in\.npz: its arrays unpack to more than 8 MiB"):
        unpack_archive(make_zip({**bundle_files(), "cases/09.in.npz": buffer.getvalue()}), tmp_path)


def test_a_good_zip_unpacks_into_a_folder_named_by_its_slug_without_outputs(tmp_path: Path) -> None:
    uploaded = {**bundle_files(), "cases/01.out.npz": b"forged expected output", ".DS_Store": b"\0"}
    folder = unpack_archive(make_zip(uploaded, folder="whatever-the-folder-is/"), tmp_path)
    assert folder == tmp_path / SLUG
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == sorted(bundle_files())  # the forged output and the archiver's litter are gone


def test_limits_are_the_callers(tmp_path: Path) -> None:
    with pytest.raises(IntakeError, match="the limit is 0 MiB"):
        unpack_archive(good_zip(), tmp_path, limits=IntakeLimits(max_archive_bytes=100))


@given(
    st.lists(
        st.lists(st.sampled_from([*"ab./\\:C", "..", "cases/", "files/", ".in.json"]), min_size=1, max_size=8).map(
            "".join
        ),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whatever_the_member_names_nothing_is_written_outside_the_bundle(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "uploads"
        root.mkdir()
        try:
            folder = unpack_archive(make_zip({**bundle_files(), **dict.fromkeys(names, b"{}")}), root)
        except IntakeError:
            folder = None
        written = [p for p in Path(tmp).rglob("*") if p.is_file()]
        assert all(folder is not None and folder in p.parents for p in written), written


def test_digest_names_the_content_and_survives_packing(tmp_path: Path) -> None:
    first = unpack_archive(good_zip(), tmp_path / "a" if (tmp_path / "a").mkdir() is None else tmp_path)
    packed = pack_bundle(first)
    assert packed == pack_bundle(first)  # deterministic
    again = unpack_archive(packed, tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path, derived=True)
    assert bundle_digest(first) == bundle_digest(again)
    (again / "statement.md").write_text("Changed.\n")
    assert bundle_digest(first) != bundle_digest(again)


def test_an_edit_replaces_parts_and_keeps_the_cases(tmp_path: Path) -> None:
    current = unpack_archive(good_zip(), tmp_path)
    data = edited_archive(current, parts={"statement.md": "New words.\r\n"}, cases_zip=None)
    (tmp_path / "new").mkdir()
    edited = unpack_archive(data, tmp_path / "new")
    assert (edited / "statement.md").read_text() == "New words.\n"
    assert sorted(p.name for p in (edited / "cases").iterdir()) == sorted(p.name for p in (current / "cases").iterdir())


def test_an_edit_with_a_hostile_cases_zip_is_refused(tmp_path: Path) -> None:
    current = unpack_archive(good_zip(), tmp_path)
    with pytest.raises(IntakeError, match=r"'\.\.' component"):
        edited_archive(current, parts={}, cases_zip=make_zip({"../01.in.json": b"{}"}))


# --- The reference in the sandbox ---


def _prepared(tmp_path: Path, sandbox: SandboxConfig, **kwargs: str):  # type: ignore[no-untyped-def]
    folder = unpack_archive(good_zip(**kwargs), tmp_path)
    return folder, prepare_bundle(folder, sandbox=sandbox)


def test_a_good_bundle_is_prepared_in_the_sandbox(tmp_path: Path, sandbox: SandboxConfig) -> None:
    folder, report = _prepared(tmp_path, sandbox)
    assert report.ok and report.sandboxed, report
    assert [c.name for c in report.cases] == [f"{n:02d}" for n in range(1, 9)]
    assert all((folder / "cases" / f"{n:02d}.out.npz").is_file() for n in range(1, 9))
    assert (folder / "cases" / "MANIFEST.json").is_file()


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("def triple(x):\n    raise ValueError('no')\n", "the reference failed (exception)"),
        ("def triple(x):\n    while True:\n        pass\n", "the reference failed (timeout)"),
        ("def triple(x):\n    return object()\n", "the reference failed"),
        ("import numpy as np\ndef triple(x):\n    return np.zeros(10**6)\n", "the reference's output was not received"),
        ("def triple(x):\n    return open('/etc/shadow').read()\n", "the reference failed (exception)"),
    ],
    ids=["raises", "loops", "returns an object", "returns too much", "reads the host"],
)
def test_a_reference_that_misbehaves_is_reported_per_case(
    reference: str, says: str, tmp_path: Path, sandbox: SandboxConfig
) -> None:
    _, report = _prepared(tmp_path, sandbox, reference=reference)
    assert not report.ok
    assert report.cases and all(not c.ok for c in report.cases)
    assert says in report.cases[0].message, report.cases[0]


def test_a_reference_that_does_not_import_is_refused(tmp_path: Path, sandbox: SandboxConfig) -> None:
    _, report = _prepared(tmp_path, sandbox, reference="def triple(x) return x\n")
    assert not report.ok and "compile_error" in report.cases[0].message


def test_a_schema_error_names_the_field_not_the_workers_folder(tmp_path: Path, sandbox: SandboxConfig) -> None:
    files = bundle_files()
    files["exercise.toml"] = files["exercise.toml"].replace(b'difficulty = "easy"', b'difficulty = "brutal"')
    folder = unpack_archive(make_zip(files), tmp_path)
    report = prepare_bundle(folder, sandbox=sandbox)
    assert not report.ok and report.problems == ["exercise.toml: `difficulty` must be one of easy, medium, hard"]


def test_too_few_cases_are_refused(tmp_path: Path, sandbox: SandboxConfig) -> None:
    files = {k: v for k, v in bundle_files().items() if not k.startswith("cases/0") or k < "cases/03"}
    files["exercise.toml"] = files["exercise.toml"].split(b"\n[[cases]]")[0] + (
        b'\n[[cases]]\nname = "01"\nvisible = true\n[[cases]]\nname = "02"\nvisible = false\n'
    )
    folder = unpack_archive(make_zip(files), tmp_path)
    report = prepare_bundle(folder, sandbox=sandbox)
    assert "has 2 cases; an exercise needs at least 8" in report.problems
    assert zipfile.is_zipfile(io.BytesIO(pack_bundle(folder)))
