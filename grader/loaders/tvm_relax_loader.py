"""Loads a submitted TVM Relax library (`model.so`: what `tvm.compile(mod, target="llvm").export_library()`
writes) with TVM's own module loader, inside the sandbox, and runs its `main` on the Relax virtual machine.

The case's inputs are passed to `main` positionally, in the order the case stores them (the model's input
order); a tuple result is returned as several outputs. A library is native code: it only ever runs here,
in the loader's sandbox. Standard library, numpy and TVM only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any

import numpy as np


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
    files = list(constraints.get("files") or ["model.so"])
    library = next((f for f in files if f.endswith(".so")), "model.so")
    if library not in facts["sizes"]:
        facts["error"] = f"{library} is missing: export the compiled executable there with export_library"
        return (json.dumps(facts),)
    import tvm
    from tvm import relax

    # dlopen hands back the library already loaded from the same path, and one loader process serves every
    # case from the same folder: each case's library is loaded from a copy of its own.
    private = tempfile.mkdtemp(prefix="tvm-relax-")
    copy = os.path.join(private, library)
    shutil.copyfile(os.path.join(artifact_dir, library), copy)
    try:
        loaded = tvm.runtime.load_module(copy)
        machine = relax.VirtualMachine(loaded, tvm.cpu())
        main = machine["main"]
    except Exception as exc:
        facts["error"] = (
            f"TVM could not load {library} as a Relax executable with a main function: {str(exc).strip()[-500:]}"
        )
        return (json.dumps(facts),)
    facts["inputs"] = [{"name": name, "shape": list(np.shape(value))} for name, value in inputs.items()]
    if not evaluate:
        facts["ok"] = True
        return (json.dumps(facts),)
    try:
        device = tvm.cpu()
        result = main(*(tvm.runtime.tensor(np.ascontiguousarray(v), device) for v in inputs.values()))
        parts = list(result) if isinstance(result, (list, tuple)) or type(result).__name__ == "Array" else [result]
        outputs = [p.numpy() for p in parts]
    except Exception as exc:
        facts["error"] = f"main failed on the case's input: {str(exc).strip()[-500:]}"
        return (json.dumps(facts),)
    facts["outputs"] = [{"name": f"output{i}", "shape": list(o.shape)} for i, o in enumerate(outputs)]
    facts["ok"] = True
    return (json.dumps(facts), *outputs)
