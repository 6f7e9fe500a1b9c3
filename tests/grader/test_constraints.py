"""Artifact constraints are pure checks of a loader's facts: each one a figure with its bar."""

from __future__ import annotations

import json

import pytest

from grader.bundles import ArtifactConstraints
from grader.constraints import FactsError, check_constraints, parse_facts

FACTS = {
    "ok": True,
    "checker_ok": True,
    "nodes": 7,
    "op_counts": {"Conv": 2, "Relu": 2, "BatchNormalization": 1, "Gemm": 1, "Flatten": 1},
    "opset": 17,
    "inputs": [{"name": "input", "shape": ["batch", 3, 16, 16]}],
    "outputs": [{"name": "logits", "shape": [1, 10]}],
    "sizes": {"model.onnx": 3000},
}


def by_name(results: list) -> dict:
    return {r.name: r for r in results}


def test_every_constraint_becomes_a_figure_with_its_bar() -> None:
    constraints = ArtifactConstraints(
        denied_ops=("BatchNormalization",),
        max_nodes=6,
        max_op_counts={"Conv": 2},
        min_op_counts={"QuantizeLinear": 1},
        original="cnn.onnx",
        max_size_ratio=0.35,
        min_opset=13,
        max_opset=21,
        input_names=("input",),
        output_names=("logits",),
        dynamic_axes={"input": (0,), "logits": (0,)},
    )
    results = by_name(check_constraints(FACTS, constraints, original_size=10000))
    assert results["onnx.checker (full)"].passed
    assert not results["nodes"].passed and results["nodes"].value == 7 and results["nodes"].bar == 6
    assert not results["ops BatchNormalization"].passed
    assert results["ops Conv"].passed
    assert not results["ops QuantizeLinear"].passed and results["ops QuantizeLinear"].bound == "min"
    assert results["size ratio"].value == 0.3 and results["size ratio"].passed
    assert results["input names ['input']"].passed and results["output names ['logits']"].passed
    assert results["dynamic axes input[0]"].passed
    assert not results["dynamic axes logits[0]"].passed  # a fixed 1 is not dynamic


def test_allowed_ops_count_everything_else() -> None:
    (checker, allowed) = check_constraints(FACTS, ArtifactConstraints(allowed_ops=("Conv", "Relu", "Gemm")))
    assert checker.passed and allowed.value == 2 and not allowed.passed  # BatchNormalization and Flatten


def test_size_against_the_reference_within_a_tolerance() -> None:
    reference = {**FACTS, "sizes": {"model.onnx": 2900}}
    (_, size) = check_constraints(FACTS, ArtifactConstraints(size_tolerance=0.05), reference_facts=reference)
    assert size.passed and 0.034 < (size.value or 0) < 0.035
    far = {**FACTS, "sizes": {"model.onnx": 2000}}
    (_, size) = check_constraints(FACTS, ArtifactConstraints(size_tolerance=0.05), reference_facts=far)
    assert not size.passed


def test_a_fact_the_loader_could_not_establish_fails_its_check() -> None:
    facts = {"ok": False, "error": "not a model"}
    results = check_constraints(facts, ArtifactConstraints(max_nodes=5, min_opset=13, input_names=("input",)))
    assert [r.passed for r in results] == [False, False, False, False]


@pytest.mark.parametrize("text", ["", "[]", '{"ok": 1}', "x" * (2 << 20)])
def test_a_broken_report_is_refused(text: str) -> None:
    with pytest.raises(FactsError):
        parse_facts(text)


def test_a_report_round_trips() -> None:
    assert parse_facts(json.dumps(FACTS))["nodes"] == 7
