"""Hostile artifacts: models whose loading would read outside the work folder, blow up, load a library or
never end. Each is refused with a clear verdict, and the grader stays healthy (no sandbox process and no
temporary folder left behind; see the `healthy_worker` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bundles import Bundle, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("healthy_worker")]

IDENTITY = Path(__file__).resolve().parent / "bundles" / "onnx-identity"

HEADER = """import os
import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np


def model_of(nodes, inits=(), x="x", y="y"):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT, [2, 3])],
        list(inits),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def external(name, location, length=24):
    tensor = numpy_helper.from_array(np.zeros((2, 3), np.float32), name)
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor
"""

HOSTILE: dict[str, tuple[str, set[Verdict], str]] = {
    "external data that climbs out of the folder": (
        "def export(out_path):\n"
        "    model = model_of([helper.make_node('Add', ['x', 'w'], ['y'])], [external('w', '../../etc/passwd')])\n"
        "    onnx.save(model, out_path)\n",
        {Verdict.WA},
        "not a file name beside the model",
    ),
    "external data at an absolute path": (
        "def export(out_path):\n"
        "    model = model_of([helper.make_node('Add', ['x', 'w'], ['y'])], [external('w', '/box/harness.py')])\n"
        "    onnx.save(model, out_path)\n",
        {Verdict.WA},
        "not a file name beside the model",
    ),
    "external data declared at 2 GB beside a tiny file": (
        "def export(out_path):\n"
        "    folder = os.path.dirname(out_path)\n"
        "    open(os.path.join(folder, 'w.data'), 'wb').write(b'\\0' * 24)\n"
        "    model = model_of([helper.make_node('Add', ['x', 'w'], ['y'])], [external('w', 'w.data', 2 << 30)])\n"
        "    onnx.save(model, out_path)\n",
        {Verdict.WA},
        "",
    ),
    "a model that is a symbolic link": (
        "def export(out_path):\n    os.symlink('/box/harness.py', out_path)\n",
        {Verdict.WA},
        "symbolic link",
    ),
    "a custom-op library beside the model": (
        "def export(out_path):\n"
        "    folder = os.path.dirname(out_path)\n"
        "    open(os.path.join(folder, 'libcustom_op.so'), 'wb').write(b'\\x7fELF' + b'\\0' * 64)\n"
        "    model = model_of([helper.make_node('Evil', ['x'], ['y'], domain='ai.evil')])\n"
        "    model.opset_import.append(helper.make_opsetid('ai.evil', 1))\n"
        "    onnx.save(model, out_path)\n",
        {Verdict.WA},
        "accepts no file by that name",
    ),
    "a custom-domain op with no library": (
        "def export(out_path):\n"
        "    model = model_of([helper.make_node('Evil', ['x'], ['y'], domain='ai.evil')])\n"
        "    model.opset_import.append(helper.make_opsetid('ai.evil', 1))\n"
        "    onnx.save(model, out_path)\n",
        {Verdict.WA},
        "",
    ),
    "a 2 GB initializer": (
        "def export(out_path):\n"
        "    with open(out_path, 'wb') as f:\n"
        "        for _ in range(2048):\n"
        "            f.write(b'\\0' * (1 << 20))\n",
        {Verdict.OLE},
        "",
    ),
    "a huge declared size computed at run time": (
        "def export(out_path):\n"
        "    shape = numpy_helper.from_array(np.array([1 << 16, 1 << 16], np.int64), 's')\n"
        "    nodes = [helper.make_node('ConstantOfShape', ['s'], ['big']),\n"
        "             helper.make_node('ReduceSum', ['big'], ['total'], keepdims=0),\n"
        "             helper.make_node('Add', ['x', 'total'], ['y'])]\n"
        "    onnx.save(model_of(nodes, [shape]), out_path)\n",
        {Verdict.MLE, Verdict.WA},
        "",
    ),
    "two hundred thousand nodes": (
        "def export(out_path):\n"
        "    names = ['x'] + [f't{i}' for i in range(200_000)] + ['y']\n"
        "    nodes = [helper.make_node('Identity', [a], [b]) for a, b in zip(names, names[1:])]\n"
        "    onnx.save(model_of(nodes), out_path)\n",
        {Verdict.WA, Verdict.OLE},
        "",
    ),
    "a graph with a cycle": (
        "def export(out_path):\n"
        "    nodes = [helper.make_node('Add', ['x', 'b'], ['a']), helper.make_node('Relu', ['a'], ['b']),\n"
        "             helper.make_node('Identity', ['a'], ['y'])]\n"
        "    onnx.save(model_of(nodes), out_path)\n",
        {Verdict.WA},
        "onnx.checker rejects the model",
    ),
    "bytes that are not a model": (
        "def export(out_path):\n    open(out_path, 'wb').write(os.urandom(4096))\n",
        {Verdict.WA},
        "",
    ),
}


@pytest.fixture(scope="module")
def identity() -> Bundle:
    return load_bundle(IDENTITY)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_artifact_is_refused_with_a_clear_verdict(
    name: str, identity: Bundle, sandbox: SandboxConfig
) -> None:
    body, verdicts, says = HOSTILE[name]
    result = grade(identity, HEADER + body, cases="visible", sandbox=sandbox)
    (case,) = result.cases
    assert case.verdict in verdicts, (case.verdict, case.message)
    assert case.message, "a refusal says why"
    if says:
        assert says in case.message


def test_the_grader_still_grades_after_the_hostile_artifacts(identity: Bundle, sandbox: SandboxConfig) -> None:
    result = grade(identity, identity.reference_source(), sandbox=sandbox)
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
