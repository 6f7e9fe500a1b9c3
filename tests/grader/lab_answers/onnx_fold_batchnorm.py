"""A plausible wrong answer (graded by tests/grader/test_lab.py). Folds BatchNorm but forgets epsilon: WA on every case (outputs off by far more than 1e-5)."""

import numpy as np
import onnx
from onnx import numpy_helper


def fold_batchnorm(model_path, out_path):
    model = onnx.load(model_path)
    graph = model.graph
    nodes = [n for n in graph.node]
    nodes = [onnx.NodeProto() for _ in graph.node]
    for copy, original in zip(nodes, graph.node):
        copy.CopyFrom(original)
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    producer = {out: node for node in nodes for out in node.output}
    kept = []
    for node in nodes:
        conv = producer.get(node.input[0]) if node.op_type == "BatchNormalization" else None
        if conv is None or conv.op_type != "Conv":
            kept.append(node)
            continue
        gamma, beta, mean, var = (weights[n] for n in node.input[1:5])
        scale = gamma / np.sqrt(var)  # forgets epsilon
        w = weights[conv.input[1]]
        b = weights[conv.input[2]] if len(conv.input) > 2 else np.zeros(len(scale), np.float32)
        weights[conv.input[1] + "_f"] = (w * scale[:, None, None, None]).astype(np.float32)
        weights[conv.output[0] + "_bf"] = ((b - mean) * scale + beta).astype(np.float32)
        conv.input[:] = [conv.input[0], conv.input[1] + "_f", conv.output[0] + "_bf"]
        conv.output[0] = node.output[0]
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in graph.node for name in node.input}
    del graph.initializer[:]
    graph.initializer.extend(numpy_helper.from_array(a, n) for n, a in weights.items() if n in used)
    onnx.save(model, out_path)
