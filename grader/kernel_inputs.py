"""The trusted side's check that a C++ kernel left its inputs alone: it gets `const T*` copies, and a kernel
that writes into them (to make a reference computed afterwards agree, or to keep state between calls) is WA.

The harness sends the `in` arrays as they were after the call (`I` frame, an `.npz`); they are parsed here
without pickles, with the same size caps as outputs, and compared bit for bit (NaN where NaN was sent)."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.outputs import OutputError, decode_arrays


def changed_input(sent: dict[str, Any], after: bytes | None, *, max_bytes: int) -> str | None:
    """None when every array of `sent` came back unchanged; otherwise the message for WA."""
    if after is None:
        return "the kernel's inputs did not come back from the call (did it corrupt the harness?)"
    try:
        returned = decode_arrays(after, max_bytes=max_bytes)
    except OutputError as exc:
        return f"the kernel's inputs came back unreadable ({exc})"
    for name, value in sent.items():
        original = np.asarray(value)
        back = returned.get(name)
        if back is None or back.shape != original.shape or back.dtype != original.dtype:
            return f"your kernel modified its input `{name}` (it came back with another shape or type)"
        if original.tobytes() != np.ascontiguousarray(back).tobytes():
            return f"your kernel modified its input `{name}`: inputs are read-only (`const`); write only the outputs"
    return None
