# The book's first, divergent kernel (reduceNeighbored): neighbours are paired and only threads whose id is
# a multiple of 2 * stride work. The block sums are right, but the pairs summed in place are not the
# interleaved ones, so the working array left behind differs.
import numpy as np
from numba import cuda

THREADS = 64


@cuda.jit
def reduce_interleaved(data, partial):
    tid = cuda.threadIdx.x
    base = cuda.blockIdx.x * cuda.blockDim.x
    stride = 1
    while stride < cuda.blockDim.x:
        if tid % (2 * stride) == 0:
            data[base + tid] += data[base + tid + stride]
        cuda.syncthreads()
        stride *= 2
    if tid == 0:
        partial[cuda.blockIdx.x] = data[base]


def reduce_sum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    blocks = (x.size + THREADS - 1) // THREADS
    padded = np.zeros(blocks * THREADS, dtype=np.int32)
    padded[: x.size] = x
    d_data = cuda.to_device(padded)
    d_partial = cuda.device_array(blocks, dtype=np.int32)
    reduce_interleaved[blocks, THREADS](d_data, d_partial)
    return d_partial.copy_to_host(), d_data.copy_to_host()
