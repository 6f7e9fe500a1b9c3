"""Loads a submitted MNN model (`model.mnn`) with MNN's own Module loader, inside the sandbox, and runs it on
the CPU backend with one thread and high precision (MNN's "normal" precision may compute in fp16 or bf16
where the CPU can). Inputs and outputs are the bundle's `input_names` and `output_names` (default "input"
and "logits"), fed as NCHW float32 as the ONNX model took them. Standard library, numpy and MNN only.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np


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
    files = list(constraints.get("files") or ["model.mnn"])
    model = next((f for f in files if f.endswith(".mnn")), "model.mnn")
    if model not in facts["sizes"]:
        facts["error"] = f"{model} is missing: write the converted model there"
        return (json.dumps(facts),)
    path = os.path.join(artifact_dir, model)
    in_names = list(constraints.get("input_names") or ["input"])
    out_names = list(constraints.get("output_names") or ["logits"])
    import MNN.expr as F
    import MNN.nn as nn

    try:
        graph = F.load_as_list(path)
    except Exception as exc:
        facts["error"] = f"MNN could not read {model}: {str(exc).strip()[:400]}"
        return (json.dumps(facts),)
    if not graph:
        facts["error"] = f"MNN could not read {model} (not an MNN model: was it written by MNNConvert?)"
        return (json.dumps(facts),)
    ops = [v.op_type for v in graph if v.op_type not in ("Input", "Const")]
    facts["nodes"] = len(ops)
    facts["op_counts"] = {op: ops.count(op) for op in sorted(set(ops))}
    facts["inputs"] = [{"name": v.name, "shape": None} for v in graph if v.op_type == "Input"]
    facts["outputs"] = [{"name": name, "shape": None} for name in out_names]
    max_nodes = constraints.get("max_nodes_hard")
    if max_nodes and len(graph) > max_nodes:
        facts["error"] = f"{model} has {len(graph)} operations, over the grader's ceiling of {max_nodes}"
        return (json.dumps(facts),)
    if not evaluate:
        facts["ok"] = True
        return (json.dumps(facts),)
    try:
        runtime = nn.create_runtime_manager(({"backend": "CPU", "numThread": 1, "precision": "high"},))
        module = nn.load_module_from_file(path, in_names, out_names, runtime_manager=runtime)
        feed = []
        for name in in_names:
            array = np.ascontiguousarray(inputs[name], dtype=np.float32)
            feed.append(F.const(array, list(array.shape), F.NCHW))
        result = module.forward(feed if len(feed) > 1 else feed[0])
        result = result if isinstance(result, (list, tuple)) else [result]
        outputs = []
        for var in result:
            if var.data_format == F.NC4HW4:
                var = F.convert(var, F.NCHW)
            outputs.append(np.array(var.read(), dtype=np.float32, copy=True))
    except Exception as exc:
        facts["error"] = f"MNN could not run {model} on the case's input: {str(exc).strip()[:400]}"
        return (json.dumps(facts),)
    facts["ok"] = True
    return (json.dumps(facts), *outputs)
