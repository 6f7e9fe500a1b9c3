"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Converts with --fp16: a smaller file whose outputs move by 1e-3 to 4e-3; WA on every case."""

import _tools  # MNN's converter, the extension module behind the `mnnconvert` command


def convert(onnx_path, mnn_path):
    argv = ["mnnconvert", "-f", "ONNX", "--modelFile", onnx_path, "--MNNModel", mnn_path, "--bizCode", "lab", "--fp16"]
    if not _tools.mnnconvert(argv):
        raise RuntimeError(f"MNNConvert failed on {onnx_path}")
