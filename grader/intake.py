"""Bundles from outside: a zip a curator uploads is hostile until it has been proven otherwise.

`unpack_archive` reads the zip's directory first and refuses, with a message saying what to change, an
archive that is not a zip, is encrypted, holds too many files, too big a file, more bytes in all than the
limits allow, a member that unpacks to far more than it weighs (a zip bomb), an absolute path, a `..`
component, a symbolic link or any other non-regular file, a name twice, a file a bundle does not have, or
a text file that is not UTF-8. It then writes the members one by one, counting the bytes it really reads
(a zip's declared sizes may lie), into a fresh folder named after the bundle's slug. Expected outputs in the
upload are dropped: they are always made again from the reference.

`prepare_bundle` validates the unpacked folder (the schema of `exercise.toml`, `grader.bundles.load_bundle`),
runs the reference on every case in the sandbox, writes the expected outputs and the manifest, then grades
the reference on its own outputs through the checker, and reports per case: ok, or what failed.
`bundle_digest` names a bundle's content (SHA-256 over its paths and bytes) and `pack_bundle` writes it as a
deterministic zip, so the same content always gives the same version.

No Django here: the worker calls it, and so can `python -m grader` on a machine that has only the grader.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import stat
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader.build import GENERATOR, MIN_CASES, MIN_VISIBLE, write_manifest
from grader.bundles import SLUG_RE, Bundle, BundleError, load_bundle
from grader.cpp_build import CompileFailed, kernel_parts
from grader.lab import failure_of, run_pipeline
from grader.outputs import OutputError, decode_outputs, outputs_npz
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import UNSANDBOXED_ENV, CaseInput, Job, SandboxConfig, SandboxUnavailable, Status, run_job

TEXT_FILES = (
    "exercise.toml", "statement.md", "starter.py", "reference.py", "starter.cpp", "reference.cpp", "checker.py",
)  # fmt: skip
CASE_FILE_RE = re.compile(r"^cases/([a-z0-9_-]{1,40})\.(in\.npz|in\.json|eval\.npz|out\.npz)$")
SHARED_FILE_RE = re.compile(r"^files/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
# What archivers add on their own; skipped without a word.
IGNORED_RE = re.compile(r"(^|/)(__MACOSX/.*|\.DS_Store|Thumbs\.db|__pycache__/.*)$")
MANIFEST_PATH = "cases/MANIFEST.json"
_CHUNK = 1 << 16


class IntakeError(ValueError):
    """An archive or bundle refused; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class IntakeLimits:
    """The most an upload may hold. The defaults fit every curated bundle with room to spare."""

    max_archive_bytes: int = 32 << 20
    max_files: int = 200
    max_file_bytes: int = 8 << 20
    max_total_bytes: int = 64 << 20
    # A member that unpacks to more than this many times its compressed size is refused (zip bombs reach
    # thousands; numpy arrays of real data rarely pass 20).
    max_ratio: int = 200


@dataclass(frozen=True)
class CaseReport:
    name: str
    visible: bool
    ok: bool
    message: str = ""
    time_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.name,
            "visible": self.visible,
            "ok": self.ok,
            "message": self.message,
            "time_ms": None if self.time_ms is None else round(self.time_ms, 1),
        }


@dataclass
class PrepareReport:
    """What `prepare_bundle` found: the problems that refuse the bundle, and one report per case."""

    slug: str
    problems: list[str] = field(default_factory=list)
    cases: list[CaseReport] = field(default_factory=list)
    sandboxed: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for c in self.cases)


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        return f"{name!r}: a name with control characters"
    if "\\" in name:
        return f"{name}: a backslash in a path (zip paths use '/'); make the zip again with a zip tool"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"{name}: an absolute path; a bundle's paths are relative (exercise.toml, cases/01.in.npz)"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return f"{name}: a '..' component would write outside the bundle"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"{name}: a symbolic link; put the file itself in the zip"
    kind = stat.S_IFMT(mode)  # 0 when the archiver recorded permissions only
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return f"{name}: not a regular file"
    if info.flag_bits & 0x1:
        return f"{name}: encrypted; upload a zip without a password"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"{name}: compressed with method {info.compress_type}; use stored or deflate (any zip tool's default)"
    return None


def _common_folder(names: list[str]) -> str:
    """'vector-add/' when every member lies in that one folder (a zipped folder), else ''."""
    firsts = {n.split("/", 1)[0] for n in names}
    if len(firsts) == 1 and all("/" in n for n in names):
        return next(iter(firsts)) + "/"
    return ""


def _check_utf8(relative: str, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IntakeError(
            f"{relative}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: IntakeLimits, relative: str) -> bytes:
    """The member's bytes, counted as they come: a header that lies about the size changes nothing."""
    cap = min(info.file_size, limits.max_file_bytes)
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise IntakeError(f"{relative}: unpacks to more bytes than its header says; refused")
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise IntakeError(f"{relative}: could not be read from the zip ({exc}); make the zip again") from None
    return b"".join(chunks)


def unpack_archive(data: bytes, dest: Path, *, limits: IntakeLimits | None = None, derived: bool = False) -> Path:
    """Checks an uploaded zip and writes its bundle into `dest/<slug>/` (a new folder); returns that folder.

    Raises IntakeError naming the first problem. Nothing is written before the zip's directory passed.
    Expected outputs and the manifest are dropped unless `derived` (a published version's own archive)."""
    limits = limits or IntakeLimits()
    if len(data) > limits.max_archive_bytes:
        raise IntakeError(
            f"the zip is {len(data) / (1 << 20):.1f} MiB; the limit is {limits.max_archive_bytes >> 20} MiB"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise IntakeError(f"not a zip archive ({exc}); upload the bundle folder zipped") from None
    if len(infos) > limits.max_files:
        raise IntakeError(f"the zip holds {len(infos)} entries; a bundle may have at most {limits.max_files}")
    for info in infos:
        problem = _member_problem(info)
        if problem:
            raise IntakeError(problem)
    files = [i for i in infos if not i.is_dir() and not IGNORED_RE.search(i.filename)]
    prefix = _common_folder([i.filename for i in files])
    wanted: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in files:
        relative = info.filename[len(prefix) :]
        if relative in wanted:
            raise IntakeError(f"{relative}: in the zip twice")
        if relative == GENERATOR:
            raise IntakeError(
                f"{GENERATOR}: a generator runs outside the sandbox, so an upload cannot have one; run it where "
                "the bundle is made and upload the files it writes (files/, cases/)"
            )
        known = relative in TEXT_FILES or relative == MANIFEST_PATH or SHARED_FILE_RE.match(relative)
        if not known and not CASE_FILE_RE.match(relative):
            raise IntakeError(
                f"{relative}: not part of a bundle (exercise.toml, statement.md, starter.py, reference.py or for C++ "
                "starter.cpp, reference.cpp, checker.py, files/NAME, and cases/NAME.in.npz, NAME.in.json or "
                "NAME.eval.npz); remove it"
            )
        if info.file_size > max(info.compress_size, 1) * limits.max_ratio and info.file_size > 1 << 20:
            raise IntakeError(
                f"{relative}: unpacks to {info.file_size} bytes from {info.compress_size}; refused as a zip bomb"
            )
        if info.file_size > limits.max_file_bytes:
            raise IntakeError(
                f"{relative}: {info.file_size / (1 << 20):.1f} MiB; a file may have at most "
                f"{limits.max_file_bytes >> 20} MiB"
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise IntakeError(f"the bundle unpacks to more than {limits.max_total_bytes >> 20} MiB in all")
        if (relative.endswith(".out.npz") or relative == MANIFEST_PATH) and not derived:
            continue  # expected outputs are made from the reference, never taken from an upload
        wanted[relative] = info
    if "exercise.toml" not in wanted:
        raise IntakeError("no exercise.toml at the top of the zip (or of its one folder)")

    meta_bytes = _read_member(archive, wanted["exercise.toml"], limits, "exercise.toml")
    _check_utf8("exercise.toml", meta_bytes)
    try:
        slug = tomllib.loads(meta_bytes.decode("utf-8")).get("slug")
    except tomllib.TOMLDecodeError as exc:
        raise IntakeError(f"exercise.toml: not valid TOML ({exc})") from None
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 80:
        raise IntakeError("exercise.toml: `slug` must be lowercase words joined by '-' (at most 80 characters)")

    folder = dest / slug
    folder.mkdir(mode=0o755)
    try:
        (folder / "cases").mkdir(mode=0o755)
        if any(r.startswith("files/") for r in wanted):
            (folder / "files").mkdir(mode=0o755)
        for relative, info in sorted(wanted.items()):
            content = meta_bytes if relative == "exercise.toml" else _read_member(archive, info, limits, relative)
            if relative in TEXT_FILES or relative.endswith(".json"):
                _check_utf8(relative, content)
            if relative.endswith((".in.npz", ".eval.npz")):
                _check_npz(relative, content, limits)
            _write_new(folder / relative, content)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a refused bundle leaves nothing behind
        raise
    return folder


def _check_npz(relative: str, content: bytes, limits: IntakeLimits) -> None:
    """An input `.npz` is itself a zip: its arrays are read in the web process for the examples, so it gets the
    same scrutiny (plain `.npy` members, a bounded unpacked size)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise IntakeError(f"{relative}: not a .npz archive ({exc}); write it with numpy.savez") from None
    for info in infos:
        problem = _member_problem(info)
        if problem or not info.filename.endswith(".npy") or "/" in info.filename:
            raise IntakeError(f"{relative}: member {info.filename!r} is not a plain array; write it with numpy.savez")
    if sum(i.file_size for i in infos) > limits.max_file_bytes:
        raise IntakeError(f"{relative}: its arrays unpack to more than {limits.max_file_bytes >> 20} MiB")


def _write_new(path: Path, content: bytes) -> None:
    """Creates the file; never follows a link and never overwrites (O_EXCL | O_NOFOLLOW)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def bundle_files(folder: Path) -> list[Path]:
    """A bundle's files in a fixed order: the text files, then cases/ (inputs, outputs, manifest)."""
    found = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def bundle_digest(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes (not the manifest, which is made from them): the
    version's name. Equal content, equal digest."""
    digest = hashlib.sha256()
    for path in bundle_files(folder):
        if path.relative_to(folder).as_posix() == MANIFEST_PATH:
            continue
        relative = path.relative_to(folder).as_posix().encode()
        content = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def pack_bundle(folder: Path) -> bytes:
    """The bundle as a deterministic zip (sorted names, fixed dates), in a folder named after its slug."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in bundle_files(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _relative_message(message: str, folder: Path) -> str:
    """Error messages name files inside the bundle, not the worker's temporary folder."""
    return message.replace(f"{folder}/", "").replace(str(folder), folder.name)


def prepare_bundle(folder: Path, *, sandbox: SandboxConfig | None = None, content_rules: bool = True) -> PrepareReport:
    """Validates the unpacked bundle, runs its reference on every case in the sandbox, writes the expected
    outputs and the manifest, and grades the reference against them. The report's `ok` says whether the
    bundle may be published. Without the sandbox only in local development, asked for both ways as
    `grade` asks (SandboxConfig(unsandboxed=True) and the environment variable).

    Raises SandboxUnavailable when the sandbox cannot run here (the caller retries elsewhere or says so)."""
    report = PrepareReport(slug=folder.name)
    try:
        bundle = load_bundle(folder)
    except BundleError as exc:
        report.problems.append(_relative_message(str(exc), folder))
        return report
    for name in ("statement.md", bundle.starter_path.name, bundle.reference_path.name):
        if not (folder / name).read_text(encoding="utf-8").strip():
            report.problems.append(f"{name} is empty")
    if content_rules:
        if len(bundle.cases) < MIN_CASES:
            report.problems.append(f"has {len(bundle.cases)} cases; an exercise needs at least {MIN_CASES}")
        if len(bundle.visible_cases) < MIN_VISIBLE:
            report.problems.append(f"has {len(bundle.visible_cases)} visible cases; at least {MIN_VISIBLE} are needed")
    if report.problems:
        return report
    config = sandbox or SandboxConfig()
    sandboxed = not config.unsandboxed
    if not sandboxed and os.environ.get(UNSANDBOXED_ENV) != "1":
        raise SandboxUnavailable(f"SandboxConfig(unsandboxed=True) also needs {UNSANDBOXED_ENV}=1")
    report.sandboxed = sandboxed
    _run_reference(bundle, config, report, sandboxed=sandboxed)
    if not report.ok:
        return report
    write_manifest(bundle)
    # The reference must pass its own checker, graded the way a learner is.
    result = grade(bundle, bundle.reference_source(), sandbox=config)
    by_name = {c.name: c for c in result.cases}
    checked = []
    for case in report.cases:
        outcome = by_name.get(case.name)
        if outcome is None or outcome.verdict is Verdict.AC:
            checked.append(case)
            continue
        detail = outcome.message or outcome.verdict.label
        checked.append(
            CaseReport(case.name, case.visible, False, f"the reference gets {outcome.verdict}: {detail}", case.time_ms)
        )
    report.cases = checked
    if result.verdict is Verdict.CE:
        report.problems.append(f"the reference does not import: {result.message}")
    return report


def _run_lab_reference(bundle: Bundle, config: SandboxConfig, report: PrepareReport, *, sandboxed: bool) -> None:
    """A lab bundle's reference through its stages (and the artifact's loader), in the sandbox."""
    runs = run_pipeline(bundle, bundle.reference_source(), bundle.cases, config, sandboxed=sandboxed)
    for case, run in zip(bundle.cases, runs, strict=True):
        times = [s.time_ms for s in run.stages if s.time_ms is not None]
        time_ms = sum(times) if times else None
        if run.failed or run.final is None or run.final.payload is None:
            report.cases.append(
                CaseReport(case.name, case.visible, False, f"the reference failed: {failure_of(run)}", time_ms)
            )
            continue
        try:
            outputs = decode_outputs(run.final.payload, max_bytes=bundle.output_limit_kb * 1024)
        except OutputError as exc:
            report.cases.append(CaseReport(case.name, case.visible, False, f"the reference's output: {exc}", time_ms))
            continue
        case.output_path.write_bytes(outputs_npz(outputs))
        report.cases.append(CaseReport(case.name, case.visible, True, "", time_ms))


def _run_reference(bundle: Bundle, config: SandboxConfig, report: PrepareReport, *, sandboxed: bool) -> None:
    if bundle.is_lab:
        _run_lab_reference(bundle, config, report, sandboxed=sandboxed)
        return
    try:
        parts = kernel_parts(bundle.cpp, bundle.reference_source(), config, sandboxed=sandboxed)
    except CompileFailed as failed:
        report.problems.append(f"the reference does not compile ({failed.result.verdict}): {failed.result.message}")
        return
    job = Job(
        entry_point=bundle.entry_point,
        code=bundle.reference_source(),
        cases=tuple(CaseInput(i, *c.input_bytes()) for i, c in enumerate(bundle.cases)),
        cpu_limit_s=bundle.time_limit_s,
        memory_limit_mb=bundle.memory_limit_mb,
        output_limit_bytes=bundle.output_limit_kb * 1024,
        process_per_case=bundle.process_per_case,
        library=parts.library,
        kernel=parts.kernel,
    )
    raws = run_job(job, config, sandboxed=sandboxed)
    for case, raw in zip(bundle.cases, raws, strict=True):
        time_ms = raw.cpu_ms if raw.cpu_ms is not None else raw.wall_ms
        if raw.status is Status.INTERNAL:
            raise SandboxUnavailable(f"the sandbox did not start: {raw.message}")
        if raw.status is Status.OK and raw.payload is None:
            message = f"the reference's output was not received: is it over the limit of {bundle.output_limit_kb} KB?"
            report.cases.append(CaseReport(case.name, case.visible, False, message, time_ms))
            continue
        if raw.status is not Status.OK or raw.payload is None:
            detail = (raw.message or raw.error_type or str(raw.status)).strip().splitlines()
            last = detail[-1] if detail else str(raw.status)
            report.cases.append(
                CaseReport(case.name, case.visible, False, f"the reference failed ({raw.status}): {last}", time_ms)
            )
            continue
        if raw.cpu_ms is not None and raw.cpu_ms > bundle.time_limit_s * 1000:
            report.cases.append(
                CaseReport(
                    case.name,
                    case.visible,
                    False,
                    f"the reference used {raw.cpu_ms:.0f} ms, over the limit of {bundle.time_limit_s * 1000:.0f} ms",
                    time_ms,
                )
            )
            continue
        try:
            outputs = decode_outputs(raw.payload, max_bytes=bundle.output_limit_kb * 1024)
        except OutputError as exc:
            report.cases.append(CaseReport(case.name, case.visible, False, f"the reference's output: {exc}", time_ms))
            continue
        case.output_path.write_bytes(outputs_npz(outputs))
        report.cases.append(CaseReport(case.name, case.visible, True, "", time_ms))


def read_text_parts(folder: Path) -> dict[str, str]:
    """The bundle's text files by name (a missing optional one is ''), for an editor."""
    return {
        name: (folder / name).read_text(encoding="utf-8") if (folder / name).is_file() else "" for name in TEXT_FILES
    }


def case_names(data: bytes) -> list[str]:
    """The case file names in a zip of cases (for a message); IntakeError when it is not a zip."""
    try:
        return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IntakeError(f"the cases are not a zip archive ({exc})") from None


def edited_archive(
    current: Path, *, parts: dict[str, str], cases_zip: bytes | None, limits: IntakeLimits | None = None
) -> bytes:
    """A new upload made of the current bundle with some text parts replaced (an empty checker.py drops
    it) and, when given, its cases replaced by those of `cases_zip` (a zip of NAME.in.npz / NAME.in.json,
    at its top or under cases/). The result goes through `unpack_archive` like any upload."""
    limits = limits or IntakeLimits()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        texts = read_text_parts(current) | parts
        for name, text in texts.items():
            if name not in TEXT_FILES:
                raise IntakeError(f"{name}: not a part of a bundle")
            # An empty part is dropped when the bundle lacks it (checker.py always; the other language's files).
            if text.strip() or (name != "checker.py" and (current / name).is_file()):
                archive.writestr(name, text.replace("\r\n", "\n"))
        for path in sorted((current / "files").glob("*")) if (current / "files").is_dir() else []:
            archive.writestr(f"files/{path.name}", path.read_bytes())
        if cases_zip is None:
            for path in sorted([*(current / "cases").glob("*.in.*"), *(current / "cases").glob("*.eval.npz")]):
                archive.writestr(f"cases/{path.name}", path.read_bytes())
        else:
            if len(cases_zip) > limits.max_archive_bytes:
                raise IntakeError(f"the cases' zip is over {limits.max_archive_bytes >> 20} MiB")
            source = zipfile.ZipFile(io.BytesIO(cases_zip))
            infos = source.infolist()
            if len(infos) > limits.max_files:
                raise IntakeError(f"the cases' zip holds {len(infos)} entries; at most {limits.max_files}")
            for info in infos:
                problem = _member_problem(info)
                if problem:
                    raise IntakeError(f"cases: {problem}")
                if info.is_dir() or IGNORED_RE.search(info.filename):
                    continue
                name = PurePosixPath(info.filename).name
                if not re.match(r"^[a-z0-9_-]{1,40}\.(in\.npz|in\.json|eval\.npz)$", name):
                    raise IntakeError(
                        f"cases: {info.filename}: case files are named NAME.in.npz, NAME.in.json or NAME.eval.npz"
                    )
                if info.file_size > limits.max_file_bytes:
                    raise IntakeError(f"cases: {name}: over {limits.max_file_bytes >> 20} MiB")
                archive.writestr(f"cases/{name}", _read_member(source, info, limits, f"cases/{name}"))
    return buffer.getvalue()
