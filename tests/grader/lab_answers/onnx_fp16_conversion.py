"""A plausible wrong answer (graded by tests/grader/test_lab.py). Computes the SNR with 20 log10 of a ratio of powers: WA."""

import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def convert(model_path, out_path, x):
    """Stage 1: the model with float16 weights and arithmetic, float32 at its edges."""
    model = onnx.load(model_path)
    graph = model.graph
    for tensor in graph.initializer:
        if tensor.data_type == TensorProto.FLOAT:
            half = numpy_helper.to_array(tensor).astype(np.float16)
            tensor.CopyFrom(numpy_helper.from_array(half, tensor.name))
    source, result = graph.input[0].name, graph.output[0].name
    for node in graph.node:
        node.input[:] = [source + "_fp16" if name == source else name for name in node.input]
        node.output[:] = [result + "_fp16" if name == result else name for name in node.output]
    graph.node.insert(0, helper.make_node("Cast", [source], [source + "_fp16"], to=TensorProto.FLOAT16))
    graph.node.append(helper.make_node("Cast", [result + "_fp16"], [result], to=TensorProto.FLOAT))
    del graph.value_info[:]  # intermediate types were float32
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out_path)


def measure(artifact_dir, model_path, out_path, x):
    """Stage 2: the converted model's outputs, the SNR (dB) they keep against float32, and the size ratio."""
    converted = os.path.join(artifact_dir, "model.onnx")
    feeds = {"input": x}
    full = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    half = ort.InferenceSession(converted, providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    signal = np.sum(full.astype(np.float64) ** 2)
    noise = np.sum((full.astype(np.float64) - half.astype(np.float64)) ** 2)
    snr = 20 * np.log10(signal / noise) if noise else 200.0  # 20: for amplitudes, not powers
    ratio = os.path.getsize(converted) / os.path.getsize(model_path)
    return half, np.float64(snr), np.float64(ratio)
