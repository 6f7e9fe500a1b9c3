"""A plausible wrong answer (graded by tests/grader/test_lab.py). Removes only the Identity nodes: WA on the node ceiling and the op counts."""

import onnx


def clean(model_path, out_path):
    model = onnx.load(model_path)
    graph = model.graph
    outputs = {o.name for o in graph.output}
    for node in [n for n in graph.node if n.op_type == "Identity" and n.output[0] not in outputs]:
        for other in graph.node:
            other.input[:] = [node.input[0] if name == node.output[0] else name for name in other.input]
        graph.node.remove(node)
    onnx.save(model, out_path)
