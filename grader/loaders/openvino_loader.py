"""Loads a submitted OpenVINO IR (`model.xml` and `model.bin`) with OpenVINO's own reader, inside the sandbox.

Runs the model on the CPU plugin with one inference thread and float32 inference precision: on a CPU with
bf16 or fp16 units the plugin's default precision is lower, and the lab's tolerances assume float32.
Standard library, numpy and OpenVINO only: nothing of the repository is visible here.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

CONFIG = {"INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "f32", "NUM_STREAMS": 1}


def _shape(partial: Any) -> list[int | None]:
    return [int(d.get_length()) if d.is_static else None for d in partial]


def load_artifact(
    artifact_dir: str, constraints: dict[str, Any], evaluate: bool, **inputs: np.ndarray
) -> tuple[Any, ...]:
    files = list(constraints.get("files") or ["model.xml", "model.bin"])
    xml = next((f for f in files if f.endswith(".xml")), "model.xml")
    weights = next((f for f in files if f.endswith(".bin")), "model.bin")
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
    for name in (xml, weights):
        if name not in facts["sizes"]:
            facts["error"] = f"{name} is missing: an IR is an .xml (the graph) and a .bin (the weights)"
            return (json.dumps(facts),)
    import openvino as ov

    core = ov.Core()
    try:
        model = core.read_model(os.path.join(artifact_dir, xml), os.path.join(artifact_dir, weights))
    except Exception as exc:  # the reader's own message says what is wrong with the IR
        facts["error"] = f"OpenVINO could not read the IR: {str(exc).strip()[:600]}"
        return (json.dumps(facts),)
    ops = [op.get_type_name() for op in model.get_ordered_ops()]
    counted = [op for op in ops if op not in ("Parameter", "Result", "Constant")]
    facts["nodes"] = len(counted)
    facts["op_counts"] = {op: counted.count(op) for op in sorted(set(counted))}
    facts["inputs"] = [
        {
            "name": p.get_any_name(),
            "shape": _shape(p.get_partial_shape()),
            "dtype": p.get_element_type().get_type_name(),
        }
        for p in model.inputs
    ]
    facts["outputs"] = [
        {
            "name": p.get_any_name(),
            "shape": _shape(p.get_partial_shape()),
            "dtype": p.get_element_type().get_type_name(),
        }
        for p in model.outputs
    ]
    max_nodes = constraints.get("max_nodes_hard")
    if max_nodes and len(ops) > max_nodes:
        facts["error"] = f"the IR has {len(ops)} operations, over the grader's ceiling of {max_nodes}"
        return (json.dumps(facts),)
    if not evaluate:
        facts["ok"] = True
        return (json.dumps(facts),)
    try:
        compiled = core.compile_model(model, "CPU", CONFIG)
        feed = {}
        for port in compiled.inputs:
            name = port.get_any_name()
            if name not in inputs:
                raise KeyError(f"the IR's input {name!r} is not one of {sorted(inputs)}")
            given = np.ascontiguousarray(inputs[name])
            # OpenVINO would convert a mismatched element type silently; the application feeds exactly this.
            wanted = port.get_element_type().to_dtype()
            if given.dtype != wanted:
                raise TypeError(f"the IR's input {name!r} takes {wanted}, the application feeds {given.dtype}")
            if not port.get_partial_shape().compatible(ov.PartialShape(list(given.shape))):
                raise ValueError(
                    f"the IR's input {name!r} has shape {port.get_partial_shape()}, the application feeds "
                    f"{list(given.shape)}"
                )
            feed[name] = given
        result = compiled.infer_new_request(feed)
        outputs = [np.array(result[port]) for port in compiled.outputs]
    except Exception as exc:
        facts["error"] = f"OpenVINO could not run the IR on the case's input: {str(exc).strip()[:600]}"
        return (json.dumps(facts),)
    facts["ok"] = True
    return (json.dumps(facts), *outputs)
