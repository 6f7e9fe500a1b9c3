# A grid-stride loop that stops one element short: `out.size - 1` looks like the last index, but range()
# already excludes its end, so the last element is never written.
import numpy as np
from numba import cuda

BLOCKS = 2
THREADS = 32


@cuda.jit
def add_kernel(a, b, out):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, out.size - 1, stride):
        out[i] = a[i] + b[i]


def vector_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d_a = cuda.to_device(a)
    d_b = cuda.to_device(b)
    d_out = cuda.device_array_like(a)
    add_kernel[BLOCKS, THREADS](d_a, d_b, d_out)
    return d_out.copy_to_host()
