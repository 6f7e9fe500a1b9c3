"""Artifact constraints: pure checks of what a trusted loader reported about a submitted model (the facts, see
grader/artifacts.py) against a bundle's `[artifact.constraints]`. Each check is a figure with its bar, reported
like a metric (`nodes 14 <= 12 needed`); a fact the loader could not establish fails its check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from grader.bundles import ArtifactConstraints
from grader.results import MetricResult

MAX_FACTS_BYTES = 1 << 20


class FactsError(ValueError):
    """The loader's report is not the expected JSON (a loader bug or a broken run: IE)."""


def parse_facts(text: str) -> dict[str, Any]:
    if len(text) > MAX_FACTS_BYTES:
        raise FactsError("the loader's report is too long")
    try:
        facts = json.loads(text)
    except ValueError as exc:
        raise FactsError(f"the loader's report is not JSON ({exc})") from None
    if not isinstance(facts, dict) or not isinstance(facts.get("ok"), bool):
        raise FactsError("the loader's report has no `ok`")
    return facts


def _count(facts: Mapping[str, Any], op: str) -> int:
    counts = facts.get("op_counts") or {}
    value = counts.get(op, 0) if isinstance(counts, dict) else 0
    return int(value) if isinstance(value, int) else 0


def _names(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return []
    return [str(e.get("name", "")) for e in entries if isinstance(e, dict)]


def _shape(entries: Any, name: str) -> list[Any] | None:
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("name") == name:
            shape = entry.get("shape")
            return shape if isinstance(shape, list) else None
    return None


def _fig(name: str, value: float | None, bar: float, bound: str) -> MetricResult:
    """A figure and its bar; a figure the loader could not establish (None) fails."""
    ok = value is not None and (value >= bar if bound == "min" else value <= bar)
    return MetricResult(name, value, bar, bound, ok)


def _flag(name: str, ok: bool) -> MetricResult:
    """A yes/no check shown as a figure: 1 when it holds, bar 1."""
    return MetricResult(name, 1.0 if ok else 0.0, 1.0, "min", ok)


def _total(sizes: Any) -> float:
    return float(sum(v for v in sizes.values() if isinstance(v, int))) if isinstance(sizes, dict) else 0.0


def check_constraints(
    facts: Mapping[str, Any],
    constraints: ArtifactConstraints,
    *,
    original_size: int | None = None,
    reference_facts: Mapping[str, Any] | None = None,
) -> list[MetricResult]:
    """Every constraint the bundle sets, as figures and bars, in a fixed order."""
    c = constraints
    out: list[MetricResult] = []
    if c.checker != "none":
        out.append(_flag(f"onnx.checker ({c.checker})", bool(facts.get("checker_ok"))))
    if c.max_nodes is not None:
        nodes = facts.get("nodes")
        out.append(_fig("nodes", float(nodes) if isinstance(nodes, int) else None, float(c.max_nodes), "max"))
    counts = facts.get("op_counts")
    counts = counts if isinstance(counts, dict) else {}
    for op in c.denied_ops:
        out.append(_fig(f"ops {op}", float(_count(facts, op)), 0.0, "max"))
    if c.allowed_ops is not None:
        allowed = set(c.allowed_ops)
        others = sum(int(v) for k, v in counts.items() if k not in allowed and isinstance(v, int))
        out.append(_fig("ops outside the allowed list", float(others), 0.0, "max"))
    for op, ceiling in sorted(c.max_op_counts.items()):
        out.append(_fig(f"ops {op}", float(_count(facts, op)), float(ceiling), "max"))
    for op, floor in sorted(c.min_op_counts.items()):
        out.append(_fig(f"ops {op}", float(_count(facts, op)), float(floor), "min"))
    total = _total(facts.get("sizes"))
    if original_size:
        ratio = total / original_size
        if c.max_size_ratio is not None:
            out.append(_fig("size ratio", ratio, c.max_size_ratio, "max"))
        if c.min_size_ratio is not None:
            out.append(_fig("size ratio", ratio, c.min_size_ratio, "min"))
    if c.size_tolerance is not None and reference_facts is not None:
        reference = _total(reference_facts.get("sizes"))
        deviation = abs(total - reference) / reference if reference else None
        out.append(_fig("size vs reference (relative)", deviation, c.size_tolerance, "max"))
    opset = facts.get("opset")
    opset_value = float(opset) if isinstance(opset, int) else None
    if c.min_opset is not None:
        out.append(_fig("opset", opset_value, float(c.min_opset), "min"))
    if c.max_opset is not None:
        out.append(_fig("opset", opset_value, float(c.max_opset), "max"))
    if c.input_names is not None:
        out.append(_flag(f"input names {list(c.input_names)}", _names(facts.get("inputs")) == list(c.input_names)))
    if c.output_names is not None:
        names_ok = _names(facts.get("outputs")) == list(c.output_names)
        out.append(_flag(f"output names {list(c.output_names)}", names_ok))
    for name, axes in sorted(c.dynamic_axes.items()):
        shape = _shape(facts.get("inputs"), name) or _shape(facts.get("outputs"), name)
        dynamic = shape is not None and all(0 <= a < len(shape) and not isinstance(shape[a], int) for a in axes)
        out.append(_flag(f"dynamic axes {name}{list(axes)}", dynamic))
    return out


def describe_failure(facts: Mapping[str, Any]) -> str:
    """Why the loader could not use the artifact, for a learner."""
    error = str(facts.get("error") or "the model could not be loaded")
    return error[:2000]
