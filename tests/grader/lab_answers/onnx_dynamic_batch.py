"""A plausible wrong answer (graded by tests/grader/test_lab.py). Renames the batch dimension but keeps the traced Reshape: WA as soon as a batch is larger than 1."""

import onnx


def make_batch_dynamic(model_path, out_path):
    model = onnx.load(model_path)
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.save(model, out_path)
