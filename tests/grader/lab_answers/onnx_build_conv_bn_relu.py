"""A plausible wrong answer (graded by tests/grader/test_lab.py). Leaves BatchNormalization's epsilon at its default: WA wherever the case's epsilon is not 1e-5."""

import onnx
from onnx import TensorProto, helper, numpy_helper


def build_model(weight, bias, gamma, beta, mean, var, epsilon, height, width, out_path):
    out_channels, in_channels, k, _ = weight.shape
    inits = [
        numpy_helper.from_array(a, n)
        for n, a in (("W", weight), ("B", bias), ("g", gamma), ("b", beta), ("m", mean), ("v", var))
    ]
    nodes = [
        helper.make_node("Conv", ["input", "W", "B"], ["conv"], kernel_shape=[k, k], pads=[k // 2] * 4),
        helper.make_node("BatchNormalization", ["conv", "g", "b", "m", "v"], ["bn"]),  # epsilon left at 1e-5
        helper.make_node("Relu", ["bn"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, in_channels, height, width])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, out_channels, height, width])],
        inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), out_path)
