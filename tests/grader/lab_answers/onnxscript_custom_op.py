"""A plausible wrong answer (graded by tests/grader/test_lab.py). Writes GELU with erf, not the tanh approximation: WA on the error bars."""

import onnx
from onnxscript import FLOAT, script
from onnxscript import opset17 as op
from onnxscript.values import Opset

lab = Opset("lab", 1)


@script(lab, default_opset=op)
def TanhGelu(x):
    """GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))."""
    return (
        op.Constant(value_float=0.5)
        * x
        * (op.Constant(value_float=1.0) + op.Erf(x * op.Constant(value_float=0.7071067811865476)))
    )


def build_model(weight, bias, out_path):
    w = onnx.numpy_helper.from_array(weight, "weight")
    b = onnx.numpy_helper.from_array(bias, "bias")

    @script(default_opset=op)
    def dense_gelu(input: FLOAT["N", "F"]) -> FLOAT["N", "H"]:
        output = TanhGelu(op.Add(op.MatMul(input, op.Constant(value=w)), op.Constant(value=b)))
        return output

    onnx.save(dense_gelu.to_model_proto(), out_path)
