"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Splits i and j but never reorders them (i0, i1, j0, j1): correct, yet no axis is tiled; WA on every case."""

import tvm
from tvm import te


def tiled_matmul_module(m, n, k, path):
    a = te.placeholder((m, k), dtype="float32", name="A")
    b = te.placeholder((k, n), dtype="float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    c = te.compute((m, n), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="C")
    sch = tvm.s_tir.Schedule(tvm.IRModule({"main": te.create_prim_func([a, b, c])}))
    i, j, kk = sch.get_loops(sch.get_sblock("C"))
    sch.split(i, factors=[None, 32])
    sch.split(j, factors=[None, 32])
    with open(path, "w") as handle:
        handle.write(sch.mod.script())
