# A histogram without atomics: `counts[v] += 1` is a read, an add and a write; two threads that read the
# same bin before either writes lose one of the two increments.
import numpy as np
from numba import cuda

BLOCKS = 4
THREADS = 64


@cuda.jit
def histogram_kernel(values, counts):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, values.size, stride):
        counts[values[i]] += 1


def histogram(values: np.ndarray, bins: int) -> np.ndarray:
    d_values = cuda.to_device(values)
    d_counts = cuda.to_device(np.zeros(bins, dtype=np.int32))
    histogram_kernel[BLOCKS, THREADS](d_values, d_counts)
    return d_counts.copy_to_host()
