"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Preprocessing right, but ov.save_model's default FP16 weights: WA on every case (max abs error about 5e-4, over 1e-4)."""

import openvino as ov
from openvino.preprocess import PrePostProcessor


def export_ir(onnx_path, xml_path, mean, std):
    model = ov.convert_model(onnx_path)
    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.input().preprocess().convert_element_type(ov.Type.f32).mean(list(mean)).scale(list(std))
    ov.save_model(ppp.build(), xml_path)
