"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Vectorises the whole loop, as the essay's 256-element example does, without a split: WA wherever n is over 64 lanes."""

import tvm
from tvm import te


def vector_add_module(n, path):
    a = te.placeholder((n,), dtype="float32", name="A")
    b = te.placeholder((n,), dtype="float32", name="B")
    c = te.compute((n,), lambda i: a[i] + b[i], name="C")
    schedule = tvm.s_tir.Schedule(tvm.IRModule({"main": te.create_prim_func([a, b, c])}))
    (i,) = schedule.get_loops(schedule.get_sblock("C"))
    schedule.vectorize(i)
    with open(path, "w") as handle:
        handle.write(schedule.mod.script())
