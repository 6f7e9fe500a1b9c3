"""A plausible wrong answer (graded by tests/grader/test_lab.py). Calibrates on a batch of zeros instead of the data: WA on top-1 agreement and cosine."""

import numpy as np
import onnx
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static


class Once(CalibrationDataReader):
    def __init__(self, rows):
        self.feeds = iter([{"input": rows}])

    def get_next(self):
        return next(self.feeds, None)


def quantize(model_path, calibration_path, out_path):
    # Not calibrated on the data: one batch of zeros sets every range.
    quantize_static(
        onnx.load(model_path),
        out_path,
        Once(np.zeros((16, 32), np.float32)),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QInt8,
        weight_type=QuantType.QInt8,
    )
