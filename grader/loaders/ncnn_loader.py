"""Loads a submitted ncnn model (`model.param` text and `model.bin` weights) with ncnn's own loader, inside the
sandbox, and runs it with one thread.

ncnn has no batch dimension: a case's input `(1, C, H, W)` is fed as the `(C, H, W)` Mat ncnn expects, and
each output Mat comes back with a leading batch dimension of 1, so it compares with what ONNX Runtime returns
for the same model. The blobs fed and extracted are the bundle's `input_names` and `output_names` (default
"input" and "logits"). Standard library, numpy and ncnn only.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

MAGIC = "7767517"


def _parse_param(text: str) -> tuple[int, int, list[tuple[str, str, list[str], list[str]]]]:
    """(layer count, blob count, [(type, name, bottoms, tops)]) from .param text; raises ValueError."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != MAGIC:
        raise ValueError(f"the first line of a .param file is the magic number {MAGIC}")
    if len(lines) < 2:
        raise ValueError("the second line of a .param file is '<layer count> <blob count>'")
    try:
        layer_count, blob_count = (int(v) for v in lines[1].split())
    except ValueError:
        raise ValueError("the second line of a .param file is '<layer count> <blob count>'") from None
    layers = []
    for number, line in enumerate(lines[2:], 3):
        parts = line.split()
        try:
            bottoms, tops = int(parts[2]), int(parts[3])
        except (IndexError, ValueError):
            raise ValueError(
                f"line {number}: '<type> <name> <inputs> <outputs> ...' expected, got {line[:80]!r}"
            ) from None
        names = parts[4 : 4 + bottoms + tops]
        layers.append((parts[0], parts[1], names[:bottoms], names[bottoms:]))
    if len(layers) != layer_count:
        raise ValueError(f"the header says {layer_count} layers, the file has {len(layers)}")
    return layer_count, blob_count, layers


def load_artifact(
    artifact_dir: str, constraints: dict[str, Any], evaluate: bool, **inputs: np.ndarray
) -> tuple[Any, ...]:
    facts: dict[str, Any] = {
        "ok": False,
        "error": "",
        "op_counts": {},
        "nodes": 0,
        "opset": None,
        "inputs": [],
        "outputs": [],
        "sizes": {},
    }
    for name in os.listdir(artifact_dir):
        facts["sizes"][name] = os.path.getsize(os.path.join(artifact_dir, name))
    files = list(constraints.get("files") or ["model.param", "model.bin"])
    param = next((f for f in files if f.endswith(".param")), "model.param")
    weights = next((f for f in files if f.endswith(".bin")), "model.bin")
    for name in (param, weights):
        if name not in facts["sizes"]:
            facts["error"] = f"{name} is missing: an ncnn model is a .param (the graph) and a .bin (the weights)"
            return (json.dumps(facts),)
    param_path, bin_path = os.path.join(artifact_dir, param), os.path.join(artifact_dir, weights)
    try:
        with open(param_path, encoding="utf-8") as handle:
            _layers, _blobs, layers = _parse_param(handle.read())
    except (ValueError, UnicodeDecodeError) as exc:
        facts["error"] = f"{param}: {exc}"
        return (json.dumps(facts),)
    kinds = [kind for kind, *_ in layers if kind != "Input"]
    facts["nodes"] = len(kinds)
    facts["op_counts"] = {kind: kinds.count(kind) for kind in sorted(set(kinds))}
    facts["inputs"] = [{"name": tops[0], "shape": None} for kind, _, _, tops in layers if kind == "Input" and tops]
    max_nodes = constraints.get("max_nodes_hard")
    if max_nodes and len(layers) > max_nodes:
        facts["error"] = f"{param} has {len(layers)} layers, over the grader's ceiling of {max_nodes}"
        return (json.dumps(facts),)
    in_names = list(constraints.get("input_names") or ["input"])
    out_names = list(constraints.get("output_names") or ["logits"])
    facts["outputs"] = [{"name": name, "shape": None} for name in out_names]
    import ncnn

    net = ncnn.Net()
    net.opt.num_threads = 1
    net.opt.use_vulkan_compute = False
    # float32 throughout: ncnn stores weights as fp16 or bf16 where the CPU has the instructions for it.
    for flag in (
        "use_fp16_packed",
        "use_fp16_storage",
        "use_fp16_arithmetic",
        "use_bf16_storage",
        "use_int8_inference",
    ):
        setattr(net.opt, flag, False)
    if net.load_param(param_path) != 0:
        facts["error"] = f"ncnn could not parse {param} (load_param failed: a layer type, a key or a count is wrong)"
        return (json.dumps(facts),)
    if net.load_model(bin_path) != 0:
        facts["error"] = (
            f"ncnn could not read the weights from {weights} (load_model failed: the file is shorter than the "
            "layers' weight_data_size and flags ask for)"
        )
        return (json.dumps(facts),)
    if not evaluate:
        facts["ok"] = True
        return (json.dumps(facts),)
    blob_names = set(net.input_names()) | set(net.output_names()) | {t for *_, tops in layers for t in tops}
    missing = [n for n in in_names + out_names if n not in blob_names]
    if missing:
        facts["error"] = f"{param} has no blob named {', '.join(map(repr, missing))}"
        return (json.dumps(facts),)
    outputs = []
    with net.create_extractor() as ex:
        for name in in_names:
            array = np.ascontiguousarray(inputs[name], dtype=np.float32)
            if array.ndim == 4 and array.shape[0] == 1:
                array = array[0]
            # Mat(array) borrows numpy's buffer; the clone is ncnn's own, which in-place layers may write.
            ex.input(name, ncnn.Mat(array).clone())
        for name in out_names:
            ret, mat = ex.extract(name)
            if ret != 0:
                facts["error"] = f"ncnn could not compute blob {name!r} (extract returned {ret})"
                return (json.dumps(facts),)
            outputs.append(np.array(mat, dtype=np.float32, copy=True)[None, ...])
    facts["ok"] = True
    return (json.dumps(facts), *outputs)
