"""Bundles as a curator uploads them: a small valid one as a zip, and ways to spoil it.

`bundle_files()` is the "triple" exercise (eight JSON cases, three of them visible); `make_zip()` zips any
mapping of paths to bytes, with knobs for what a hostile zip does (links, lying modes, folders)."""

from __future__ import annotations

import io
import json
import stat
import zipfile

import numpy as np

from grader.outputs import npz_bytes

SLUG = "triple-it"
HIDDEN_MARKER = 7_391_113  # a hidden input whose tripled value (22173339) must never reach a learner
REFERENCE = (
    "import numpy as np\n\n\ndef triple(x):\n"
    "    # reference-only-marker: the learner never reads this line\n"
    "    return np.asarray(x, dtype=np.int64) * 3\n"
)
STARTER = "import numpy as np\n\n\ndef triple(x):\n    raise NotImplementedError\n"


def toml(slug: str = SLUG, *, extra: str = "", title: str = "Triple an array") -> str:
    cases = "".join(f'\n[[cases]]\nname = "{n:02d}"\nvisible = {"true" if n <= 3 else "false"}\n' for n in range(1, 9))
    return (
        f'slug = "{slug}"\ntitle = "{title}"\ntrack = "tests"\ndifficulty = "easy"\nentry_point = "triple"\n'
        'signature = "def triple(x: np.ndarray) -> np.ndarray"\ntime_limit_s = 1.0\nmemory_limit_mb = 128\n'
        f'output_limit_kb = 64\ntags = ["numpy"]\n{extra}\n[checker]\nkind = "exact"\n{cases}'
    )


def bundle_files(slug: str = SLUG, *, reference: str = REFERENCE, extra_toml: str = "") -> dict[str, bytes]:
    files = {
        "exercise.toml": toml(slug, extra=extra_toml).encode(),
        "statement.md": b"Return `x` times three.\n\nFrom *NumPy: the absolute basics* (numpy.org).\n",
        "starter.py": STARTER.encode(),
        "reference.py": reference.encode(),
    }
    for n in range(1, 9):
        value = HIDDEN_MARKER if n == 8 else n
        files[f"cases/{n:02d}.in.json"] = json.dumps({"x": [value, value + 1]}).encode()
    return files


def make_zip(
    files: dict[str, bytes],
    *,
    folder: str = "",
    symlinks: dict[str, str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(folder + name, (2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = compression
            archive.writestr(info, content)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(folder + name, (2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


CPP_REFERENCE = (
    '#include <cstdint>\n\nextern "C" void triple(const int64_t* x, int64_t* out, int64_t n) {\n'
    "    // reference-only-marker: the learner never reads this line\n"
    "    for (int64_t i = 0; i < n; ++i) out[i] = 3 * x[i];\n}\n"
)
CPP_ARGS = """
[cpp]
std = "c++17"

[[cpp.args]]
name = "x"
dtype = "int64"
role = "in"

[[cpp.args]]
name = "out"
dtype = "int64"
role = "out"
shape = "n"

[[cpp.args]]
name = "n"
dtype = "int64"
role = "scalar"
value = "x.shape[0]"
"""


def cpp_bundle_files(slug: str = "triple-it-cpp", *, reference: str = CPP_REFERENCE) -> dict[str, bytes]:
    """The "triple" exercise as a C++ kernel: the same cases as `.npz` arrays, starter.cpp and reference.cpp."""
    text = toml(slug, extra=f'language = "cpp"\n{CPP_ARGS}').replace(
        'signature = "def triple(x: np.ndarray) -> np.ndarray"',
        "signature = 'extern \"C\" void triple(const int64_t* x, int64_t* out, int64_t n)'",
    )
    files = {
        "exercise.toml": text.replace('tags = ["numpy"]', 'tags = ["cpp"]').encode(),
        "statement.md": b"Write `out[i] = 3 * x[i]`.\n\nFrom *A Tour of C++* (Bjarne Stroustrup).\n",
        "starter.cpp": b'#include <cstdint>\n\nextern "C" void triple(const int64_t* x, int64_t* out, int64_t n) {}\n',
        "reference.cpp": reference.encode(),
    }
    for n in range(1, 9):
        files[f"cases/{n:02d}.in.npz"] = npz_bytes({"x": np.array([n, n + 1, -n], dtype=np.int64)})
    return files


def good_zip(slug: str = SLUG, **kwargs: str) -> bytes:
    return make_zip(bundle_files(slug, **kwargs), folder=f"{slug}/")


def hostile_zips() -> dict[str, tuple[bytes, str]]:
    """name → (zip bytes, a part of the message that refuses it)."""
    good = bundle_files()
    bomb = make_zip({**good, "cases/09.in.json": b"0" * (40 << 20)})
    many = make_zip({**good, **{f"cases/x{n}.in.json": b"{}" for n in range(300)}})
    huge = make_zip({**good, "cases/09.in.npz": b"\0" * (9 << 20)}, compression=zipfile.ZIP_STORED)
    return {
        "zip bomb": (bomb, "zip bomb"),
        "dot-dot path": (make_zip({**good, "../evil.py": b"x = 1\n"}), "'..' component"),
        "absolute path": (make_zip({**good, "/etc/cron.d/evil": b"* * * * * root true\n"}), "absolute path"),
        "symlink": (make_zip(good, symlinks={"cases/09.in.json": "/etc/passwd"}), "symbolic link"),
        "too many files": (many, "at most 200"),
        "huge file": (huge, "a file may have at most 8 MiB"),
        "non-UTF-8 statement": (make_zip({**good, "statement.md": "Triple \u00e9".encode("latin-1")}), "not UTF-8"),
        "not a zip": (b"PK\x03\x04 this is not really a zip", "not a zip archive"),
        "unknown file": (make_zip({**good, "run_me.sh": b"#!/bin/sh\n"}), "not part of a bundle"),
        "generator": (make_zip({**good, "generate.py": b"def generate(p):\n    pass\n"}), "outside the sandbox"),
        "no metadata": (make_zip({k: v for k, v in good.items() if k != "exercise.toml"}), "no exercise.toml"),
    }
