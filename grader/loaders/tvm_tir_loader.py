"""Loads a submitted TensorIR module (`module.py`: the TVMScript text `mod.script()` prints) with TVM's own
parser, inside the sandbox; reports its loop structure and runs its `main` PrimFunc compiled for the CPU.

The facts' `op_counts` describe the schedule, so `[artifact.constraints]` can hold it with `min_op_counts`
and `max_op_counts`:

    for.serial, for.parallel, for.vectorized, for.unrolled, for.thread_binding   loops of each kind
    block                  blocks (SBlock) other than the root
    vector_lanes           the largest extent of a vectorized loop (0 when none)
    tiled_axes             the most spatial axes of one block that are tiled: bound to two or more loops,
                           with a loop of another spatial axis between the outermost and the innermost of them
                           (i0, j0, ..., i1, j1 is two; i0, i1, j0, j1, a split without a reorder, is none)

Running: every buffer parameter of `main` named like one of the case's inputs is fed that array; the others
are outputs, allocated as zeros from their declared shape and dtype, and returned in parameter order.
Standard library, numpy and TVM only.
"""

from __future__ import annotations

import ast
import json
import os
import re
from typing import Any

import numpy as np

MAX_SOURCE_BYTES = 256 * 1024
KINDS = {0: "serial", 1: "parallel", 2: "vectorized", 3: "unrolled", 4: "thread_binding"}


def _name(var: Any) -> str:
    return str(getattr(var, "name_hint", None) or getattr(var, "name", None) or var)


def _uses(expr: Any, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", str(expr)) is not None


def _walk(stmt: Any, loops: list[str], facts: dict[str, int]) -> None:
    """Depth-first over the statement tree; `loops` is the stack of enclosing loop variables' names."""
    if stmt is None:
        return
    kind = type(stmt).__name__
    if kind == "For":
        name = KINDS.get(int(stmt.kind), str(int(stmt.kind)))
        facts[f"for.{name}"] = facts.get(f"for.{name}", 0) + 1
        if name == "vectorized":
            extent = int(stmt.extent) if hasattr(stmt.extent, "value") or isinstance(stmt.extent, int) else 0
            facts["vector_lanes"] = max(facts.get("vector_lanes", 0), extent)
        _walk(stmt.body, [*loops, _name(stmt.loop_var)], facts)
        return
    if kind == "SBlockRealize":
        block = stmt.block
        if _name(block) != "root":
            facts["block"] = facts.get("block", 0) + 1
            spatial = [
                [i for i, loop in enumerate(loops) if _uses(value, loop)]
                for var, value in zip(block.iter_vars, stmt.iter_values, strict=True)
                if int(var.iter_type) == 0  # data parallel
            ]
            tiled = 0
            for axis, positions in enumerate(spatial):
                if len(positions) < 2:
                    continue
                outer, inner = min(positions), max(positions)
                others = {p for a, ps in enumerate(spatial) if a != axis for p in ps}
                if any(outer < p < inner for p in others):
                    tiled += 1
            facts["tiled_axes"] = max(facts.get("tiled_axes", 0), tiled)
        _walk(block.body, loops, facts)
        if block.init is not None:
            _walk(block.init, loops, facts)
        return
    if kind == "SeqStmt":
        for child in stmt.seq:
            _walk(child, loops, facts)
        return
    for attribute in ("body", "then_case", "else_case", "block"):
        child = getattr(stmt, attribute, None)
        if child is not None and not isinstance(child, (int, float, str)):
            _walk(child, loops, facts)


def _not_tvmscript(source: str) -> str:
    """Why `source` is not plain TVMScript, or "" when it is. TVM's parser evaluates expressions, and this
    process reports the facts the grader believes: no dunder names or attributes (the way out of a restricted
    evaluator), no imports, lambdas or global statements, no strings holding "__"."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"not Python syntax, so not TVMScript: {exc.msg} (line {exc.lineno})"
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda, ast.Global, ast.Nonlocal)):
            return f"line {line}: {type(node).__name__} is not part of a module's TVMScript"
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        if name.startswith("__"):
            return f"line {line}: {name} is not part of a module's TVMScript"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            return f"line {line}: a string with '__' is not part of a module's TVMScript"
    return ""


def load_artifact(
    artifact_dir: str, constraints: dict[str, Any], evaluate: bool, **inputs: np.ndarray
) -> tuple[Any, ...]:
    facts: dict[str, Any] = {
        "ok": False,
        "error": "",
        "op_counts": {},
        "nodes": 0,
        "opset": None,
        "inputs": [],
        "outputs": [],
        "sizes": {},
    }
    for name in os.listdir(artifact_dir):
        facts["sizes"][name] = os.path.getsize(os.path.join(artifact_dir, name))
    files = list(constraints.get("files") or ["module.py"])
    source_name = files[0]
    if source_name not in facts["sizes"]:
        facts["error"] = f"{source_name} is missing: write the scheduled module's mod.script() there"
        return (json.dumps(facts),)
    if facts["sizes"][source_name] > MAX_SOURCE_BYTES:
        facts["error"] = f"{source_name} is over {MAX_SOURCE_BYTES // 1024} KB"
        return (json.dumps(facts),)
    with open(os.path.join(artifact_dir, source_name), encoding="utf-8", errors="replace") as handle:
        source = handle.read()
    problem = _not_tvmscript(source)
    if problem:
        facts["error"] = f"{source_name}: {problem}; write what schedule.mod.script() returns"
        return (json.dumps(facts),)
    import tvm

    try:
        module = tvm.script.from_source(source)
    except Exception as exc:
        facts["error"] = f"TVM could not parse {source_name} as TVMScript: {str(exc).strip()[-600:]}"
        return (json.dumps(facts),)
    if not isinstance(module, tvm.IRModule):
        module = tvm.IRModule({"main": module})
    names = [gv.name_hint for gv in module.get_global_vars()]
    if "main" not in names:
        facts["error"] = f"the module has no function named main (it has {', '.join(names) or 'none'})"
        return (json.dumps(facts),)
    func = module["main"]
    if type(func).__name__ != "PrimFunc":
        facts["error"] = f"main is a {type(func).__name__}, not a TensorIR PrimFunc"
        return (json.dumps(facts),)
    counts = {"vector_lanes": 0, "tiled_axes": 0, "block": 0}
    _walk(func.body, [], counts)
    facts["op_counts"] = dict(sorted(counts.items()))
    facts["nodes"] = counts["block"]
    # TVM 0.27's PrimFunc parameters are the buffers themselves (older releases kept a buffer_map).
    buffer_map = getattr(func, "buffer_map", None)
    buffers = [buffer_map[p] for p in func.params if p in buffer_map] if buffer_map else list(func.params)
    described = [{"name": b.name, "shape": [int(d) for d in b.shape], "dtype": str(b.dtype)} for b in buffers]
    facts["inputs"] = [d for d in described if d["name"] in inputs]
    facts["outputs"] = [d for d in described if d["name"] not in inputs]
    if not evaluate:
        facts["ok"] = True
        return (json.dumps(facts),)
    try:
        executable = tvm.compile(module, target="llvm")
        device = tvm.cpu()
        arguments, outputs = [], []
        for buffer in described:
            if buffer["name"] in inputs:
                given = np.ascontiguousarray(inputs[buffer["name"]])
                if list(given.shape) != buffer["shape"] or str(given.dtype) != buffer["dtype"]:
                    raise ValueError(
                        f"buffer {buffer['name']} is declared {buffer['dtype']}{buffer['shape']}, the case feeds "
                        f"{given.dtype}{list(given.shape)}"
                    )
                arguments.append(tvm.runtime.tensor(given, device))
            else:
                tensor = tvm.runtime.tensor(np.zeros(buffer["shape"], buffer["dtype"]), device)
                arguments.append(tensor)
                outputs.append(tensor)
        executable["main"](*arguments)
        results = [t.numpy() for t in outputs]
    except Exception as exc:
        facts["error"] = f"TVM could not compile or run main: {str(exc).strip()[-600:]}"
        return (json.dumps(facts),)
    facts["ok"] = True
    return (json.dumps(facts), *results)
