"""A plausible wrong answer (graded by tests/grader/test_lab.py). Saves the extended level's model, with ONNX Runtime's own fused ops: WA on the allowed ops."""

import onnxruntime as ort


def optimise_offline(model_path, out_path):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = out_path
    ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
