"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Converts once and returns the float32 output three times with guessed ratios: WA (outputs 1 and 2, and the ratios)."""

import os

import _tools
import MNN.expr as F
import MNN.nn as nn
import numpy as np


def weight_quant_cost(onnx_path, x):
    _tools.mnnconvert(["mnnconvert", "-f", "ONNX", "--modelFile", onnx_path, "--MNNModel", "m.mnn", "--bizCode", "x"])
    module = nn.load_module_from_file("m.mnn", ["input"], ["logits"])
    y = np.array(module.forward(F.const(x, list(x.shape), F.NCHW)).read(), dtype=np.float32)
    return y, y, y, np.array([0.5, 0.25])
