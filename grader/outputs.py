"""Outputs as plain data: `.npz` bytes read with `allow_pickle=False` and size caps checked before reading.

The sandbox sends each case's return value as an `.npz` archive (`out0`, `out1`, ... and `n_out`: the number
of parts when the entry point returned a tuple, -1 for a single value). Nothing here ever unpickles: an object
array is refused, so no learner object can reach a comparison and fake its result.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

_PART = re.compile(r"^out(\d{1,3})\.npy$")
MAX_PARTS = 64


class OutputError(ValueError):
    """The bytes are not a well-formed plain-data output (the submission's fault, graded WA)."""


@dataclass(frozen=True)
class Outputs:
    parts: tuple[np.ndarray, ...]
    is_tuple: bool

    def describe(self) -> str:
        shapes = ", ".join(f"{p.dtype}{list(p.shape)}" for p in self.parts)
        return f"tuple({shapes})" if self.is_tuple else shapes


def encode_outputs(value: object) -> bytes:
    """The trusted side's twin of the harness's encoder (tests use it to fake a submission's output)."""
    parts = value if isinstance(value, tuple) else (value,)
    return outputs_npz(Outputs(tuple(np.asarray(p) for p in parts), isinstance(value, tuple)))


def decode_outputs(data: bytes, *, max_bytes: int) -> Outputs:
    """Parse untrusted `.npz` bytes. Sizes are checked in the zip directory first (no zip bombs)."""
    if len(data) > max_bytes:
        raise OutputError(f"the output is {len(data)} bytes, over the limit of {max_bytes}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise OutputError(f"the output is not a valid .npz archive ({exc})") from None
    if len(infos) > MAX_PARTS + 1 or sum(info.file_size for info in infos) > max_bytes:
        raise OutputError("the output has too many parts or unpacks to more than the output limit")
    names = {info.filename for info in infos}
    indexes = sorted(int(m.group(1)) for name in names if (m := _PART.match(name)))
    if "n_out.npy" not in names or not indexes or indexes != list(range(len(indexes))):
        raise OutputError("the output archive does not have the harness's layout")
    if len(names) != len(indexes) + 1:
        raise OutputError("the output archive has unexpected members")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            n_out = int(npz["n_out"])
            parts = tuple(np.asarray(npz[f"out{i}"]) for i in range(len(indexes)))
    except (ValueError, OSError, TypeError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise OutputError(f"the output could not be read as plain data ({exc})") from None
    if n_out not in (-1, len(parts)) or (n_out == -1 and len(parts) != 1):
        raise OutputError("the output archive's part count is inconsistent")
    for part in parts:
        if part.dtype.kind not in "biufcUS":
            raise OutputError(f"an output has dtype {part.dtype}: only numbers and strings are plain data")
    return Outputs(parts=parts, is_tuple=n_out != -1)


def decode_arrays(data: bytes, *, max_bytes: int) -> dict[str, np.ndarray]:
    """Named plain arrays from untrusted `.npz` bytes (sizes checked in the zip directory first, no pickles)."""
    if len(data) > max_bytes:
        raise OutputError(f"{len(data)} bytes, over the limit of {max_bytes}")
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise OutputError(f"not a valid .npz archive ({exc})") from None
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > max_bytes:
        raise OutputError("too many arrays, or they unpack to more than the limit")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: np.asarray(npz[name]) for name in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, TypeError, KeyError, EOFError) as exc:
        raise OutputError(f"not a plain-data .npz archive ({exc})") from None
    if any(a.dtype.kind not in "biufcUS" for a in arrays.values()):
        raise OutputError("only numbers and strings are plain data")
    return arrays


def load_outputs_file(data: bytes) -> Outputs:
    """Expected outputs from a bundle (trusted, but read the same pickle-free way)."""
    return decode_outputs(data, max_bytes=1 << 31)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A deterministic `.npz` (fixed member dates, sorted names) so rebuilding changes no byte in git."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            array = np.asarray(arrays[name])
            if array.dtype.kind not in "biufcUS":
                raise OutputError(f"{name} has dtype {array.dtype}: only numbers and strings are plain data")
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def outputs_npz(outputs: Outputs) -> bytes:
    arrays = {f"out{i}": part for i, part in enumerate(outputs.parts)}
    arrays["n_out"] = np.array(len(outputs.parts) if outputs.is_tuple else -1)
    return npz_bytes(arrays)
