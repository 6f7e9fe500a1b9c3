"""The lab's bundle schema, the toolchain registry and the trusted side's reading of artifact files: no
sandbox needed."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader import toolchains
from grader.artifacts import ARTIFACT_KINDS
from grader.bundles import BundleError, load_bundle
from grader.lab import decode_files, encode_files
from grader.outputs import OutputError
from grader.results import Verdict
from grader.run import grade

IDENTITY = Path(__file__).resolve().parent / "bundles" / "onnx-identity"
ONNX_NAMES = ARTIFACT_KINDS["onnx"].accepted


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "onnx-identity"
    shutil.copytree(IDENTITY, target)
    return target


def test_a_lab_bundle_loads_its_stages_artifact_and_toolchains() -> None:
    bundle = load_bundle(IDENTITY)
    assert bundle.is_lab and [s.name for s in bundle.stages] == ["run"]
    assert bundle.artifact is not None and bundle.artifact.files == ("model.onnx",)
    assert bundle.artifact.constraints.max_nodes == 4
    assert bundle.all_toolchains == ("onnx", "onnxruntime")  # the loader's runtime counts too
    assert bundle.public_view().to_dict()["toolchains"] == ["onnx", "onnxruntime"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('toolchains = ["onnx"]', 'toolchains = ["tensorflow"]', "unknown toolchain(s) tensorflow"),
        ('kind = "onnx"', 'kind = "caffe"', "`kind` must be one of onnx"),
        ("max_nodes = 4", "max_nodes = 4\nmax_flops = 9", "unknown key(s) max_flops"),
        ("max_nodes = 4", "max_size_ratio = 0.3", "`max_size_ratio` needs `original`"),
        ("max_nodes = 4", 'original = "nope.onnx"', "is not a file of the bundle's files/"),
        ('checker = "full"', 'checker = "strict"', "`checker` must be one of full, basic, none"),
        ("max_nodes = 4", "dynamic_axes = { x = ['0'] }", "must be a list of axis numbers"),
        ("[[cases]]", '[[metrics]]\nkind = "psnr"\nmin = 1\n\n[[cases]]', "`kind` must be one of allclose"),
        ("[[cases]]", '[[metrics]]\nkind = "cosine"\n\n[[cases]]', "give exactly one bar"),
        ("[[cases]]", '[[stages]]\nname = "load"\nentry_point = "export"\n\n[[cases]]', "other than 'load'"),
    ],
)
def test_a_bad_lab_key_names_the_file_and_the_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = _copy(tmp_path)
    meta = folder / "exercise.toml"
    text = meta.read_text()
    assert old in text
    meta.write_text(text.replace(old, new, 1))
    with pytest.raises(BundleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_bundle(folder)


def test_stages_default_to_the_bundles_limits(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = folder / "exercise.toml"
    meta.write_text(
        meta.read_text().replace(
            "[[cases]]",
            '[[stages]]\nname = "convert"\nentry_point = "export"\n\n'
            '[[stages]]\nname = "check"\nentry_point = "export"\ntime_limit_s = 2.0\ntoolchains = ["onnxruntime"]\n\n'
            "[[cases]]",
            1,
        )
    )
    bundle = load_bundle(folder)
    assert [(s.name, s.time_limit_s, s.memory_limit_mb, s.toolchains) for s in bundle.stages] == [
        ("convert", 5.0, 512, ("onnx",)),
        ("check", 2.0, 512, ("onnxruntime",)),
    ]


def test_toolchains_are_read_from_metadata_without_importing_them() -> None:
    import sys

    heavy = {"openvino", "tvm", "MNN", "ncnn"}
    before = heavy & set(sys.modules)
    found = toolchains.available()
    assert set(found) == set(toolchains.TOOLCHAIN_NAMES)
    assert found["numpy"] == np.__version__
    assert heavy & set(sys.modules) == before


def test_a_worker_without_a_toolchain_answers_ie_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = toolchains.version_of
    monkeypatch.setattr(toolchains, "version_of", lambda name: None if name == "onnxruntime" else real(name))
    result = grade(load_bundle(IDENTITY), "def export(out_path):\n    pass\n")
    assert result.verdict is Verdict.IE and result.cases == ()
    assert "lacks ONNX Runtime" in result.message
    assert "pip install -r requirements/lab.txt" in result.message and "onnxruntime==1.32.0" in result.message


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_artifact_files_round_trip_and_nothing_is_a_file() -> None:
    files = {"model.onnx": b"\x08\x07", "weights.data": bytes(range(256))}
    assert decode_files(encode_files(files), max_bytes=1 << 20, accepted=ONNX_NAMES) == files
    assert decode_files(b"", max_bytes=1 << 20, accepted=ONNX_NAMES) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: encode_files({"evil.so": b"\x7fELF"}), "accepts no file by that name"),
        (lambda: encode_files({"model.onnx": b"x" * 2048}), "over the limit"),
        (lambda: _zip({"model.onnx.npy": b"x" * (1 << 20)}), "over the limit"),
        (lambda: b"not a zip", "could not be read back"),
        (lambda: encode_files({f"m{i}.onnx": b"x" for i in range(17)}), "at most 16"),
    ],
)
def test_untrusted_artifact_files_are_refused(data, message: str) -> None:
    with pytest.raises(OutputError, match=message):
        decode_files(data(), max_bytes=1024, accepted=ONNX_NAMES)
