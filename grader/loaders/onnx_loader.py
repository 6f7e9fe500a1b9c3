"""The trusted loader of ONNX artifacts. It runs in a sandbox of its own, apart from the submission that wrote
the model, and reports facts about it (see grader/artifacts.py) and its outputs on the hidden inputs.

Only ONNX's and ONNX Runtime's own loaders open the file; nothing is unpickled. External data must name a
plain file beside the model (no absolute path, no `..`, no link); the node count is checked before the
checker or a session sees the graph; sessions run on one thread and load no custom-op library.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from typing import Any

import numpy as np


def _walk_graphs(graph: Any) -> list[Any]:
    """The graph and every subgraph (If/Loop/Scan bodies), depth first."""
    import onnx

    found = [graph]
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                found += _walk_graphs(attribute.g)
            elif attribute.type == onnx.AttributeProto.GRAPHS:
                for sub in attribute.graphs:
                    found += _walk_graphs(sub)
    return found


def _external_locations(graphs: list[Any]) -> list[str]:
    import onnx

    locations = []
    for graph in graphs:
        tensors = list(graph.initializer)
        for node in graph.node:
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.TENSOR:
                    tensors.append(attribute.t)
                elif attribute.type == onnx.AttributeProto.TENSORS:
                    tensors.extend(attribute.tensors)
        for tensor in tensors:
            if tensor.data_location == onnx.TensorProto.EXTERNAL:
                entries = {e.key: e.value for e in tensor.external_data}
                locations.append(entries.get("location", ""))
    return locations


def _check_location(folder: str, location: str) -> str:
    """'' when `location` is a plain file directly in `folder`; otherwise what is wrong."""
    if not location or os.path.isabs(location) or "/" in location or "\\" in location or location in (".", ".."):
        return f"external data location {location!r} is not a file name beside the model (no paths, no '..')"
    try:
        info = os.lstat(os.path.join(folder, location))
    except FileNotFoundError:
        return f"external data file {location!r} is missing: write it into out/ beside the model"
    if not stat.S_ISREG(info.st_mode):
        return f"external data {location!r} is not a plain file"
    return ""


def _dims(value_info: Any) -> list[Any] | None:
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims: list[Any] = []
    for dim in tensor_type.shape.dim:
        if dim.HasField("dim_value"):
            dims.append(int(dim.dim_value))
        elif dim.HasField("dim_param"):
            dims.append(str(dim.dim_param))
        else:
            dims.append(None)
    return dims


def load_artifact(
    artifact_dir: str, constraints: dict[str, Any], evaluate: bool = True, **inputs: Any
) -> tuple[Any, ...]:
    facts: dict[str, Any] = {"ok": False, "error": "", "checker_ok": False, "checker_error": ""}
    outputs: list[np.ndarray] = []
    try:
        facts["sizes"] = {
            name: os.lstat(os.path.join(artifact_dir, name)).st_size for name in sorted(os.listdir(artifact_dir))
        }
        main = constraints["files"][0]
        path = os.path.join(artifact_dir, main)
        if main not in facts["sizes"]:
            facts["error"] = f"the submission wrote no out/{main}"
            return (json.dumps(facts), *outputs)
        import onnx

        try:
            model = onnx.load(path, load_external_data=False)
        except Exception as exc:
            facts["error"] = f"out/{main} is not an ONNX model that protobuf can parse ({type(exc).__name__}: {exc})"
            return (json.dumps(facts), *outputs)
        graphs = _walk_graphs(model.graph)
        total_nodes = sum(len(g.node) for g in graphs)
        facts["nodes"] = len(model.graph.node)
        facts["all_nodes"] = total_nodes
        if total_nodes > int(constraints["max_nodes_hard"]):
            facts["error"] = (
                f"the model has {total_nodes} nodes; the grader refuses more than {constraints['max_nodes_hard']}"
            )
            return (json.dumps(facts), *outputs)
        counts: Counter[str] = Counter()
        for node in model.graph.node:
            domain = node.domain if node.domain not in ("", "ai.onnx") else ""
            counts[f"{domain}:{node.op_type}" if domain else node.op_type] += 1
        facts["op_counts"] = dict(sorted(counts.items()))
        facts["opset"] = next((int(o.version) for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
        facts["domains"] = sorted({o.domain for o in model.opset_import})
        initializers = {t.name for t in model.graph.initializer}
        facts["inputs"] = [{"name": i.name, "shape": _dims(i)} for i in model.graph.input if i.name not in initializers]
        facts["outputs"] = [{"name": o.name, "shape": _dims(o)} for o in model.graph.output]
        for location in _external_locations(graphs):
            problem = _check_location(artifact_dir, location)
            if problem:
                facts["error"] = problem
                return (json.dumps(facts), *outputs)
        onnx.load_external_data_for_model(model, artifact_dir)

        level = constraints.get("checker", "full")
        try:
            if level != "none":
                onnx.checker.check_model(model, full_check=level == "full")
            facts["checker_ok"] = True
        except Exception as exc:
            facts["checker_error"] = f"{type(exc).__name__}: {exc}"[:2000]
            facts["error"] = f"onnx.checker rejects the model: {facts['checker_error']}"
            return (json.dumps(facts), *outputs)

        if evaluate and inputs:
            import onnxruntime as ort  # type: ignore[import-untyped]

            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            try:
                session = ort.InferenceSession(
                    model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:
                facts["error"] = f"ONNX Runtime cannot load the model: {exc}"[:2000]
                return (json.dumps(facts), *outputs)
            names = [i.name for i in session.get_inputs()]
            missing = [n for n in names if n not in inputs]
            if missing:
                facts["error"] = f"the model's inputs are {names}; the grader feeds {sorted(inputs)}"
                return (json.dumps(facts), *outputs)
            try:
                results = session.run(None, {n: inputs[n] for n in names})
            except Exception as exc:
                facts["error"] = f"ONNX Runtime failed running the model: {exc}"[:2000]
                return (json.dumps(facts), *outputs)
            outputs = [np.asarray(r) for r in results]
        facts["ok"] = True
    except MemoryError:
        raise
    except Exception as exc:
        facts["error"] = f"the model could not be read: {type(exc).__name__}: {exc}"[:2000]
    return (json.dumps(facts), *outputs)
