"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Follows the export tutorial's keep_params_in_input=True: main expects the weights too, so the single input is refused; WA."""

import onnx
import tvm
from tvm.relax.frontend.onnx import from_onnx


def compile_onnx(onnx_path, so_path):
    mod = from_onnx(onnx.load(onnx_path), keep_params_in_input=True)
    tvm.compile(mod, target="llvm").export_library(so_path)
