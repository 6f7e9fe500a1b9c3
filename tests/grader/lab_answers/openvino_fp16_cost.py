"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). One IR with the default FP16 weights, returned twice, no precision hint: WA (output 0 misses the float32 logits by 1.5e-4 or more)."""

import numpy as np
import openvino as ov


def fp16_cost(onnx_path, x):
    core = ov.Core()
    model = ov.convert_model(onnx_path)
    ov.save_model(model, "m.xml")
    compiled = core.compile_model(core.read_model("m.xml"), "CPU", {"INFERENCE_NUM_THREADS": 1})
    y = np.array(compiled([x])[0])
    return y, y
