"""Artifact kinds: what a submission may hand in as a file (an ONNX model; OpenVINO IR, ncnn, MNN and TVM
libraries are added the same way) and the trusted loader that opens it.

A loader is a standalone Python file under `grader/loaders/` (it runs inside a second sandbox, where nothing
of the repository but the harness is visible, so it imports only the standard library, numpy and its
runtime). Its entry point is

    load_artifact(artifact_dir: str, constraints: dict, evaluate: bool, **inputs) -> tuple

* `artifact_dir`: a folder holding the artifact's files, plain files only (the grader copied them in);
* `constraints`: the bundle's `[artifact.constraints]` as a dict plus `files` (the expected file names) and
  `max_nodes_hard` (the grader's own ceiling); the loader refuses what the runtime's loader would read
  outside the folder (ONNX external data with an absolute or `..` path), and counts before it parses deeply;
* `inputs`: the case's `NN.eval.npz` arrays, fed to the model when `evaluate` is true.

It returns `(facts_json, output0, output1, ...)`: `facts_json` a JSON string with at least
`{"ok": bool, "error": str, "op_counts": {op: n}, "nodes": n, "opset": n | null, "inputs": [{"name",
"shape"}], "outputs": [...], "sizes": {file: bytes}}` (shape entries: an int, a dim_param string, or null),
then the model's outputs in the graph's output order. `grader.constraints` turns the facts into figures and
bars; `grader.metrics` compares the outputs. Neither side ever unpickles anything.

Adding a kind: write `grader/loaders/<kind>_loader.py` with `load_artifact`, and register it below with its
default file names, the file names it accepts, and its toolchains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LOADERS_DIR = Path(__file__).resolve().parent / "loaders"
LOADER_ENTRY = "load_artifact"
# The grader's own ceilings, whatever a bundle says: bigger is refused before any runtime parses it.
MAX_ARTIFACT_FILES = 16
HARD_MAX_NODES = 100_000


@dataclass(frozen=True)
class ArtifactKind:
    name: str
    default_files: tuple[str, ...]
    accepted: re.Pattern[str]  # names of files the loader may be given
    toolchains: tuple[str, ...]
    loader: str  # a file of grader/loaders/

    @property
    def loader_path(self) -> Path:
        return LOADERS_DIR / self.loader

    def loader_source(self) -> str:
        return self.loader_path.read_text(encoding="utf-8")


ARTIFACT_KINDS: dict[str, ArtifactKind] = {
    kind.name: kind
    for kind in (
        ArtifactKind(
            name="onnx",
            default_files=("model.onnx",),
            accepted=re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\.(onnx|data|bin)$"),
            toolchains=("onnx", "onnxruntime"),
            loader="onnx_loader.py",
        ),
    )
}


def register(kind: ArtifactKind) -> None:
    """Adds an artifact kind (another runtime's format); its loader file must exist."""
    if not kind.loader_path.is_file():
        raise FileNotFoundError(f"no loader {kind.loader_path} for artifact kind {kind.name!r}")
    ARTIFACT_KINDS[kind.name] = kind
